import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { neighbourList, bruteForceNeighbourList, type NeighbourList } from '../../core/engine/geometry/neighbour-list';
import { buildGraphContext } from '../../core/engine/geometry/batch';
import { edgeVectors } from '../../core/engine/geometry/edges';
import { disposeGraphContext } from '../../core/engine/graph/graph-context';
import { createStructure } from '../../core/structure/structure';
import { readDataset, repoRoot } from './geometry-data';
import { seededRandom } from '../../core/util/seeded-random';

interface AseCase { file: string; frame: number; cutoff: number; nAtoms: number; nEdges: number; edges: number[] | null }
const aseCases = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/engine/neighbour-list-ase.json'), 'utf8')) as AseCase[];

function edgeKeys(list: NeighbourList): string[] {
  const keys: string[] = [];
  for (let e = 0; e < list.src.length; e++) {
    keys.push(`${list.src[e]},${list.dst[e]},${list.cellOffsets[3 * e]},${list.cellOffsets[3 * e + 1]},${list.cellOffsets[3 * e + 2]}`);
  }
  return keys.sort();
}

test('neighbour list equals ASE primitive_neighbor_list on mlearn crystals, small cells with several images included', () => {
  assert.ok(aseCases.length >= 10);
  const byFile = new Map<string, ReturnType<typeof readDataset>>();
  for (const c of aseCases) {
    if (!byFile.has(c.file)) byFile.set(c.file, readDataset(`mlearn_elemental/${c.file}`));
    const structure = byFile.get(c.file)![c.frame]!;
    assert.equal(structure.numbers.length, c.nAtoms);
    const list = neighbourList({ positions: structure.positions, cell: structure.cell!, pbc: structure.pbc }, c.cutoff);
    assert.equal(list.src.length, c.nEdges, `${c.file}#${c.frame} edge count`);
    const expected: string[] = [];
    for (let k = 0; k < c.edges!.length; k += 5) expected.push(c.edges!.slice(k, k + 5).join(','));
    assert.deepEqual(edgeKeys(list), expected.sort(), `${c.file}#${c.frame}`);
    // Shifts and distances are consistent with the offsets: |r_j + n·cell - r_i| < cutoff.
    const cell = structure.cell!;
    for (let e = 0; e < list.src.length; e++) {
      const i = list.src[e]!, j = list.dst[e]!;
      const v = [0, 1, 2].map((d) => structure.positions[3 * j + d]! - structure.positions[3 * i + d]! + list.shifts[3 * e + d]!);
      const shift = [0, 1, 2].map((d) => list.cellOffsets[3 * e]! * cell[d]! + list.cellOffsets[3 * e + 1]! * cell[3 + d]! + list.cellOffsets[3 * e + 2]! * cell[6 + d]!);
      for (let d = 0; d < 3; d++) assert.ok(Math.abs(shift[d]! - list.shifts[3 * e + d]!) < 1e-9);
      assert.ok(Math.abs(Math.hypot(v[0]!, v[1]!, v[2]!) - list.distances[e]!) < 1e-9);
      assert.ok(list.distances[e]! < c.cutoff);
    }
  }
});

test('neighbour list equals brute force for a molecule, a skewed small cell (cutoff > cell), a slab and atoms outside the cell', () => {
  const random = seededRandom(7);
  const molecule = Array.from({ length: 300 * 3 }, () => random() * 14 - 7);
  assert.deepEqual(edgeKeys(neighbourList({ positions: molecule }, 3.2)), edgeKeys(bruteForceNeighbourList({ positions: molecule }, 3.2)));
  const skewed = [2.9, 0, 0, 1.1, 2.7, 0, 0.6, -0.8, 3.1];
  const inCell = Array.from({ length: 3 }, () => [random(), random(), random()]).flatMap(([a, b, c]) =>
    [0, 1, 2].map((d) => a! * skewed[d]! + b! * skewed[3 + d]! + c! * skewed[6 + d]!));
  const outside = inCell.map((x, k) => x + (k % 3 === 0 ? 7.3 : -4.1)); // atoms far outside the home cell
  for (const positions of [inCell, outside]) {
    for (const pbc of [[true, true, true], [true, true, false]] as const) {
      const fast = neighbourList({ positions, cell: skewed, pbc }, 6.5);
      const brute = bruteForceNeighbourList({ positions, cell: skewed, pbc }, 6.5, 6);
      assert.ok(fast.src.length > 100);
      assert.deepEqual(edgeKeys(fast), edgeKeys(brute), `pbc ${pbc.join(',')}`);
    }
  }
});

test('neighbour list rejects a non-positive cutoff and a periodic structure with a singular cell', () => {
  assert.throws(() => neighbourList({ positions: [0, 0, 0] }, 0), /cutoff/);
  assert.throws(() => neighbourList({ positions: [0, 0, 0], cell: [1, 0, 0, 2, 0, 0, 0, 0, 1], pbc: [true, true, true] }, 2), /singular/);
});

test('batched graph offsets atoms and edges per structure, and tfjs edge vectors equal host distances with shifts', async () => {
  await tf.setBackend('cpu');
  const [ethanol] = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 1);
  const [mo] = readDataset('mlearn_elemental/Mo_training.extxyz.gz', 1, 192);
  const structures = [ethanol!, mo!, ethanol!];
  const ctx = buildGraphContext(structures, { cutoff: 5, species: [1, 6, 8, 42] });
  assert.equal(ctx.nGraphs, 3);
  assert.equal(ctx.nAtoms, 9 + 2 + 9);
  const ethanolEdges = neighbourList({ positions: ethanol!.positions }, 5).src.length;
  assert.equal(ethanolEdges, 9 * 8); // ethanol is smaller than 5 Å: fully connected
  assert.deepEqual(Array.from(ctx.host.atomStart), [0, 9, 11, 20]);
  assert.deepEqual(Array.from(ctx.host.batch.slice(8, 12)), [0, 1, 1, 2]);
  assert.equal(ctx.host.periodic.join(), 'false,true,false');
  assert.ok(Math.abs(ctx.host.volumes[1]! - 3.16977584 ** 3) < 1e-6);
  const vectors = edgeVectors(ctx);
  const values = await vectors.data();
  const src = ctx.host.edgeSrc, dst = ctx.host.edgeDst;
  for (let e = 0; e < ctx.nEdges; e++) {
    assert.ok(ctx.host.batch[src[e]!] === ctx.host.batch[dst[e]!], 'edges stay inside one structure');
    const r = Math.hypot(values[3 * e]!, values[3 * e + 1]!, values[3 * e + 2]!);
    assert.ok(r < 5 + 1e-4 && r > 0.5, `edge ${e} length ${r}`);
  }
  // Species indices follow the species list order.
  assert.deepEqual(Array.from(ctx.host.species.slice(9, 11)), [3, 3]);
  vectors.dispose();
  disposeGraphContext(ctx);
});

test('building a graph with an element the model does not know names the structure and element', () => {
  const water = createStructure({ name: 'water', numbers: [8, 1, 1], positions: [0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0] });
  assert.throws(() => buildGraphContext([water], { cutoff: 4, species: [1, 6] }), /structure 1 \(water\): element O \(Z=8\) of atom 1 is not supported/);
});

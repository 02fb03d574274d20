// Train / validation / test splits: random (seeded, reproducible), by name (all frames of a molecule on one side) and
// by Bemis–Murcko scaffold on the example drugs (benzene derivatives share a side).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { murckoScaffold, murckoScaffoldAtoms } from '../../core/chem/scaffold';
import { seededSubset, splitByName, splitByScaffold, splitRandom } from '../../core/engine/train/splits';
import { loadRDKit } from '../../core/toolkits/toolkits';
import type { Structure } from '../../core/structure/structure';
import { readStructures } from '../../main/io/read-structures';
import { readDataset } from '../engine/geometry-data';

let drugs: Structure[];
const byName = (name: string) => drugs.find((d) => d.name === name)!;

before(async () => {
  await loadRDKit();
  drugs = await readStructures(resolve('assets/examples/drugs.sdf'));
});

test('a random split is reproducible for a seed, disjoint, complete and sized by the fractions', () => {
  const items = Array.from({ length: 200 }, (_, i) => i);
  const a = splitRandom(items, { seed: 7, validation: 0.1, test: 0.2 });
  const b = splitRandom(items, { seed: 7, validation: 0.1, test: 0.2 });
  assert.deepEqual(a, b);
  assert.equal(a.test.length, 40);
  assert.equal(a.validation.length, 20);
  assert.equal(a.train.length, 140);
  assert.deepEqual([...a.train, ...a.validation, ...a.test].sort((x, y) => x - y), items);
  const other = splitRandom(items, { seed: 8, validation: 0.1, test: 0.2 });
  assert.notDeepEqual(other.test, a.test);
  assert.throws(() => splitRandom(items, { seed: 1, validation: 0.5, test: 0.5 }), /sum below 1/);
});

test('a name split keeps every frame of a molecule on one side and does not depend on file order', () => {
  const frames = readDataset('botnet_ethanol_rmd17/train.extxyz.gz', 40).map((s, i) => ({ ...s, name: `mol${i % 10}` }));
  const split = splitByName(frames, { seed: 3, validation: 0.2, test: 0.2 });
  for (const side of ['train', 'validation', 'test'] as const) {
    for (const s of split[side]) assert.ok(frames.filter((f) => f.name === s.name).every((f) => split[side].includes(f)), `${s.name} whole on ${side}`);
  }
  const reversed = splitByName([...frames].reverse(), { seed: 3, validation: 0.2, test: 0.2 });
  assert.deepEqual(new Set(reversed.test.map((s) => s.name)), new Set(split.test.map((s) => s.name)));
});

test('Bemis–Murcko scaffolds of the example drugs: side chains go, ring systems and linkers stay', () => {
  assert.equal(murckoScaffold(byName('aspirin')), 'c1ccccc1');
  assert.equal(murckoScaffold(byName('paracetamol')), 'c1ccccc1');
  assert.equal(murckoScaffold(byName('ibuprofen')), 'c1ccccc1');
  assert.equal(murckoScaffold(byName('metformin')), '');
  assert.equal(murckoScaffold(byName('naproxen')), 'c1ccc2ccccc2c1');
  assert.equal(murckoScaffold(byName('diclofenac')), 'c1ccc(Nc2ccccc2)cc1');
  assert.equal(murckoScaffold(byName('caffeine')), murckoScaffold(byName('theophylline')));
  // A linker between two rings stays; a chain hanging off one goes (butylbenzene-like path graphs).
  const ring = [0, 1, 2, 3, 4, 5].map((i) => ({ a: i, b: (i + 1) % 6, order: 1 as const }));
  assert.deepEqual(murckoScaffoldAtoms([6, 6, 6, 6, 6, 6, 6, 6], [...ring, { a: 0, b: 6, order: 1 }, { a: 6, b: 7, order: 1 }]), [0, 1, 2, 3, 4, 5]);
});

test('a scaffold split puts all molecules of one scaffold on one side, for every seed', () => {
  const scaffolds = drugs.map((d) => murckoScaffold(d));
  const benzene = ['aspirin', 'paracetamol', 'ibuprofen'];
  for (let seed = 1; seed <= 8; seed++) {
    const split = splitByScaffold(drugs, (_, i) => scaffolds[i]!, { seed, validation: 0.2, test: 0.3 });
    assert.equal(split.train.length + split.validation.length + split.test.length, drugs.length);
    const sides = benzene.map((n) => (['train', 'validation', 'test'] as const).find((side) => split[side].some((s) => s.name === n)));
    assert.ok(sides.every((s) => s === sides[0]), `seed ${seed}: ${sides.join(', ')}`);
  }
});

test('seededSubset takes the first n of a seeded shuffle: reproducible, distinct items, a prefix of the full shuffle, capped at the list', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const a = seededSubset(items, 10, 7);
  assert.deepEqual(seededSubset(items, 10, 7), a);
  assert.notDeepEqual(seededSubset(items, 10, 8), a);
  assert.equal(new Set(a).size, 10);
  const all = seededSubset(items, 1000, 7);
  assert.deepEqual([...all].sort((x, y) => x - y), items);
  assert.deepEqual(all.slice(0, 10), a);
  assert.notDeepEqual(all, items, 'shuffled, not the input order');
});

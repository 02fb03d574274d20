import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CalcResult, Calculator } from '../../core/calc/calculator';
import { boltzmannWeights, buildEnsemble, KCAL_PER_MOL_PER_EV } from '../../core/sampling/conformers/ensemble';
import { heavyAtomRmsd, heavyAtomSymmetryOf, symmetricRmsd } from '../../core/sampling/conformers/symmetric-rmsd';
import { perceivedAdjacency, stereoChanges, stereoReference } from '../../core/sampling/conformers/stereo';
import { BOLTZMANN_EV_PER_K } from '../../core/sampling/md/units';
import { smilesToStructure } from '../../core/toolkits/embed';
import { loadOpenChemLib, loadRDKit } from '../../core/toolkits/toolkits';
import { createStructure, type Structure } from '../../core/structure/structure';
import { findXtbExecutable } from '../../main/calc/xtb/xtb-executable';

await loadRDKit();
await loadOpenChemLib();

const embed = (smiles: string, seed = 7): Structure => smilesToStructure(smiles, { seed, name: smiles });

/** Rotates the atoms on `moving`'s side of the bond axis a-b by `degrees` (Rodrigues). */
function rotateAbout(structure: Structure, a: number, b: number, degrees: number): Structure {
  const graph = perceivedAdjacency(structure);
  const side = new Set([b]);
  const queue = [b];
  for (let q = 0; q < queue.length; q++) {
    for (const j of graph[queue[q]!]!) {
      if (j === a || side.has(j)) continue;
      side.add(j);
      queue.push(j);
    }
  }
  const p = Float64Array.from(structure.positions);
  const origin = [p[3 * b]!, p[3 * b + 1]!, p[3 * b + 2]!];
  const axis = [p[3 * b]! - p[3 * a]!, p[3 * b + 1]! - p[3 * a + 1]!, p[3 * b + 2]! - p[3 * a + 2]!];
  const length = Math.hypot(...axis);
  const [kx, ky, kz] = axis.map((v) => v / length) as [number, number, number];
  const t = (degrees * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  for (const i of side) {
    if (i === b) continue;
    const v = [p[3 * i]! - origin[0]!, p[3 * i + 1]! - origin[1]!, p[3 * i + 2]! - origin[2]!] as [number, number, number];
    const d = kx * v[0] + ky * v[1] + kz * v[2];
    const cr = [ky * v[2] - kz * v[1], kz * v[0] - kx * v[2], kx * v[1] - ky * v[0]];
    for (let k = 0; k < 3; k++) p[3 * i + k] = origin[k]! + v[k]! * c + cr[k]! * s + [kx, ky, kz][k]! * d * (1 - c);
  }
  return { ...structure, positions: p };
}

function withPositions(structure: Structure, positions: Float64Array): Structure {
  return { ...structure, positions };
}

/** A calculator with zero forces (so relax stops at step 0) and energies from a table keyed by the geometry. */
function tableCalculator(entries: ReadonlyArray<[Structure, number]>): Calculator & { calls: number } {
  const key = (p: ArrayLike<number>) => Array.from(p, (v) => v.toFixed(6)).join(',');
  const table = new Map(entries.map(([s, e]) => [key(s.positions), e]));
  const calculator = {
    calls: 0,
    description: { id: 'table', name: 'table', method: 'table', elements: 'all', charge: true, spin: true, periodic: false, stress: false },
    unsupportedReason: () => undefined,
    async calculate(structures: readonly Structure[]): Promise<Array<CalcResult | Error>> {
      calculator.calls += structures.length;
      return structures.map((s) => {
        const energy = table.get(key(s.positions));
        return energy === undefined ? new Error('geometry not in the table') : { energy, forces: new Float64Array(s.positions.length), atomArrays: {}, extras: {} };
      });
    },
  };
  return calculator as unknown as Calculator & { calls: number };
}

const kcal = (value: number) => value / KCAL_PER_MOL_PER_EV;

test('heavy-atom automorphisms: 24 for neopentane (4 methyls), 12 for benzene, 6 for tert-butanol, 1 for butan-2-ol', () => {
  assert.equal(heavyAtomSymmetryOf(embed('CC(C)(C)C')).automorphisms.length, 24);
  assert.equal(heavyAtomSymmetryOf(embed('c1ccccc1')).automorphisms.length, 12);
  assert.equal(heavyAtomSymmetryOf(embed('CC(C)(C)O')).automorphisms.length, 6);
  assert.equal(heavyAtomSymmetryOf(embed('CC(O)CC')).automorphisms.length, 1);
  // The cap holds.
  const capped = heavyAtomSymmetryOf(embed('CC(C)(C)C'), 5);
  assert.equal(capped.automorphisms.length, 5);
  assert.equal(capped.capped, true);
});

test('symmetric RMSD of tert-butanol against its copy with two methyl carbons swapped is 0, the plain RMSD is not', () => {
  const molecule = embed('CC(C)(C)O');
  const symmetry = heavyAtomSymmetryOf(molecule);
  const [m1, , m2] = symmetry.atoms.filter((i) => molecule.numbers[i] === 6 && perceivedAdjacency(molecule)[i]!.length === 4 && i !== 1);
  assert.ok(m1 !== undefined && m2 !== undefined);
  const swapped = Float64Array.from(molecule.positions);
  for (let k = 0; k < 3; k++) [swapped[3 * m1 + k], swapped[3 * m2 + k]] = [molecule.positions[3 * m2 + k]!, molecule.positions[3 * m1 + k]!];
  const plain = heavyAtomRmsd(swapped, molecule.positions, symmetry);
  assert.ok(plain > 0.5, `plain heavy-atom RMSD ${plain} Å`);
  assert.ok(symmetricRmsd(swapped, molecule.positions, symmetry) < 1e-6);
  // A rigid rotation and translation changes neither.
  const rotated = rotateAbout(withPositions(molecule, swapped), 0, 1, 0);
  assert.ok(symmetricRmsd(rotated.positions, molecule.positions, symmetry) < 1e-6);
});

test('symmetric RMSD tells the butane rotamers apart (anti vs gauche about 0.5 Å or more) and is symmetric in its arguments', () => {
  const butane = embed('CCCC');
  const symmetry = heavyAtomSymmetryOf(butane);
  const gauche = rotateAbout(butane, 1, 2, 120);
  const forward = symmetricRmsd(gauche.positions, butane.positions, symmetry);
  const backward = symmetricRmsd(butane.positions, gauche.positions, symmetry);
  assert.ok(forward > 0.3, `RMSD ${forward} Å`);
  assert.ok(Math.abs(forward - backward) < 1e-9);
});

test('stereo: a mirrored butan-2-ol inverts its centre, cis-2-butene flips E/Z against trans, with and without bond orders', () => {
  const alcohol = embed('C[C@H](O)CC');
  const reference = stereoReference(alcohol, perceivedAdjacency(alcohol));
  assert.equal(reference.centres.length, 1);
  const mirrored = Float64Array.from(alcohol.positions, (v, i) => (i % 3 === 0 ? -v : v));
  assert.deepEqual(stereoChanges(reference, alcohol.positions), []);
  assert.match(stereoChanges(reference, mirrored).join(';'), /^atom 2 inverted$/);

  const trans = embed('C/C=C/C');
  const cis = embed('C/C=C\\C');
  assert.deepEqual(Array.from(cis.numbers), Array.from(trans.numbers));
  for (const source of [trans, { ...trans, bonds: undefined } as Structure]) {
    const ref = stereoReference(source, perceivedAdjacency(source));
    assert.equal(ref.doubleBonds.length, 1);
    assert.deepEqual(stereoChanges(ref, trans.positions), []);
    assert.match(stereoChanges(ref, cis.positions).join(';'), /E\/Z flipped/);
  }
  // s-trans -> s-cis about the single bond of (E)-penta-1,3-diene is a conformer change, not a stereo change.
  const diene = embed('C=C/C=C/C');
  const bare = { ...diene, bonds: undefined } as Structure;
  const dieneRef = stereoReference(bare, perceivedAdjacency(bare));
  assert.equal(dieneRef.doubleBonds.length, 1, 'only the C3=C4 double bond, not the C2-C3 single bond');
  assert.deepEqual(stereoChanges(dieneRef, rotateAbout(diene, 1, 2, 180).positions), []);
});

test('buildEnsemble drops a broken bond as connectivity and a mirror image as stereo, and keeps the rest', async () => {
  const alcohol = embed('C[C@H](O)CC');
  const broken = Float64Array.from(alcohol.positions);
  broken[3 * 4] = broken[3 * 4]! + 2.5; // the terminal methyl carbon pulled away from C4
  const mirrored = Float64Array.from(alcohol.positions, (v, i) => (i % 3 === 0 ? -v : v));
  const replicas = [alcohol, withPositions(alcohol, broken), withPositions(alcohol, mirrored)];
  const calculator = tableCalculator(replicas.map((s, k) => [s, -10 - k]));
  const ensemble = await buildEnsemble({ structures: replicas }, alcohol, calculator);
  assert.deepEqual(ensemble.dropped, { connectivity: 1, stereo: 1, window: 0, duplicates: 0, failed: 0 }, ensemble.notes.join('\n'));
  assert.equal(ensemble.conformers.length, 1);
  assert.equal(ensemble.conformers[0]!.properties['energy'], -10);
  assert.match(ensemble.notes.join('\n'), /connectivity: replica 2: bond .*broken/);
  assert.match(ensemble.notes.join('\n'), /stereo: replica 3: atom 2 inverted/);
  assert.equal(ensemble.calls, 3);
});

test('buildEnsemble collapses a nudged duplicate of near-equal energy and keeps a distinct rotamer', async () => {
  const butane = embed('CCCC');
  const nudged = Float64Array.from(butane.positions, (v, i) => v + 0.01 * Math.sin(i));
  const gauche = rotateAbout(butane, 1, 2, 120);
  const replicas = [withPositions(butane, nudged), butane, gauche];
  const energies = [-100 + kcal(0.01), -100, -100 + kcal(0.6)];
  const calculator = tableCalculator(replicas.map((s, k) => [s, energies[k]!]));
  const ensemble = await buildEnsemble({ structures: replicas }, butane, calculator);
  assert.deepEqual(ensemble.dropped, { connectivity: 0, stereo: 0, window: 0, duplicates: 1, failed: 0 });
  assert.equal(ensemble.conformers.length, 2);
  // The lower of the two duplicates is kept.
  assert.equal(ensemble.conformers[0]!.properties['energy'], -100);
  assert.deepEqual(ensemble.conformers.map((c) => c.properties['conformer_rank']), [1, 2]);
  // A smaller RMSD threshold than the nudge keeps both copies.
  const strict = await buildEnsemble({ structures: replicas }, butane, calculator, { rmsdThreshold: 0.001 });
  assert.equal(strict.conformers.length, 3);
});

test('buildEnsemble collapses a copy relabelled by a symmetry of the whole molecule, which plain RMSD would keep', async () => {
  const molecule = embed('CC(C)(C)O');
  const graph = perceivedAdjacency(molecule);
  const methyls = graph[1]!.filter((j) => molecule.numbers[j] === 6);
  assert.equal(methyls.length, 3);
  // Swap two methyl groups with their hydrogens: the same molecule, atoms renumbered.
  const [a, b] = methyls as [number, number];
  const swapped = Float64Array.from(molecule.positions);
  const ha = graph[a]!.filter((j) => molecule.numbers[j] === 1);
  const hb = graph[b]!.filter((j) => molecule.numbers[j] === 1);
  for (const [i, j] of [[a, b], ...ha.map((h, k) => [h, hb[k]!] as [number, number])] as Array<[number, number]>) {
    for (let k = 0; k < 3; k++) [swapped[3 * i + k], swapped[3 * j + k]] = [molecule.positions[3 * j + k]!, molecule.positions[3 * i + k]!];
  }
  const replicas = [molecule, withPositions(molecule, swapped)];
  const calculator = tableCalculator([[molecule, -50], [replicas[1]!, -50 + kcal(0.01)]]);
  const ensemble = await buildEnsemble({ structures: replicas }, molecule, calculator);
  assert.deepEqual(ensemble.dropped, { connectivity: 0, stereo: 0, window: 0, duplicates: 1, failed: 0 });
  assert.equal(ensemble.conformers.length, 1);
  // With a tighter energy threshold they are two.
  const strict = await buildEnsemble({ structures: replicas }, molecule, calculator, { energyThreshold: 0.001 });
  assert.equal(strict.conformers.length, 2);
});

test('Boltzmann weights follow exp(−ΔE/kT) exactly and sum to 1; the window drops the high ones; sorted by energy', async () => {
  const butane = embed('CCCC');
  const rotamers = [0, 120, 240, 60, 180].map((d) => rotateAbout(butane, 1, 2, d));
  const relative = [1.2, 0, 0.5, 7.5, 6.5]; // kcal/mol
  const calculator = tableCalculator(rotamers.map((s, k) => [s, -200 + kcal(relative[k]!)]));
  const temperature = 350;
  const ensemble = await buildEnsemble({ structures: rotamers }, butane, calculator, { temperature, windowKcal: 6 });
  assert.deepEqual(ensemble.dropped, { connectivity: 0, stereo: 0, window: 2, duplicates: 0, failed: 0 });
  const kept = [0, 0.5, 1.2];
  assert.equal(ensemble.conformers.length, 3);
  const kT = BOLTZMANN_EV_PER_K * temperature;
  const factors = kept.map((e) => Math.exp(-kcal(e) / kT));
  const z = factors.reduce((s, f) => s + f, 0);
  ensemble.conformers.forEach((c, k) => {
    assert.equal(c.properties['conformer_rank'], k + 1);
    assert.ok(Math.abs((c.properties['relative_energy'] as number) - kept[k]!) < 1e-9);
    assert.ok(Math.abs((c.properties['energy'] as number) - (-200 + kcal(kept[k]!))) < 1e-12);
    assert.ok(Math.abs((c.properties['boltzmann_weight'] as number) - factors[k]! / z) < 1e-12);
  });
  const total = ensemble.conformers.reduce((s, c) => s + (c.properties['boltzmann_weight'] as number), 0);
  assert.ok(Math.abs(total - 1) < 1e-12);
  // A wider window keeps all five.
  const wide = await buildEnsemble({ structures: rotamers }, butane, calculator, { temperature, windowKcal: 8 });
  assert.equal(wide.conformers.length, 5);
  assert.deepEqual(boltzmannWeights([], 300), []);
});

test('buildEnsemble counts a replica whose relaxation fails and rejects bad options and foreign replicas', async () => {
  const butane = embed('CCCC');
  const calculator = tableCalculator([[butane, -1]]);
  const other = rotateAbout(butane, 1, 2, 90);
  const ensemble = await buildEnsemble({ structures: [butane, other] }, butane, calculator);
  assert.equal(ensemble.dropped.failed, 1);
  assert.match(ensemble.notes.join('\n'), /failed: replica 2: .*not in the table/);
  await assert.rejects(buildEnsemble({ structures: [butane] }, butane, calculator, { windowKcal: 0 }), /energy window must be a positive/);
  const ethanol = embed('CCO');
  await assert.rejects(buildEnsemble({ structures: [ethanol] }, butane, calculator), /replica 1 has other atoms/);
});

const xtb = findXtbExecutable(process.env);
test('xtb (GFN2): butane anti and gauche replicas relax to an ensemble with anti lowest and gauche about 0.3–1.2 kcal/mol above', { skip: xtb ? false : 'the xtb executable is not on PATH' }, async () => {
  const { createXtbCalculator } = await import('../../main/calc/xtb/xtb-calculator');
  const calculator = createXtbCalculator({ method: 'gfn2' });
  const butane = createStructure({ ...embed('CCCC'), name: 'butane' });
  const anti = rotateAbout(butane, 1, 2, 180 - dihedral(butane));
  const replicas = [anti, rotateAbout(anti, 1, 2, 5), rotateAbout(anti, 1, 2, 118), rotateAbout(anti, 1, 2, -121)];
  try {
    const ensemble = await buildEnsemble({ structures: replicas }, butane, calculator);
    assert.equal(ensemble.dropped.failed + ensemble.dropped.connectivity + ensemble.dropped.stereo, 0);
    const relativeEnergies = ensemble.conformers.map((c) => c.properties['relative_energy'] as number);
    // anti, and the two gauche forms (mirror images: different heavy-atom geometry, equal energy).
    assert.equal(ensemble.conformers.length, 3, `relative energies ${relativeEnergies.join(', ')}`);
    assert.ok(Math.abs(dihedral(ensemble.conformers[0]!)) > 170);
    assert.ok(relativeEnergies[1]! > 0.3 && relativeEnergies[1]! < 1.2, `gauche ${relativeEnergies[1]} kcal/mol`);
    assert.ok(Math.abs(relativeEnergies[2]! - relativeEnergies[1]!) < 0.05);
  } finally {
    calculator.dispose?.();
  }
});

/** C1-C2-C3-C4 dihedral of a butane, degrees. */
function dihedral(structure: Structure): number {
  const p = structure.positions;
  const v = (i: number, j: number) => [0, 1, 2].map((k) => p[3 * j + k]! - p[3 * i + k]!);
  const cross = (u: number[], w: number[]) => [u[1]! * w[2]! - u[2]! * w[1]!, u[2]! * w[0]! - u[0]! * w[2]!, u[0]! * w[1]! - u[1]! * w[0]!];
  const dot = (u: number[], w: number[]) => u[0]! * w[0]! + u[1]! * w[1]! + u[2]! * w[2]!;
  const b1 = v(0, 1), b2 = v(1, 2), b3 = v(2, 3);
  const n1 = cross(b1, b2), n2 = cross(b2, b3);
  const m = cross(n1, b2.map((x) => x / Math.hypot(...b2)));
  return (Math.atan2(dot(m, n2), dot(n1, n2)) * 180) / Math.PI;
}

test('xtb (GFN2): with the crude screen, butane replicas give the same three conformers at the same energies as relaxing each fully, in fewer calculator calls', { skip: xtb ? false : 'the xtb executable is not on PATH' }, async () => {
  const { createXtbCalculator } = await import('../../main/calc/xtb/xtb-calculator');
  const calculator = createXtbCalculator({ method: 'gfn2' });
  const butane = createStructure({ ...embed('CCCC'), name: 'butane' });
  const anti = rotateAbout(butane, 1, 2, 180 - dihedral(butane));
  // Six near-copies of anti and one of each gauche: the screen's duplicate test should leave three full relaxations.
  const replicas = [0, 4, -4, 8, -8, 12, 118, -121].map((d) => rotateAbout(anti, 1, 2, d));
  try {
    const full = await buildEnsemble({ structures: replicas }, butane, calculator);
    const screened = await buildEnsemble({ structures: replicas }, butane, calculator, { screen: {} });
    const energies = (e: typeof full) => e.conformers.map((c) => c.properties['relative_energy'] as number);
    assert.equal(screened.conformers.length, 3, `screened relative energies ${energies(screened).join(', ')}`);
    assert.equal(full.conformers.length, 3, `full relative energies ${energies(full).join(', ')}`);
    energies(screened).forEach((e, k) => assert.ok(Math.abs(e - energies(full)[k]!) < 0.02, `conformer ${k + 1}: ${e} vs ${energies(full)[k]} kcal/mol`));
    assert.ok(Math.abs((screened.conformers[0]!.properties['energy'] as number) - (full.conformers[0]!.properties['energy'] as number)) < 0.02 / KCAL_PER_MOL_PER_EV);
    assert.equal(screened.dropped.duplicates, 5, JSON.stringify(screened.dropped));
    assert.ok(screened.calls < full.calls, `calls: screened ${screened.calls}, full ${full.calls}`);
  } finally {
    calculator.dispose?.();
  }
});

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadRDKit } from '../../../core/toolkits/toolkits';
import { edmBondOrder, edmStability } from '../../../core/generative/scoring/stability';
import { edmSmiles, scoreMolecules, type ScorableMolecule } from '../../../core/generative/scoring/score';
import { scoreReportCsv } from '../../../core/generative/scoring/score-csv';
import { seededSampleIndices } from '../../../core/generative/scoring/sample';

before(async () => {
  await loadRDKit();
});

/** A molecule from atomic numbers and [x, y, z] rows (Å). */
function molecule(name: string, numbers: number[], rows: number[][]): ScorableMolecule {
  return { name, numbers: Uint8Array.from(numbers), positions: Float64Array.from(rows.flat()) };
}

const ethylene = molecule('ethylene', [6, 6, 1, 1, 1, 1], [
  [0.665, 0, 0], [-0.665, 0, 0], [1.23, 0.92, 0], [1.23, -0.92, 0], [-1.23, 0.92, 0], [-1.23, -0.92, 0],
]);
const acetylene = molecule('acetylene', [6, 6, 1, 1], [[0.6, 0, 0], [-0.6, 0, 0], [1.66, 0, 0], [-1.66, 0, 0]]);
const nitrogen = molecule('N2', [7, 7], [[0, 0, 0], [1.1, 0, 0]]);
const carbonDioxide = molecule('CO2', [6, 8, 8], [[0, 0, 0], [1.165, 0, 0], [-1.165, 0, 0]]);
const methyl = molecule('methyl radical', [6, 1, 1, 1], [[0, 0, 0], [1.08, 0, 0], [-0.54, 0.935, 0], [-0.54, -0.935, 0]]);
/** Carbon with five hydrogens 1.09 Å away (trigonal bipyramid): over-valent. */
const ch5 = molecule('CH5', [6, 1, 1, 1, 1, 1], [[0, 0, 0], [0, 0, 1.09], [0, 0, -1.09], [1.09, 0, 0], [-0.545, 0.944, 0], [-0.545, -0.944, 0]]);

function ordersOf(m: ScorableMolecule): string[] {
  return edmStability(m).bonds.map((b) => `${b.a}-${b.b}:${b.order}`);
}

test('bond order thresholds are EDM typical length + margin in pm, strict: C-C single below 164, double below 139, triple below 123 pm', () => {
  assert.equal(edmBondOrder('C', 'C', 1.6399), 1);
  assert.equal(edmBondOrder('C', 'C', 1.64), 0);
  assert.equal(edmBondOrder('C', 'C', 1.39), 1);
  assert.equal(edmBondOrder('C', 'C', 1.3899), 2);
  assert.equal(edmBondOrder('C', 'C', 1.2299), 3);
  assert.equal(edmBondOrder('C', 'H', 1.1899), 1);
  assert.equal(edmBondOrder('H', 'C', 1.19), 0);
  // A pair with no double-bond entry stays single however short; a pair outside the single table never bonds.
  assert.equal(edmBondOrder('C', 'F', 1.0), 1);
  assert.equal(edmBondOrder('B', 'C', 1.5), 0);
  // As in EDM (Python floats): 100 * 1.16 = 115.99999999999999 < 113 + 3, so C-O at exactly 1.16 Å is triple.
  assert.equal(edmBondOrder('C', 'O', 1.16), 3);
  assert.equal(edmBondOrder('C', 'O', 1.1601), 2);
});

test('ethylene gets a C=C double bond and four C-H single bonds; every atom stable', () => {
  assert.deepEqual(ordersOf(ethylene), ['0-1:2', '0-2:1', '0-3:1', '1-4:1', '1-5:1']);
  const s = edmStability(ethylene);
  assert.deepEqual([...s.bondOrderSums], [4, 4, 1, 1, 1, 1]);
  assert.equal(s.moleculeStable, true);
});

test('acetylene gets a C#C triple bond, N2 a triple bond, CO2 two C=O double bonds; all stable', () => {
  assert.deepEqual(ordersOf(acetylene), ['0-1:3', '0-2:1', '1-3:1']);
  assert.deepEqual(ordersOf(nitrogen), ['0-1:3']);
  assert.deepEqual(ordersOf(carbonDioxide), ['0-1:2', '0-2:2']);
  for (const m of [acetylene, nitrogen, carbonDioxide]) assert.equal(edmStability(m).moleculeStable, true, m.name);
  const report = scoreMolecules([ethylene, acetylene, nitrogen, carbonDioxide]);
  assert.deepEqual(report.per_molecule.map((r) => r.smiles), ['C=C', 'C#C', 'N#N', 'O=C=O']);
});

test('a carbon with three bonds (methyl radical) is an unstable atom in an unstable but valid molecule', () => {
  const report = scoreMolecules([methyl]);
  const row = report.per_molecule[0]!;
  assert.equal(row.stable_atoms, 3);
  assert.equal(row.atom_stable_fraction, 0.75);
  assert.equal(row.mol_stable, false);
  // EDM's RDKit molecule fills missing valence with implicit hydrogens, so under-bonded carbon sanitises.
  assert.equal(row.valid, true);
  assert.equal(row.smiles, 'C');
  assert.equal(report.atom_stability_percent, 75);
  assert.equal(report.molecule_stability_percent, 0);
});

test('a five-bonded carbon is invalid (RDKit sanitisation fails) and has no SMILES', () => {
  const report = scoreMolecules([ch5]);
  const row = report.per_molecule[0]!;
  assert.equal(row.status, 'ok');
  assert.equal(row.mol_stable, false);
  assert.equal(row.valid, false);
  assert.equal(row.smiles, null);
  assert.equal(row.unique, false);
  assert.equal(report.validity_percent, 0);
  assert.equal(edmSmiles(ch5), null);
});

test('uniqueness counts distinct SMILES among valid molecules; novelty distinct SMILES outside the training set', () => {
  const shifted = molecule('ethylene shifted', Array.from(ethylene.numbers), Array.from({ length: 6 }, (_, i) => [ethylene.positions[3 * i]! + 5, ethylene.positions[3 * i + 1]!, ethylene.positions[3 * i + 2]! - 2]));
  const training = new Set([edmSmiles(ethylene)!]);
  const report = scoreMolecules([ethylene, shifted, acetylene, ch5], { trainingSmiles: training });
  assert.equal(report.valid_molecules, 3);
  assert.equal(report.unique_molecules, 2);
  assert.equal(report.uniqueness_percent, (100 * 2) / 3);
  assert.equal(report.novel_molecules, 1);
  assert.equal(report.novelty_percent, 50);
  assert.deepEqual(report.per_molecule.map((r) => r.unique), [true, false, true, false]);
  assert.deepEqual(report.per_molecule.map((r) => r.novel), [false, false, true, null]);
  assert.equal(scoreMolecules([ethylene]).novelty_percent, null);
});

test('the SMILES is that of the largest fragment (hydrogens counted), without stereo from the 3D geometry', () => {
  const waterAndMethane = molecule('two waters and methane', [8, 1, 1, 6, 1, 1, 1, 1, 8, 1, 1], [
    [10, 0, 0], [10.96, 0, 0], [9.76, 0.93, 0],
    [0, 0, 0], [0.63, 0.63, 0.63], [-0.63, -0.63, 0.63], [-0.63, 0.63, -0.63], [0.63, -0.63, -0.63],
    [-10, 0, 0], [-10.96, 0, 0], [-9.76, 0.93, 0],
  ]);
  const row = scoreMolecules([waterAndMethane]).per_molecule[0]!;
  assert.equal(row.fragments, 3);
  assert.equal(row.valid, true);
  assert.equal(row.smiles, 'C');
  // A stereocentre C(H)(F)(OH)(NH2) whose 3D geometry RDKit's molfile reader perceives as chiral (@@).
  const chiral = molecule('chiral centre', [6, 1, 9, 8, 1, 7, 1, 1], [
    [0, 0, 0], [0.63, 0.63, 0.63], [-0.78, -0.78, 0.78], [-0.83, 0.83, -0.83], [-0.5, 1.6, -0.9], [0.85, -0.85, -0.85], [1.7, -0.5, -0.9], [0.5, -1.7, -0.4],
  ]);
  const chiralRow = scoreMolecules([chiral]).per_molecule[0]!;
  assert.equal(chiralRow.mol_stable, true);
  assert.ok(chiralRow.smiles !== null && !chiralRow.smiles.includes('@'), `no stereo in ${chiralRow.smiles}`);
});

test('bad molecules (unknown element, no atoms, non-finite coordinate) become error rows counted as failed samples, not crashes', () => {
  const xenon = molecule('xenon', [6, 54], [[0, 0, 0], [1.5, 0, 0]]);
  const dummy = molecule('dummy', [0], [[0, 0, 0]]);
  const empty = molecule('empty', [], []);
  const nan = molecule('nan', [7, 7], [[0, 0, 0], [Number.NaN, 0, 0]]);
  const inf = molecule('inf', [7, 7], [[0, 0, 0], [1.1, Number.POSITIVE_INFINITY, 0]]);
  const report = scoreMolecules([xenon, dummy, empty, nan, inf, nitrogen]);
  assert.equal(report.errors, 5);
  assert.deepEqual(report.per_molecule.map((r) => r.status), ['error', 'error', 'error', 'error', 'error', 'ok']);
  assert.match(report.per_molecule[0]!.error, /atom 2: element Xe is not in EDM's valence table/);
  assert.match(report.per_molecule[1]!.error, /atom 1: element Z=0/);
  assert.match(report.per_molecule[2]!.error, /no atoms/);
  assert.match(report.per_molecule[3]!.error, /atom 2: coordinate x is not finite \(NaN\)/);
  assert.match(report.per_molecule[4]!.error, /atom 2: coordinate y is not finite \(Infinity\)/);
  for (const r of report.per_molecule.slice(0, 5)) assert.deepEqual([r.mol_stable, r.valid, r.smiles], [false, false, null]);
  // 6 molecules, one valid and stable; atoms of error rows count as unstable atoms.
  assert.equal(report.molecule_stability_percent, 100 / 6);
  assert.equal(report.validity_percent, 100 / 6);
  assert.equal(report.atoms, 2 + 1 + 0 + 2 + 2 + 2);
  assert.equal(report.stable_atoms, 2);
  assert.equal(scoreMolecules([]).molecules, 0);
  assert.ok(Number.isNaN(scoreMolecules([]).validity_percent));
});

test('the per-molecule CSV has a header of the flag columns and one row per molecule, error rows with their message', () => {
  const csv = scoreReportCsv(scoreMolecules([nitrogen, molecule('xe', [54], [[0, 0, 0]])]), [7, 9]).trimEnd().split('\n');
  assert.equal(csv[0], 'record,name,status,error,atoms,stable_atoms,atom_stable_fraction,mol_stable,valid,smiles,unique,novel,fragments');
  assert.equal(csv[1], '7,N2,ok,,2,2,1,true,true,N#N,true,,1');
  assert.match(csv[2]!, /^9,xe,error,atom 1: element Xe is not in EDM's valence table \(H C N O F B Al Si P S Cl As Br I Hg Bi\),1,0,0,false,false,,false,,0$/);
});

test('the seeded sample is reproducible, distinct, ascending and differs between seeds', () => {
  const a = seededSampleIndices(1000, 50, 3);
  assert.deepEqual(a, seededSampleIndices(1000, 50, 3));
  assert.equal(new Set(a).size, 50);
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.notDeepEqual(a, seededSampleIndices(1000, 50, 4));
  assert.deepEqual(seededSampleIndices(3, 10, 1), [0, 1, 2]);
});

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { loadRDKit, rdkitModule } from '../../../core/toolkits/toolkits';
import { atomicNumberOf } from '../../../core/structure/elements';
import { scoreMolecules, type ScorableMolecule } from '../../../core/generative/scoring/score';
import { seededSampleIndices } from '../../../core/generative/scoring/sample';
import { repoRoot } from '../../chem/shared-examples';

/** QM9's B3LYP geometries with hydrogens (F-free: 128,744 molecules; see qm9_ppqm/README.md). */
const QM9 = join(repoRoot, '..', 'shared', 'datasets', 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz');
const QM9_MOLECULES = 128_744;
/** Sample size: molecule stability's sampling error is ~0.3 points at 5000 (0.45 at 2000), the tolerance 1 point. */
const SAMPLE = 5000;

/** The frames `wanted` (0-based, ascending) of an extended XYZ file, read as plain XYZ blocks while streaming. */
async function framesAt(path: string, wanted: readonly number[]): Promise<ScorableMolecule[]> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  const out: ScorableMolecule[] = [];
  let frame = 0, next = 0;
  let atoms = 0, line = -1; // atoms of the current frame; its line index (0 = comment, 1.. = atoms), -1 = count line next
  let name = '', numbers: number[] = [], positions: number[] = [];
  for await (const text of lines) {
    if (line < 0) {
      atoms = Number(text.trim());
      line = 0;
      continue;
    }
    const keep = wanted[next] === frame;
    if (keep && line === 0) {
      name = /name=(\S+)/.exec(text)?.[1] ?? '';
      numbers = [];
      positions = [];
    } else if (keep) {
      const cols = text.trim().split(/\s+/);
      numbers.push(atomicNumberOf(cols[0]!)!);
      positions.push(Number(cols[1]), Number(cols[2]), Number(cols[3]));
    }
    if (line === atoms) {
      if (keep) {
        out.push({ name, numbers: Uint8Array.from(numbers), positions: Float64Array.from(positions) });
        if (++next === wanted.length) break;
      }
      frame++;
      line = -1;
    } else line++;
  }
  lines.close();
  return out;
}

/** EDM's algorithm re-typed in Python with Python RDKit (fixtures/make-edm-reference.py): every 64th molecule. */
interface EdmReference {
  readonly every: number;
  /** [index (0-based), stable_atoms, atoms, valid, smiles | null] */
  readonly molecules: ReadonlyArray<[number, number, number, boolean, string | null]>;
}
const reference = JSON.parse(readFileSync(join(repoRoot, 'test', 'generative', 'scoring', 'fixtures', 'edm-reference-qm9.json'), 'utf8')) as EdmReference;
const sampleIndices = seededSampleIndices(QM9_MOLECULES, SAMPLE, 1);
const referenceIndices = reference.molecules.map((m) => m[0]);
/** Both sets of frames, read in one pass over the file. */
const frames = new Map<number, ScorableMolecule>();

before(async () => {
  await loadRDKit();
  if (!existsSync(QM9)) return;
  const wanted = [...new Set([...sampleIndices, ...referenceIndices])].sort((a, b) => a - b);
  const read = await framesAt(QM9, wanted);
  wanted.forEach((index, k) => frames.set(index, read[k]!));
});

// EDM (Hoogeboom et al. 2022), Table 1, row "Data" (QM9 with hydrogens): 99.0 / 95.2 / 97.7 %.
const PUBLISHED = { atomStability: 99.0, moleculeStability: 95.2, validity: 97.7 };

test('EDM scoring of a seeded sample of 5000 QM9 molecules lands within a point of EDM\'s published data row', { skip: !existsSync(QM9) && 'shared QM9 not present', timeout: 120_000 }, async (t) => {
  const molecules = sampleIndices.map((i) => frames.get(i)!);
  assert.equal(molecules.length, SAMPLE);
  const report = scoreMolecules(molecules);
  t.diagnostic(`atom ${report.atom_stability_percent.toFixed(2)} %, molecule ${report.molecule_stability_percent.toFixed(2)} %, valid ${report.validity_percent.toFixed(2)} %, unique ${report.uniqueness_percent.toFixed(2)} %`);
  assert.equal(report.errors, 0);
  assert.ok(Math.abs(report.atom_stability_percent - PUBLISHED.atomStability) <= 1, `atom stability ${report.atom_stability_percent}`);
  assert.ok(Math.abs(report.molecule_stability_percent - PUBLISHED.moleculeStability) <= 1, `molecule stability ${report.molecule_stability_percent}`);
  assert.ok(Math.abs(report.validity_percent - PUBLISHED.validity) <= 1, `validity ${report.validity_percent}`);
  // QM9's molecules are distinct constitutions (a few stereoisomer pairs aside).
  assert.ok(report.uniqueness_percent > 99, `uniqueness ${report.uniqueness_percent}`);
});

test('per molecule, the scorer agrees with EDM\'s Python code (stable atoms, validity, SMILES) on every 64th QM9 molecule', { skip: !existsSync(QM9) && 'shared QM9 not present', timeout: 60_000 }, () => {
  const molecules = referenceIndices.map((i) => frames.get(i)!);
  const report = scoreMolecules(molecules);
  assert.equal(report.molecules, reference.molecules.length);
  const mismatches: string[] = [];
  reference.molecules.forEach(([index, stableAtoms, atoms, valid, smiles], k) => {
    const row = report.per_molecule[k]!;
    // Python RDKit 2022 and RDKit MinimalLib may write different canonical SMILES: canonicalise the reference here.
    const expected = smiles === null ? null : rdkitModule().get_mol(smiles)!;
    const expectedSmiles = expected ? expected.get_smiles() : null;
    expected?.delete();
    if (row.atoms !== atoms || row.stable_atoms !== stableAtoms || row.valid !== valid || row.smiles !== expectedSmiles) {
      mismatches.push(`QM9 frame ${index + 1}: ours ${row.stable_atoms}/${row.atoms} ${row.valid} ${row.smiles}, EDM ${stableAtoms}/${atoms} ${valid} ${expectedSmiles}`);
    }
  });
  assert.deepEqual(mismatches, []);
  // The reference includes unstable and invalid molecules, so the comparison covers both branches.
  assert.ok(reference.molecules.some((m) => !m[3]) && reference.molecules.some((m) => m[1] < m[2]));
});

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describeMolecule } from '../../core/chem/describe';
import { loadRDKit } from '../../core/toolkits/toolkits';
import { atomicNumberOf, symbolOf } from '../../core/structure/elements';
import { createStructure, hillFormula, type Structure } from '../../core/structure/structure';
import { repoRoot } from './shared-examples';

const QM9 = join(repoRoot, '..', 'shared', 'datasets', 'qm9_ppqm', 'qm9_geometries_128744.extxyz.gz');

/** The first `count` molecules of the shared QM9 extended XYZ (plain XYZ blocks), streamed. */
async function firstQm9(count: number): Promise<Structure[]> {
  const lines = createInterface({ input: createReadStream(QM9).pipe(createGunzip()), crlfDelay: Infinity });
  const out: Structure[] = [];
  let pending: string[] = [];
  let expected = -1;
  for await (const line of lines) {
    if (expected < 0) {
      expected = Number(line.trim());
      pending = [];
      continue;
    }
    pending.push(line);
    if (pending.length === expected + 1) {
      const atoms = pending.slice(1).map((l) => l.trim().split(/\s+/));
      out.push(createStructure({
        name: /name=(\S+)/.exec(pending[0]!)?.[1] ?? '',
        numbers: atoms.map((a) => atomicNumberOf(a[0]!)!),
        positions: atoms.flatMap((a) => [Number(a[1]), Number(a[2]), Number(a[3])]),
        provenance: { file: 'qm9.extxyz', format: 'extxyz', record: out.length, line: 1 },
      }));
      expected = -1;
      if (out.length >= count) break;
    }
  }
  lines.close();
  return out;
}

before(async () => {
  await loadRDKit();
});

test('QM9 geometries (first 300, coordinates only): bond orders assigned for nearly all, and RDKit adds no hydrogens', { skip: !existsSync(QM9) && 'shared QM9 not present', timeout: 120_000 }, async (t) => {
  const molecules = await firstQm9(300);
  assert.equal(molecules.length, 300);
  let assigned = 0;
  const failures: string[] = [];
  for (const m of molecules) {
    try {
      const d = describeMolecule(m);
      // A wrong (too low) bond order would leave a valence that RDKit fills with implicit hydrogens.
      assert.equal(d.formula, hillFormula(m.numbers, symbolOf), `${m.name}: ${d.canonicalSmiles}`);
      assigned++;
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      failures.push(`${m.name}: ${(error as Error).message}`);
    }
  }
  t.diagnostic(`assigned ${assigned} of ${molecules.length}`);
  assert.ok(assigned >= 0.97 * molecules.length, `assigned ${assigned} of ${molecules.length}; failures: ${failures.slice(0, 5).join('; ')}`);
});

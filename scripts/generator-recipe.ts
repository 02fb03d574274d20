/**
 * The QM9 recipe of both generator scripts (train-edm-qm9.ts, train-geobfn-qm9.ts): `equimol train --family F` on the
 * QM9 geometries with hydrogens of ../shared/datasets/qm9_xtb (128,744 molecules, H C N O F, up to 29 atoms), split
 * by molecule name with seed 1 (2 % validation, 5 % test: the split of the hcnof potential), with the script's other
 * options passed through (--minutes defaults to 60, --out to tmp/runs/F-qm9/F-qm9). See main/cli/commands/train-generator.ts.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainCommand } from '../main/cli/commands/train';
import type { GeneratorFamilyName } from '../main/train/generator-families';

export async function runQm9GeneratorRecipe(family: GeneratorFamilyName): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const qm9 = join(root, '..', 'shared', 'datasets', 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz');
  const args = process.argv.slice(2);
  const has = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  const stem = `${family}-qm9`;
  const full = [
    ...(has('--init') ? [] : ['--family', family]), ...args,
    ...(has('--minutes') ? [] : ['--minutes', '60']), ...(has('--out') ? [] : ['--out', join(root, 'tmp', 'runs', stem, stem)]), qm9,
  ];
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.exitCode = await trainCommand.run(full, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
}

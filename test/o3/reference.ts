/** Loads the e3nn 0.5.6 reference tensors from ../shared/references/e3nn (resolved from the repo root). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const e3nnReferencePath = join(repoRoot, '..', 'shared', 'references', 'e3nn', 'e3nn_0.5.6_reference.json');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
let cache: Json | undefined;
export function e3nnReference(): Json {
  cache ??= JSON.parse(readFileSync(e3nnReferencePath, 'utf8'));
  return cache;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function flat(x: unknown): number[] {
  return (x as unknown[]).flat(Infinity as 1) as number[];
}

// Shared test data access for engine tests: real datasets from ../shared/datasets (gzip extended XYZ).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { readText } from '../../core/formats/read-text';
import { extxyzFormat } from '../../core/formats/xyz/index';
import type { Structure } from '../../core/structure/structure';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const datasetsDir = join(repoRoot, '..', 'shared', 'datasets');

/** Reads frames [start, start+count) of a gzip extxyz dataset file (path relative to shared/datasets). */
export function readDataset(relativePath: string, count = Infinity, start = 0): Structure[] {
  const text = gunzipSync(readFileSync(join(datasetsDir, relativePath))).toString('utf8');
  const { structures, errors } = readText(text, relativePath, extxyzFormat);
  if (errors.length > 0) throw new Error(`${relativePath}: ${errors.length} unreadable records, first: ${errors[0]!.message}`);
  return structures.slice(start, start + count);
}

// Reads frames of the shared extxyz.gz datasets (../shared/datasets beside the repo) with the project's extxyz reader.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Structure } from '../../core/structure';
import { readText } from '../../core/formats/read-text';
import { extxyzFormat } from '../../core/formats/xyz';
import { REPO_ROOT } from '../helpers/browser';
import type { PlainStructure } from './pages/viewer-page';

export const DATASETS_DIR = join(REPO_ROOT, '..', 'shared', 'datasets');

/** The first `count` frames of a dataset file (path relative to shared/datasets). */
export function readFrames(relativePath: string, count: number): Structure[] {
  const path = join(DATASETS_DIR, relativePath);
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  let line = 0;
  const parts: string[] = [];
  for (let frame = 0; frame < count && line < lines.length; frame++) {
    const atoms = Number(lines[line]);
    parts.push(lines.slice(line, line + atoms + 2).join('\n'));
    line += atoms + 2;
  }
  const { structures, errors } = readText(parts.join('\n') + '\n', path, extxyzFormat);
  if (errors.length > 0) throw new Error(`${relativePath}: ${errors[0]!.message} (line ${errors[0]!.line})`);
  return structures;
}

export function toPlain(structure: Structure): PlainStructure {
  return {
    name: structure.name,
    numbers: Array.from(structure.numbers),
    positions: Array.from(structure.positions),
    ...(structure.cell ? { cell: Array.from(structure.cell), pbc: [...structure.pbc] as [boolean, boolean, boolean] } : {}),
  };
}

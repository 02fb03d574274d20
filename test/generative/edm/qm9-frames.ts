// The first frames of the QM9 GFN2-xTB equilibrium set (../shared/datasets/qm9_xtb), read without
// decompressing the whole 71 MB file: the gzip stream stops once `count` frames are in.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readText } from '../../../core/formats/read-text';
import { extxyzFormat } from '../../../core/formats/xyz/index';
import type { Structure } from '../../../core/structure/structure';

const file = join(fileURLToPath(new URL('../../..', import.meta.url)), '..', 'shared', 'datasets', 'qm9_xtb', 'qm9_xtb_equilibrium.extxyz.gz');

/** Frames [0, count) of the QM9 xtb equilibrium file. */
export async function qm9Frames(count: number): Promise<Structure[]> {
  const lines: string[] = [];
  let pending = '';
  let frames = 0;
  let nextFrameLine = 0;
  const stream = createReadStream(file).pipe(createGunzip());
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const parts = (pending + chunk.toString('utf8')).split('\n');
    pending = parts.pop()!;
    for (const line of parts) {
      if (lines.length === nextFrameLine) {
        if (frames === count) break;
        frames++;
        nextFrameLine += Number.parseInt(line, 10) + 2;
      }
      lines.push(line);
    }
    if (frames === count && lines.length >= nextFrameLine) break;
  }
  stream.destroy();
  const { structures, errors } = readText(lines.slice(0, nextFrameLine).join('\n') + '\n', 'qm9_xtb_equilibrium.extxyz.gz', extxyzFormat);
  if (errors.length > 0) throw new Error(`QM9 frames: ${errors[0]!.message}`);
  return structures.slice(0, count);
}

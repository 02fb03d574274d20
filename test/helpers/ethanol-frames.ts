/** Frames of the rMD17 ethanol trajectory (../shared/datasets/botnet_ethanol_rmd17), read where it lies. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The first `count` frames of the gzipped extended-XYZ file at `path`, as the file's own lines; each is ethanol's 9 atoms. */
export function ethanolFramesText(path: string, count: number): string {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const out: string[] = [];
  for (let frame = 0, at = 0; frame < count; frame++) {
    const atoms = Number(lines[at]);
    assert.equal(atoms, 9, `frame ${frame + 1} is ethanol`);
    out.push(...lines.slice(at, at + atoms + 2));
    at += atoms + 2;
  }
  return out.join('\n') + '\n';
}

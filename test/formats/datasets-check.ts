// Test helper: reads every frame of one shared extxyz.gz file and checks it against the raw text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { extxyzFormat } from '../../core/formats/xyz/index';
import type { RecordChunk } from '../../core/formats/format';
import { streamChunks } from './datasets-stream';

export function manifestCount(path: string): number {
  const manifest = JSON.parse(readFileSync(join(dirname(path), 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const count = manifest[basename(path)];
  assert.equal(typeof count, 'number', `manifest.json lists ${basename(path)}`);
  return count as number;
}

/**
 * Streams the file, parses every frame, and checks: frame count = manifest, no errors, atom counts, the
 * `energy` value against the comment text, and (every `forceStride` frames) positions/forces against the
 * atom lines split independently.
 */
export async function checkExtxyzFile(path: string, forceStride = 50): Promise<{ frames: number; atoms: number; energies: number }> {
  const expected = manifestCount(path);
  let frames = 0;
  let atoms = 0;
  let energies = 0;
  const errors: string[] = [];
  const check = (chunk: RecordChunk) => {
    let s;
    try {
      s = extxyzFormat.parseRecord(chunk, path);
    } catch (error) {
      errors.push(String(error));
      return;
    }
    const n = Number(chunk.lines[0]!.trim());
    assert.equal(s.numbers.length, n);
    atoms += n;
    const energyText = /(?:^|\s)energy=(\S+)/.exec(chunk.lines[1]!)?.[1];
    if (energyText !== undefined) {
      assert.equal(s.properties['energy'], Number(energyText), `frame ${frames} energy`);
      energies++;
    }
    if (frames % forceStride === 0 || frames === expected - 1) {
      const forces = s.atomArrays['forces'];
      const hasForces = chunk.lines[1]!.includes(':forces:R:3');
      assert.equal(forces !== undefined, hasForces);
      for (let i = 0; i < n; i++) {
        const cols = chunk.lines[2 + i]!.trim().split(/\s+/);
        for (let k = 0; k < 3; k++) assert.equal(s.positions[3 * i + k], Number(cols[1 + k]));
        if (forces && forces.kind === 'float') for (let k = 0; k < 3; k++) assert.equal(forces.data[3 * i + k], Number(cols[4 + k]));
      }
    }
    frames++;
  };
  const records = await streamChunks(path, extxyzFormat, check);
  assert.deepEqual(errors, []);
  assert.equal(records, expected, `${basename(path)}: records`);
  assert.equal(frames, expected, `${basename(path)}: frames`);
  return { frames, atoms, energies };
}

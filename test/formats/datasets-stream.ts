// Test helper: streams a gzip text file line by line (flat memory), as the batch pipeline does.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordChunk, StructureFormat } from '../../core/formats/format';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const datasetsDir = join(repoRoot, '..', 'shared', 'datasets');

/** Lines of a .gz text file, without line terminators. */
export async function* gzipLines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
  stream.setEncoding('utf8');
  let rest = '';
  for await (const piece of stream as AsyncIterable<string>) {
    const text = rest + piece;
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const p of parts) yield p.endsWith('\r') ? p.slice(0, -1) : p;
  }
  if (rest !== '') yield rest;
}

/** Feeds a gzip file through a format's splitter; calls `onChunk` for every record. */
export async function streamChunks(path: string, format: StructureFormat, onChunk: (chunk: RecordChunk) => void): Promise<number> {
  const splitter = format.createSplitter();
  let count = 0;
  for await (const line of gzipLines(path)) {
    const chunk = splitter.push(line);
    if (chunk) {
      onChunk(chunk);
      count++;
    }
  }
  const last = splitter.end();
  if (last) {
    onChunk(last);
    count++;
  }
  return count;
}

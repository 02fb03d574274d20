import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { bytesSource, InputReadError, isGzip, lineBatches, linesFromChunks, readHead, type ByteSource } from '../../core/io/lines';
import { seededRandom } from '../helpers/fuzz';

async function collect(source: ByteSource): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const { text, line } of linesFromChunks(source)) out.push([line, text]);
  return out;
}

/** Cuts bytes at the given offsets (test-chosen chunk boundaries). */
function cutAt(bytes: Uint8Array, cuts: number[]): ByteSource {
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i + 1 < points.length; i++) yield bytes.slice(points[i], points[i + 1]);
    },
  };
}

test('lines split across every possible chunk boundary come out whole and numbered', async () => {
  const text = 'alpha\nbeta\r\ngamma\rdelta\n\né漢字\r\n';
  const expected: Array<[number, string]> = [[1, 'alpha'], [2, 'beta'], [3, 'gamma'], [4, 'delta'], [5, ''], [6, 'é漢字']];
  const bytes = new TextEncoder().encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(await collect(cutAt(bytes, [cut])), expected, `cut at byte ${cut}`);
  }
  // one byte per chunk: CR and LF always arrive separately, multi-byte characters are split
  assert.deepEqual(await collect(bytesSource(bytes, 1)), expected);
});

test('CRLF counts as one line break, a lone CR as one, and the last line needs no newline', async () => {
  assert.deepEqual(await collect(bytesSource('a\r\n\r\nb\rc')), [[1, 'a'], [2, ''], [3, 'b'], [4, 'c']]);
  assert.deepEqual(await collect(bytesSource('x\r')), [[1, 'x']]);
  assert.deepEqual(await collect(bytesSource('x\r', 1)), [[1, 'x']]);
  assert.deepEqual(await collect(bytesSource('')), []);
  assert.deepEqual(await collect(bytesSource('\n')), [[1, '']]);
});

test('a UTF-8 byte order mark is dropped, also when it arrives one byte at a time', async () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('3\nwater\n')]);
  assert.deepEqual(await collect(bytesSource(bytes, 1)), [[1, '3'], [2, 'water']]);
  assert.deepEqual(await collect(bytesSource(bytes)), [[1, '3'], [2, 'water']]);
});

test('gzip is recognised by its magic bytes and inflated, also in tiny chunks and as concatenated members', async () => {
  const text = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`).join('\n') + '\n';
  const gz = new Uint8Array(gzipSync(text));
  assert.ok(isGzip(gz));
  const lines = await collect(bytesSource(gz, 7));
  assert.equal(lines.length, 5000);
  assert.deepEqual(lines[4321], [4322, `line 4321 ${'x'.repeat(4321 % 37)}`]);
  const twoMembers = new Uint8Array([...gzipSync('a\nb\n'), ...gzipSync('c\n')]);
  assert.deepEqual(await collect(bytesSource(twoMembers, 3)), [[1, 'a'], [2, 'b'], [3, 'c']]);
});

test('a truncated gzip stream fails with an InputReadError after yielding what was intact', async () => {
  const text = Array.from({ length: 20000 }, (_, i) => `row ${i} ${Math.sin(i)}`).join('\n');
  const gz = new Uint8Array(gzipSync(text));
  const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
  let count = 0;
  await assert.rejects(async () => {
    for await (const batch of lineBatches(bytesSource(cut, 4096))) count += batch.lines.length;
  }, InputReadError);
  assert.ok(count > 0 && count < 20000, `read ${count} lines before the error`);
});

test('random chunking of a real gzipped extxyz file gives the same lines as reading it whole', async () => {
  const path = resolve('..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'test_dimers.extxyz.gz');
  const gz = new Uint8Array(readFileSync(path));
  const reference = await collect(bytesSource(gz));
  assert.ok(reference.length > 100);
  assert.match(reference[1]![1], /Properties=/);
  const random = seededRandom(7);
  const cuts = Array.from({ length: 200 }, () => Math.floor(random() * gz.length));
  assert.deepEqual(await collect(cutAt(gz, cuts)), reference);
  // and through a Node fs stream with a small buffer
  assert.deepEqual(await collect(createReadStream(path, { highWaterMark: 999 }) as AsyncIterable<Uint8Array>), reference);
});

test('readHead decodes the start for sniffing and replays the whole decompressed stream', async () => {
  const text = Array.from({ length: 3000 }, (_, i) => `${i}`).join('\n') + '\n';
  const head = await readHead(bytesSource(new Uint8Array(gzipSync(text)), 100), 1000);
  assert.equal(head.text.length, 1000);
  assert.ok(text.startsWith(head.text));
  const lines: string[] = [];
  for await (const batch of lineBatches(head.bytes, { gunzip: false })) lines.push(...batch.lines);
  assert.equal(lines.length, 3000);
  assert.equal(lines[2999], '2999');
});

test('a line longer than maxLineLength is an error instead of unbounded memory', async () => {
  const source = bytesSource('short\n' + 'y'.repeat(5000), 100);
  await assert.rejects(async () => {
    for await (const _ of lineBatches(source, { maxLineLength: 1000 })) void _;
  }, /line 2 is longer than 1000/);
});

test('stopping early on a gzip stream releases it without hanging, and the source is closed', async () => {
  const text = Array.from({ length: 200000 }, (_, i) => `line ${i} ${Math.cos(i)}`).join('\n');
  const gz = new Uint8Array(gzipSync(text));
  let closed = 0;
  const source: ByteSource = {
    async *[Symbol.asyncIterator]() {
      try {
        for (let o = 0; o < gz.length; o += 1000) yield gz.subarray(o, o + 1000);
      } finally {
        closed++;
      }
    },
  };
  for (let round = 0; round < 5; round++) {
    let seen = 0;
    for await (const batch of lineBatches(source)) {
      seen += batch.lines.length;
      if (seen > 1000 * (round + 1)) break;
    }
    assert.ok(seen > 1000 * (round + 1) && seen < 200000);
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(closed, 5);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { OPEN_PHASES, type OpenProgress } from '../../core/contract/equimol-api';
import { EquimolSession, UnknownOpenError } from '../../core/session/session';

const root = fileURLToPath(new URL('../..', import.meta.url));
const encode = (text: string) => new TextEncoder().encode(text);
const rutileBytes = new Uint8Array(readFileSync(join(root, 'assets/examples/rutile.cif')));

/** `frames` water frames as extended XYZ, each with an energy (enough frames to take several slices to parse). */
function waterFrames(frames: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < frames; i++) {
    const dx = (i % 97) * 0.001;
    parts.push(
      `3\nProperties=species:S:1:pos:R:3 energy=${(-14.2 - i * 1e-4).toFixed(6)} pbc="F F F"\n` +
        `O ${(0 + dx).toFixed(4)} 0.0000 0.1173\nH 0.0000 ${(0.7572 + dx).toFixed(4)} -0.4692\nH 0.0000 -0.7572 -0.4692\n`,
    );
  }
  return encode(parts.join(''));
}

/** Small molecules that openchemlib embeds quickly. */
const SMILES = ['CCO ethanol', 'CC(=O)O acetic_acid', 'c1ccccc1 benzene', 'CCN ethylamine', 'OCCO glycol', 'CC#N acetonitrile'];

function recorder(session: EquimolSession) {
  const events: OpenProgress[] = [];
  session.subscribe((e) => {
    if (e.type === 'open-progress') events.push(e.progress);
  });
  return {
    events,
    of: (file: string) => events.filter((p) => p.file === file),
  };
}

/** Checks one open's events: phases never go back, progress within a phase never drops, and only the last is final. */
function assertMonotonic(events: readonly OpenProgress[]): void {
  assert.ok(events.length >= 2, `${events.length} events`);
  assert.ok(events.every((p) => p.openId === events[0]!.openId));
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1]!, events[i]!];
    const [pa, pb] = [OPEN_PHASES.indexOf(a.phase), OPEN_PHASES.indexOf(b.phase)];
    assert.ok(pb >= pa, `phase went back from ${a.phase} to ${b.phase}`);
    if (pa === pb) assert.ok(b.completed >= a.completed, `${b.phase}: ${b.completed} after ${a.completed}`);
    assert.ok(b.bytesRead >= a.bytesRead && b.records >= a.records && b.elapsedMs >= a.elapsedMs);
  }
  assert.deepEqual(events.map((p) => p.done), [...events.slice(0, -1).map(() => false), true]);
  assert.ok(events.slice(0, -1).every((p) => p.state === 'running'));
}

test('opening a large file streams monotonic progress through its phases that ends at the total with the document', async () => {
  const session = new EquimolSession();
  const { events, of } = recorder(session);
  const bytes = waterFrames(20_000);
  const result = await session.openFiles([{ name: 'water.extxyz', bytes }]);
  const doc = result.documents[0]!;
  assert.equal(doc.recordCount, 20_000);
  const mine = of('water.extxyz');
  assertMonotonic(mine);
  assert.equal(mine[0]!.phase, 'reading');
  assert.equal(mine[0]!.completed, 0);
  assert.ok(mine.some((p) => p.phase === 'parsing' && p.state === 'running' && p.records > 0 && p.records < 20_000), 'a progress event mid-parse');
  const last = mine.at(-1)!;
  assert.equal(last.state, 'done');
  assert.equal(last.phase, 'parsing');
  assert.equal(last.unit, 'bytes');
  assert.equal(last.completed, last.total);
  assert.equal(last.total, bytes.byteLength);
  assert.equal(last.bytesRead, bytes.byteLength);
  assert.equal(last.records, 20_000);
  assert.equal(last.document?.id, doc.id);
  assert.equal(events.length, mine.length);
  assert.equal(result.cancelled, undefined);
});

test('a gzipped file reports compressed bytes read up to its compressed size', async () => {
  const session = new EquimolSession();
  const { of } = recorder(session);
  const bytes = new Uint8Array(gzipSync(waterFrames(5000)));
  const doc = (await session.openFiles([{ name: 'water.extxyz.gz', bytes }])).documents[0]!;
  assert.equal(doc.recordCount, 5000);
  const mine = of('water.extxyz.gz');
  assertMonotonic(mine);
  assert.ok(mine.every((p) => p.totalBytes === bytes.byteLength && p.bytesRead <= bytes.byteLength));
  assert.equal(mine.at(-1)!.bytesRead, bytes.byteLength);
});

test('cancelling an open stops it, reports it cancelled at once and keeps no document', async () => {
  const session = new EquimolSession();
  const { of } = recorder(session);
  let cancelled: OpenProgress | undefined;
  session.subscribe((e) => {
    if (e.type === 'open-progress' && e.progress.file === 'big.extxyz' && e.progress.phase === 'parsing' && e.progress.records > 0 && !cancelled) {
      void session.cancelOpen(e.progress.openId).then((p) => (cancelled = p));
    }
  });
  const started = performance.now();
  const result = await session.openFiles([
    { name: 'big.extxyz', bytes: waterFrames(60_000) },
    { name: 'rutile.cif', bytes: rutileBytes },
  ]);
  const elapsed = performance.now() - started;
  assert.equal(cancelled?.state, 'cancelled');
  assert.deepEqual(result.cancelled, ['big.extxyz']);
  assert.deepEqual(result.failures, []);
  assert.deepEqual(result.documents.map((d) => d.name), ['rutile.cif']);
  assert.deepEqual((await session.listDocuments()).map((d) => d.name), ['rutile.cif']);
  const mine = of('big.extxyz');
  assertMonotonic(mine);
  const last = mine.at(-1)!;
  assert.equal(last.state, 'cancelled');
  assert.equal(last.document, undefined);
  assert.ok(last.records < 60_000, `stopped after ${last.records} records`);
  // The reader stopped at its next slice: not after parsing all 60,000 frames.
  const whole = performance.now();
  await session.openFiles([{ name: 'again.extxyz', bytes: waterFrames(60_000) }]);
  assert.ok(elapsed < performance.now() - whole, `cancelled open took ${elapsed.toFixed(0)} ms, a full one ${(performance.now() - whole).toFixed(0)} ms`);
  // A finished open answers with its final state; an unknown id rejects.
  assert.equal((await session.cancelOpen(last.openId)).state, 'cancelled');
  assert.equal((await session.cancelOpen(of('rutile.cif').at(-1)!.openId)).state, 'done');
  await assert.rejects(session.cancelOpen('open-999'), UnknownOpenError);
});

test('a SMILES file opened with a CIF embeds in the background: the CIF document arrives first', async () => {
  const session = new EquimolSession();
  const { events, of } = recorder(session);
  const result = await session.openFiles([
    { name: 'small.smi', bytes: encode(SMILES.join('\n') + '\n') },
    { name: 'rutile.cif', bytes: rutileBytes },
  ]);
  assert.deepEqual(result.documents.map((d) => d.name), ['small.smi', 'rutile.cif']);
  assert.equal(result.documents[0]!.recordCount, SMILES.length);
  const cifDone = events.findIndex((p) => p.file === 'rutile.cif' && p.state === 'done');
  const smilesDone = events.findIndex((p) => p.file === 'small.smi' && p.state === 'done');
  const firstEmbedded = events.findIndex((p) => p.file === 'small.smi' && p.phase === 'embedding' && p.completed > 0);
  assert.ok(cifDone >= 0 && cifDone < smilesDone, 'the CIF finished before the SMILES file');
  assert.ok(cifDone < firstEmbedded, 'no molecule was embedded before the CIF was ready');
  const smi = of('small.smi');
  assertMonotonic(smi);
  const embedding = smi.filter((p) => p.phase === 'embedding');
  assert.ok(embedding.length >= 2);
  assert.ok(embedding.every((p) => p.unit === 'records' && p.total === SMILES.length));
  assert.equal(smi.at(-1)!.completed, SMILES.length);
  assert.equal(smi.at(-1)!.records, SMILES.length);
});

test('SMILES embedding waits while a large file parses, and cancelling it mid-embedding keeps nothing', async () => {
  const session = new EquimolSession({ openEventIntervalMs: 0 }); // an event per embedded molecule
  const { events, of } = recorder(session);
  let asked = false;
  session.subscribe((e) => {
    if (e.type === 'open-progress' && e.progress.file === 'small.smi' && e.progress.phase === 'embedding' && e.progress.completed >= 2 && !asked) {
      asked = true;
      void session.cancelOpen(e.progress.openId);
    }
  });
  const result = await session.openFiles([
    { name: 'small.smi', bytes: encode(SMILES.join('\n')) },
    { name: 'water.extxyz', bytes: waterFrames(10_000) },
  ]);
  assert.deepEqual(result.documents.map((d) => d.name), ['water.extxyz']);
  assert.deepEqual(result.cancelled, ['small.smi']);
  const waterDone = events.findIndex((p) => p.file === 'water.extxyz' && p.state === 'done');
  const firstEmbedded = events.findIndex((p) => p.file === 'small.smi' && p.phase === 'embedding' && p.completed > 0);
  assert.ok(waterDone >= 0 && waterDone < firstEmbedded, 'embedding started only once the large file was parsed');
  const smi = of('small.smi');
  assertMonotonic(smi);
  assert.equal(smi.at(-1)!.state, 'cancelled');
  assert.equal(smi.at(-1)!.completed, 2, 'stopped before the third molecule');
  assert.deepEqual((await session.listDocuments()).map((d) => d.name), ['water.extxyz']);
});

test('bad records still give line-numbered errors, and an unreadable file a failed final state', async () => {
  const session = new EquimolSession();
  const { of } = recorder(session);
  const smi = encode('CCO ethanol\nC1CC bad_ring\nc1ccccc1 benzene\nnot_a_smiles(((\n');
  const xyz = encode('1\nfirst\nO 0 0 0\n2\nsecond\nH 0 0 0\nH 0 0 zero\n1\nthird\nC 0 0 0\n');
  const result = await session.openFiles([
    { name: 'mixed.smi', bytes: smi },
    { name: 'frames.xyz', bytes: xyz },
    { name: 'notes.unknownext', bytes: encode('\u0000\u0001 nothing here') },
  ]);
  const [smiDoc, xyzDoc] = result.documents;
  assert.equal(smiDoc?.recordCount, 2);
  assert.deepEqual(smiDoc?.errors.map((e) => e.line), [2, 4]);
  assert.equal(xyzDoc?.recordCount, 2);
  assert.deepEqual(xyzDoc?.errors.map((e) => e.line), [7]);
  assert.equal(result.failures.length, 1);
  assert.equal(result.failures[0]!.file, 'notes.unknownext');
  const failed = of('notes.unknownext').at(-1)!;
  assert.equal(failed.state, 'failed');
  assert.equal(failed.message, result.failures[0]!.message);
  assert.equal(of('mixed.smi').at(-1)!.failedRecords, 2);
});

test('a SMILES open cancelled while it waits for another file to parse ends at once, before that file', async () => {
  const session = new EquimolSession();
  const { events } = recorder(session);
  let asked = false;
  session.subscribe((e) => {
    if (e.type === 'open-progress' && e.progress.file === 'small.smi' && e.progress.phase === 'embedding' && !asked) {
      asked = true;
      void session.cancelOpen(e.progress.openId);
    }
  });
  const big = session.openFiles([{ name: 'water.extxyz', bytes: waterFrames(20_000) }]);
  const smiles = await session.openFiles([{ name: 'small.smi', bytes: encode(SMILES.join('\n')) }]);
  assert.deepEqual(smiles.cancelled, ['small.smi']);
  assert.equal(events.findIndex((p) => p.file === 'water.extxyz' && p.state === 'done'), -1, 'the large file was still parsing');
  assert.equal((await big).documents[0]!.recordCount, 20_000);
});

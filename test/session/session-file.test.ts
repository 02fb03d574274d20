/**
 * Session files (core/session/session-file.ts): what a session keeps of each open file (path, embedded bytes, or
 * the name), the round trip through JSON bytes, and every kind of bad input rejected with the field it is in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, LIMITS, type DocumentInfo } from '../../core/contract/equimol-api';
import { decodeBase64, encodeBase64 } from '../../core/io/base64';
import {
  buildSessionContents,
  parseSession,
  serializeSession,
  SessionFileError,
  sessionFileName,
  type SessionContents,
} from '../../core/session/session-file';

function info(id: string, name: string, extra: Partial<DocumentInfo> = {}): DocumentInfo {
  return {
    id,
    name,
    format: 'xyz',
    formatName: 'XYZ',
    byteLength: 10,
    gzipped: false,
    recordCount: 3,
    errorCount: 0,
    errors: [],
    periodic: false,
    columns: [],
    readMs: 1,
    ...extra,
  };
}

const APP = { name: 'Equimol', version: '0.1.0', platform: 'web' as const };
const bytesOf = (text: string) => new TextEncoder().encode(text);

function sample(): SessionContents {
  return buildSessionContents({
    sources: [
      { info: info('doc-1', 'water.xyz'), bytes: bytesOf('3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n') },
      { info: info('doc-2', 'nacl.cif', { path: '/data/nacl.cif' }) },
      { info: info('doc-3', 'relaxed.xyz', { origin: { kind: 'relaxed', jobId: 'job-1', jobKind: 'relax', sourceDocId: 'doc-1', calculator: 'lj', live: false } }) },
    ],
    view: {
      activeDocId: 'doc-2',
      documents: [
        { docId: 'doc-1', selectedRecord: 2, supercell: [1, 1, 1] },
        { docId: 'doc-2', selectedRecord: 0, supercell: [2, 3, 1] },
      ],
      measurements: [{ docId: 'doc-1', record: 2, atoms: [0, 1] }],
    },
    settings: { ...DEFAULT_SETTINGS, theme: 'dark', viewerStyle: 'spacefill' },
    app: APP,
    savedAt: '2026-12-02T10:00:00.000Z',
  });
}

/** The JSON of the sample session, to break one field at a time. */
function sampleJson(): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(serializeSession(sample()))) as Record<string, unknown>;
}

function rejects(text: string, field: string, message: RegExp): void {
  assert.throws(
    () => parseSession(bytesOf(text)),
    (error: unknown) => {
      assert.ok(error instanceof SessionFileError, `a SessionFileError, got ${String(error)}`);
      assert.equal(error.field, field);
      assert.match(error.message, message);
      assert.ok(error.message.startsWith('session file: '), error.message);
      return true;
    },
  );
}

function withField(path: (json: Record<string, unknown>) => void): string {
  const json = sampleJson();
  path(json);
  return JSON.stringify(json);
}

test('a session keeps a file opened from disk by path, one opened from bytes embedded, and leaves job documents out', () => {
  const contents = sample();
  assert.equal(contents.documents.length, 2);
  const [water, nacl] = contents.documents;
  assert.equal(water!.path, undefined);
  assert.equal(new TextDecoder().decode(water!.bytes), '3\nwater\nO 0 0 0\nH 0 0 1\nH 0 1 0\n');
  assert.equal(water!.selectedRecord, 2);
  assert.equal(nacl!.path, '/data/nacl.cif');
  assert.equal(nacl!.bytes, undefined);
  assert.deepEqual(nacl!.supercell, [2, 3, 1]);
  assert.equal(contents.activeDocument, 1);
  assert.deepEqual(contents.measurements, [{ document: 0, record: 2, atoms: [0, 1] }]);
  assert.equal(contents.theme, 'dark');
  assert.equal(contents.viewerStyle, 'spacefill');
  assert.equal(sessionFileName(contents), 'nacl.equimol-session.json');
});

test('serialising then parsing gives the same session back, embedded bytes included', () => {
  const contents = sample();
  const parsed = parseSession(serializeSession(contents));
  assert.deepEqual(parsed, contents);
  const json = sampleJson();
  assert.equal(json['format'], 'equimol-session');
  assert.equal(json['version'], 1);
  const docs = json['documents'] as Array<Record<string, unknown>>;
  assert.equal(typeof docs[0]!['bytesBase64'], 'string');
});

test('a file over the embedding limit is kept by name only, and embedding stops at the total limit', () => {
  const big = new Uint8Array(LIMITS.maxSessionEmbedBytes + 1);
  const quarter = new Uint8Array(LIMITS.maxSessionEmbedTotalBytes / 4);
  const sources = [
    { info: info('doc-1', 'huge.xyz'), bytes: big },
    ...[2, 3, 4, 5, 6].map((i) => ({ info: info(`doc-${i}`, `part${i}.xyz`), bytes: quarter })),
  ];
  const contents = buildSessionContents({ sources, view: { activeDocId: null, documents: [] }, settings: DEFAULT_SETTINGS, app: APP, savedAt: 'now' });
  assert.equal(contents.documents[0]!.bytes, undefined, 'too large for one file');
  assert.equal(contents.documents[0]!.byteLength, 10, 'the size the document reported');
  assert.deepEqual(contents.documents.slice(1).map((d) => d.bytes !== undefined), [true, true, true, true, false]);
  assert.deepEqual(contents.documents.map((d) => [d.selectedRecord, d.supercell]), sources.map(() => [null, [1, 1, 1]]));
  assert.equal(contents.activeDocument, null);
});

test('base64 round-trips every byte value and every padding length, and rejects bad text naming the position', () => {
  for (const length of [0, 1, 2, 3, 4, 5, 256, 1000]) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) % 256);
    assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  }
  assert.equal(encodeBase64(bytesOf('Man')), 'TWFu');
  assert.equal(encodeBase64(bytesOf('Ma')), 'TWE=');
  assert.throws(() => decodeBase64('TWF'), /multiple of 4/);
  assert.throws(() => decodeBase64('TW=u'), /position 2/);
  assert.throws(() => decodeBase64('TW u'), /position 2/);
});

test('text that is not a session file is rejected: not JSON, not UTF-8, another format', () => {
  rejects('{"format": ', '', /is not JSON/);
  assert.throws(() => parseSession(new Uint8Array([0x7b, 0xff, 0x7d])), /is not UTF-8 text/);
  rejects('[1, 2]', '', /must be a JSON object/);
  rejects(withField((j) => (j['format'] = 'something-else')), 'format', /not an Equimol session file/);
});

test('a wrong version is rejected with what this app reads', () => {
  rejects(withField((j) => (j['version'] = 2)), 'version', /2 is newer than this Equimol reads \(1\)/);
  rejects(withField((j) => (j['version'] = 0)), 'version', /0 is not a session file version/);
  rejects(withField((j) => (j['version'] = '1')), 'version', /must be an integer/);
  rejects(withField((j) => delete j['version']), 'version', /must be an integer, got nothing/);
});

test('a missing or unknown field is rejected naming it', () => {
  rejects(withField((j) => delete j['theme']), 'theme', /must be one of 'system', 'light', 'dark'/);
  rejects(withField((j) => delete (j['documents'] as Array<Record<string, unknown>>)[1]!['supercell']), 'documents[1].supercell', /must be an array/);
  rejects(withField((j) => delete (j['documents'] as Array<Record<string, unknown>>)[0]!['name']), 'documents[0].name', /must be a string/);
  rejects(withField((j) => (j['extra'] = true)), '', /has unknown field 'extra'/);
  rejects(withField((j) => delete j['documents']), 'documents', /must be an array/);
});

test('non-finite and out-of-range numbers are rejected naming the field', () => {
  // JSON has no NaN or Infinity, but 1e999 reads as Infinity.
  const infinite = JSON.stringify(sampleJson()).replace('"selectedRecord":2', '"selectedRecord":1e999');
  rejects(infinite, 'documents[0].selectedRecord', /must be an integer, got Infinity/);
  rejects(withField((j) => ((j['documents'] as Array<Record<string, unknown>>)[1]!['supercell'] = [1, 0, 1])), 'documents[1].supercell[1]', /must be in 1\.\.16, got 0/);
  rejects(withField((j) => ((j['documents'] as Array<Record<string, unknown>>)[1]!['supercell'] = [1, 1.5, 1])), 'documents[1].supercell[1]', /must be an integer/);
  rejects(withField((j) => (j['activeDocument'] = 5)), 'activeDocument', /must be below the number of documents \(2\), got 5/);
  rejects(withField((j) => ((j['measurements'] as Array<Record<string, unknown>>)[0]!['document'] = 2)), 'measurements[0].document', /below the number of documents/);
  rejects(withField((j) => ((j['measurements'] as Array<Record<string, unknown>>)[0]!['atoms'] = [1])), 'measurements[0].atoms', /at least 2/);
});

test('embedded bytes must be base64 of the stated size, and a file has a path or bytes, not both', () => {
  const docs = (j: Record<string, unknown>) => j['documents'] as Array<Record<string, unknown>>;
  rejects(withField((j) => (docs(j)[0]!['bytesBase64'] = 'not base64!')), 'documents[0].bytesBase64', /is not base64/);
  rejects(withField((j) => (docs(j)[0]!['byteLength'] = 3)), 'documents[0].bytesBase64', /decodes to 32 bytes, but byteLength is 3/);
  rejects(withField((j) => (docs(j)[1]!['bytesBase64'] = 'TWFu')), 'documents[1]', /has both path and bytesBase64/);
});

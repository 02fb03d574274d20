import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelOf, EQUIMOL_CHANNELS, EQUIMOL_METHODS, LIMITS } from '../../core/contract/equimol-api';
import { ContractError, methodForChannel, validateArguments, validateCall } from '../../core/contract/validate';

const bytes = (n: number) => new Uint8Array(n);

test('every contract method has a channel and the channel maps back to the method', () => {
  assert.equal(EQUIMOL_CHANNELS.length, EQUIMOL_METHODS.length);
  for (const method of EQUIMOL_METHODS) assert.equal(methodForChannel(channelOf(method)), method);
  assert.equal(new Set(EQUIMOL_CHANNELS).size, EQUIMOL_CHANNELS.length);
});

test('unknown channels are rejected, including prototype names and non-strings', () => {
  for (const channel of ['equimol:deleteEverything', 'equimol:__proto__', 'equimol:toString', 'equimol:subscribe', 'openFiles', 'other:openFiles', 42, null]) {
    assert.throws(() => validateCall(channel, []), (e: unknown) => e instanceof ContractError && /unknown channel/.test(e.message), String(channel));
  }
});

test('well-formed calls pass and come back typed', () => {
  const file = { name: 'a.xyz', bytes: bytes(10) };
  assert.deepEqual(validateCall('equimol:openFiles', [[file]]).args, [[file]]);
  validateArguments('listStructures', ['doc-1', { offset: 0, limit: 100, sortBy: 'atoms', descending: true, filter: { text: 'C6', minAtoms: 1, periodic: false } }]);
  validateArguments('getDepiction', ['doc-1', 3]);
  validateArguments('getDepiction', ['doc-1', 3, { width: 200, height: 100 }]);
  validateArguments('startJob', [{ kind: 'predict', docIds: ['doc-1', 'doc-2'], predictor: 'geometry', batchSize: 32, priority: 2 }], { predictorIds: ['geometry'] });
  validateArguments('setSettings', [{ theme: 'dark', recentFiles: ['/tmp/a.sdf'] }]);
  validateArguments('exportJob', ['job-1', 'csv']);
  validateArguments('getAppInfo', []);
});

test('wrong types are rejected with the method and field named', () => {
  const cases: Array<[Parameters<typeof validateArguments>[0], unknown[], RegExp]> = [
    ['openFiles', ['a.xyz'], /openFiles: files must be an array/],
    ['openFiles', [[{ name: 'a.xyz', bytes: [1, 2, 3] }]], /files\[0\]\.bytes must be a Uint8Array/],
    ['openFiles', [[{ name: 7, bytes: bytes(1) }]], /files\[0\]\.name must be a string/],
    ['getStructure', ['doc-1', '3'], /index must be an integer/],
    ['getStructure', ['doc-1', 1.5], /index must be an integer/],
    ['getStructure', [{ id: 'doc-1' }, 1], /docId must be a string/],
    ['listStructures', ['doc-1', { offset: 0, limit: 10, descending: 'yes' }], /query\.descending must be a boolean/],
    ['exportJob', ['job-1', 'xlsx'], /format must be one of 'csv', 'sdf', 'extxyz'/],
    ['setSettings', [{ theme: 'purple' }], /patch\.theme must be one of/],
    ['setSettings', [{ theme: 'dark', evil: true }], /unknown field 'evil'/],
    ['startJob', [{ kind: 'train', docIds: ['d'], predictor: 'geometry' }], /request\.kind must be 'predict'/],
    ['startJob', [null], /request must be an object/],
    ['saveFile', [{ suggestedName: 'x.csv', bytes: 'text' }], /request\.bytes must be a Uint8Array/],
  ];
  for (const [method, args, pattern] of cases) {
    assert.throws(() => validateArguments(method, args), (e: unknown) => e instanceof ContractError && pattern.test(e.message), `${method} ${pattern}`);
  }
});

test('negative offsets, zero or huge page sizes and out-of-range numbers are rejected', () => {
  assert.throws(() => validateArguments('listStructures', ['doc-1', { offset: -1, limit: 10 }]), /query\.offset must be in 0\.\./);
  assert.throws(() => validateArguments('listStructures', ['doc-1', { offset: 0, limit: 0 }]), /query\.limit must be in 1\.\./);
  assert.throws(() => validateArguments('listStructures', ['doc-1', { offset: 0, limit: LIMITS.maxPageSize + 1 }]), /query\.limit/);
  assert.throws(() => validateArguments('listStructures', ['doc-1', { offset: Number.NaN, limit: 1 }]), /query\.offset must be an integer/);
  assert.throws(() => validateArguments('getStructure', ['doc-1', -3]), /index must be in 0\.\./);
  assert.throws(() => validateArguments('getDepiction', ['doc-1', 0, { width: 1e6 }]), /options\.width must be in 16\.\.4096/);
  assert.throws(() => validateArguments('startJob', [{ kind: 'predict', docIds: ['d'], predictor: 'g', batchSize: 0 }]), /batchSize/);
  assert.throws(() => validateArguments('setSettings', [{ maxConcurrentJobs: 100 }]), /maxConcurrentJobs must be in 1\.\.8/);
});

test('huge sizes and long strings are rejected', () => {
  assert.throws(() => validateArguments('openFiles', [[]]), /at least 1 item/);
  const tooMany = Array.from({ length: LIMITS.maxFilesPerCall + 1 }, (_, i) => ({ name: `f${i}.xyz`, bytes: bytes(1) }));
  assert.throws(() => validateArguments('openFiles', [tooMany]), /too many items/);
  // A fake Uint8Array view reporting a huge byteLength without allocating it.
  const huge = new Uint8Array(1);
  Object.defineProperty(huge, 'byteLength', { value: LIMITS.maxFileBytes + 1 });
  assert.throws(() => validateArguments('openFiles', [[{ name: 'big.xyz', bytes: huge }]]), /files\[0\]\.bytes is too large/);
  assert.throws(() => validateArguments('openPaths', [['/x/' + 'a'.repeat(LIMITS.maxPathLength)]]), /paths\[0\] is too long/);
  assert.throws(() => validateArguments('listStructures', ['doc-1', { offset: 0, limit: 1, filter: { text: 'x'.repeat(LIMITS.maxFilterLength + 1) } }]), /filter\.text is too long/);
  assert.throws(() => validateArguments('getDocument', ['d'.repeat(LIMITS.maxIdLength + 1)]), /docId is too long/);
  assert.throws(() => validateArguments('getDocument', ['']), /docId must have at least 1 character/);
  assert.throws(() => validateArguments('getDocument', ['doc\u00001']), /NUL/);
});

test('unknown predictors are rejected when the known ids are given', () => {
  const request = { kind: 'predict', docIds: ['doc-1'], predictor: 'mace-large' };
  assert.throws(() => validateArguments('startJob', [request], { predictorIds: ['geometry', 'rdkit'] }), /'mace-large' is not a known predictor \(known: geometry, rdkit\)/);
  validateArguments('startJob', [{ ...request, predictor: 'rdkit' }], { predictorIds: ['geometry', 'rdkit'] });
});

test('indices are allowed only with a single document, and extra arguments are rejected', () => {
  assert.throws(() => validateArguments('startJob', [{ kind: 'predict', docIds: ['a', 'b'], predictor: 'g', indices: [0] }]), /indices is allowed only with a single document/);
  assert.throws(() => validateArguments('listDocuments', [1]), /takes at most 0 argument/);
  assert.throws(() => validateArguments('getStructure', ['doc-1', 0, 'extra']), /takes at most 2 argument/);
  // Objects that are not plain (class instances, arrays) are not accepted as records.
  assert.throws(() => validateArguments('setSettings', [new Date()]), /patch must be an object/);
  assert.throws(() => validateArguments('setSettings', [[]]), /patch must be an object/);
});

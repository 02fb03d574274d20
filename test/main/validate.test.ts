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
    ['startJob', [{ kind: 'fit', docIds: ['d'], predictor: 'geometry' }], /request\.kind must be one of 'predict', 'relax', 'md'/],
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

test('well-formed relax and md requests and the new calls pass', () => {
  validateArguments('startJob', [{ kind: 'relax', docIds: ['doc-1'], calculator: 'lj', optimizer: 'lbfgs', fmax: 0.01, maxSteps: 200, fixedAtoms: [0, 2], relaxCell: true, pressureGPa: -1.5 }]);
  validateArguments('startJob', [{ kind: 'md', docId: 'doc-1', index: 3, calculator: 'xtb:gfn2', steps: 1000, every: 5, thermostat: 'csvr', temperature: 0, timestep: 10, seed: -4, tau: 50 }]);
  validateArguments('getColumnValues', ['doc-1', ['energy', 'temperature']]);
  validateArguments('checkCalculators', ['doc-1', [0, 1]]);
  validateArguments('listCalculators', []);
  validateArguments('exportDocument', ['doc-1', 'poscar', [0]]);
  validateArguments('exportJob', ['job-1', 'pdb']);
});

test('bad relax and md requests are rejected with the field and the allowed range named', () => {
  const relax = { kind: 'relax', docIds: ['doc-1'], calculator: 'lj' };
  const md = { kind: 'md', docId: 'doc-1', index: 0, calculator: 'lj', steps: 100 };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...relax, fmax: 0 }, /request\.fmax must be > 0 eV\/Å, got 0/],
    [{ ...relax, fmax: Number.NaN }, /request\.fmax must be a finite number/],
    [{ ...relax, maxSteps: 0 }, /request\.maxSteps must be in 1\.\.100000/],
    [{ ...relax, maxSteps: 100_001 }, /request\.maxSteps must be in 1\.\.100000/],
    [{ ...relax, optimizer: 'bfgs' }, /request\.optimizer must be one of 'anc', 'fire', 'lbfgs'/],
    [{ ...relax, optimizer: 'anc', level: 'medium' }, /request\.level must be one of 'crude'/],
    [{ ...relax, fixedAtoms: [0, 1.5] }, /request\.fixedAtoms\[1\] must be an integer/],
    [{ ...relax, docIds: ['a', 'b'], fixedAtoms: [0] }, /request\.fixedAtoms is allowed only with a single document/],
    [{ ...relax, pressureGPa: Infinity }, /request\.pressureGPa must be a finite number/],
    [{ ...relax, predictor: 'geometry' }, /unknown field 'predictor'/],
    [{ ...md, steps: 0 }, /request\.steps must be in 1\.\.10000000/],
    [{ ...md, steps: 10_000_001 }, /request\.steps must be in 1\.\.10000000/],
    [{ ...md, timestep: 0 }, /request\.timestep must be > 0 fs/],
    [{ ...md, timestep: 12 }, /request\.timestep must be <= 10 fs, got 12/],
    [{ ...md, temperature: -1 }, /request\.temperature must be >= 0 K/],
    [{ ...md, temperature: 20_000 }, /request\.temperature must be <= 10000 K/],
    [{ ...md, every: 0 }, /request\.every must be in 1\.\./],
    [{ ...md, seed: 1.5 }, /request\.seed must be an integer/],
    [{ ...md, friction: Number.NaN }, /request\.friction must be a finite number/],
    [{ ...md, tau: 0 }, /request\.tau must be > 0 fs/],
    [{ ...md, thermostat: 'berendsen' }, /request\.thermostat must be one of 'none', 'langevin', 'csvr', 'nose-hoover'/],
    [{ ...md, index: -1 }, /request\.index must be in 0\.\./],
    [{ kind: 'md', docId: 'doc-1', index: 0, calculator: 'lj' }, /request\.steps must be an integer/],
  ];
  for (const [request, pattern] of cases) {
    assert.throws(() => validateArguments('startJob', [request]), (e: unknown) => e instanceof ContractError && pattern.test(e.message), `${JSON.stringify(request)} ${pattern}`);
  }
  assert.throws(() => validateArguments('getColumnValues', ['doc-1', []]), /keys must have at least 1 item/);
  assert.throws(() => validateArguments('checkCalculators', ['doc-1', [-1]]), /indices\[0\] must be in 0\.\./);
});

test('unknown calculators are rejected when the known ids are given', () => {
  const request = { kind: 'md', docId: 'doc-1', index: 0, calculator: 'xtb:gfn7', steps: 10 };
  assert.throws(() => validateArguments('startJob', [request], { calculatorIds: ['lj', 'xtb:gfn2'] }), /request\.calculator 'xtb:gfn7' is not a known calculator \(known: lj, xtb:gfn2\)/);
  validateArguments('startJob', [{ ...request, calculator: 'lj' }], { calculatorIds: ['lj', 'xtb:gfn2'] });
  // Predictor ids do not constrain calculator jobs, nor calculator ids predict jobs.
  validateArguments('startJob', [{ ...request, calculator: 'lj' }], { predictorIds: ['geometry'] });
  validateArguments('startJob', [{ kind: 'predict', docIds: ['d'], predictor: 'geometry' }], { calculatorIds: ['lj'] });
});

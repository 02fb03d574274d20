/**
 * The session contribution's pure half (renderer/app/commands/session-view.ts): the view saved from the store, the
 * store after a session opened, and restored measurements measured on their structure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, type SessionOpenResult } from '../../core/contract/equimol-api';
import { createStructure } from '../../core/structure';
import { memoryOf, openedSessionPatch, restoredMeasurements, sessionViewOf } from '../../renderer/app/commands/session-view';
import { createAppStore, initialAppState } from '../../renderer/app/state/app-state';
import { doc } from './app-fixtures';

test('the saved view has the active record, the last record of the others, supercells, and leaves job documents out', () => {
  const store = createAppStore();
  const memory = memoryOf(store);
  memory.records.set('b', 7);
  const trajectory = doc('t', 5, { origin: { kind: 'trajectory', jobId: 'j', jobKind: 'md', sourceDocId: 'a', sourceIndex: 0, calculator: 'lj', live: false } });
  const state = {
    ...initialAppState(),
    documents: [doc('a', 10), doc('b', 10), doc('c', 10), trajectory],
    activeDocId: 'a',
    selected: { docId: 'a', index: 2 },
    supercells: new Map([['b', [2, 1, 3] as const]]),
    measurements: [
      { measurement: { atoms: [0, 1] }, result: { kind: 'distance' as const, value: 1, unit: 'Å' as const } },
      { measurement: { atoms: [0, 1], images: [[0, 0, 0], [99, 0, 0]] as const }, result: { kind: 'distance' as const, value: 9, unit: 'Å' as const } },
    ],
  };
  const view = sessionViewOf(state, memory);
  assert.equal(view.activeDocId, 'a');
  assert.deepEqual(view.documents, [
    { docId: 'a', selectedRecord: 2, supercell: [1, 1, 1] },
    { docId: 'b', selectedRecord: 7, supercell: [2, 1, 3] },
    { docId: 'c', selectedRecord: null, supercell: [1, 1, 1] },
  ]);
  assert.deepEqual(view.measurements, [{ docId: 'a', record: 2, atoms: [0, 1] }], 'an image beyond the session bounds is not saved');
  assert.equal(sessionViewOf({ ...state, activeDocId: 't' }, memory).activeDocId, null, 'a job document is not a session document');
});

test('an opened session lists its documents, activates one at its record and keeps the others for later', () => {
  const store = createAppStore();
  const memory = memoryOf(store);
  const result: SessionOpenResult = {
    documents: [doc('x', 20), doc('y', 4)],
    failures: [],
    activeDocId: 'x',
    views: [
      { docId: 'x', selectedRecord: 4, supercell: [1, 1, 1] },
      { docId: 'y', selectedRecord: 3, supercell: [2, 2, 2] },
    ],
    measurements: [{ docId: 'x', record: 4, atoms: [0, 1] }],
    settings: { ...DEFAULT_SETTINGS, theme: 'dark', viewerStyle: 'sticks', showLabels: true },
  };
  const patch = openedSessionPatch({ ...initialAppState(), documents: [doc('old')], filterText: 'zz' }, result, memory);
  assert.deepEqual(patch.documents?.map((d) => d.id), ['old', 'x', 'y']);
  assert.equal(patch.activeDocId, 'x');
  assert.equal(patch.selectedRow, 4);
  assert.deepEqual(patch.sort, { key: 'index', descending: false });
  assert.equal(patch.filterText, '');
  assert.deepEqual(patch.supercells?.get('y'), [2, 2, 2]);
  assert.equal(patch.theme, 'dark');
  assert.equal(patch.style, 'licorice');
  assert.equal(patch.labels, 'element');
  assert.deepEqual([...memory.pending], [['y', 3]]);
  assert.deepEqual(memory.pendingMeasurements, result.measurements);
});

test('restored measurements are measured on their own record, periodic images shifted by the cell; misfits are dropped', () => {
  const structure = createStructure({ name: 'pair', numbers: [1, 1], positions: [0, 0, 0, 0, 0, 1], cell: [3, 0, 0, 0, 3, 0, 0, 0, 3] });
  const pending = [
    { docId: 'x', record: 4, atoms: [0, 1] },
    { docId: 'x', record: 4, atoms: [0, 1], images: [[0, 0, 0], [1, 0, 0]] as const },
    { docId: 'x', record: 4, atoms: [0, 5] },
    { docId: 'x', record: 2, atoms: [0, 1] },
  ];
  const restored = restoredMeasurements(pending, 'x', 4, structure);
  assert.equal(restored.length, 2, 'the out-of-range atom and the other record are left out');
  assert.equal(restored[0]!.result.value, 1);
  assert.ok(Math.abs(restored[1]!.result.value - Math.sqrt(10)) < 1e-12);
  assert.deepEqual(restored[1]!.measurement.images, [[0, 0, 0], [1, 0, 0]]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MeasureEvent } from '../../renderer/viewer/viewer-api';
import * as actions from '../../renderer/app/state/actions';
import { createAppStore, initialAppState, selectedIndexOf, supercellOf, ONE_CELL, type AppState } from '../../renderer/app/state/app-state';
import { createStore } from '../../renderer/app/state/store';
import { doc, job } from './app-fixtures';

test('setState merges a patch, notifies each listener once, and a patch that changes nothing notifies no one', () => {
  const store = createStore({ a: 1, b: 'x' });
  let calls = 0;
  const unsubscribe = store.subscribe(() => calls++);
  store.setState({ a: 2 });
  assert.deepEqual(store.getState(), { a: 2, b: 'x' });
  assert.equal(calls, 1);
  store.setState({ a: 2, b: 'x' });
  assert.equal(calls, 1);
  store.setState((s) => ({ a: s.a + 1 }));
  assert.equal(store.getState().a, 3);
  assert.equal(calls, 2);
  unsubscribe();
  store.setState({ a: 10 });
  assert.equal(calls, 2);
});

test('the state object is replaced on change, never mutated (what useSyncExternalStore compares)', () => {
  const store = createAppStore();
  const before = store.getState();
  store.setState({ filterText: 'C6' });
  assert.notEqual(store.getState(), before);
  assert.equal(before.filterText, '');
});

test('opening files replaces same-id documents, lists them last and activates the first with its first row', () => {
  const state = { ...initialAppState(), documents: [doc('a'), doc('b')], activeDocId: 'a', filterText: 'x' };
  const patch = actions.openedDocuments(state, { documents: [doc('b', 5), doc('c')], failures: [] });
  assert.deepEqual(patch.documents?.map((d) => [d.id, d.recordCount]), [['a', 3], ['b', 5], ['c', 3]]);
  assert.equal(patch.activeDocId, 'b');
  assert.equal(patch.filterText, '');
  assert.equal(patch.selectedRow, 0);
  assert.equal(actions.openedDocuments(state, { documents: [doc('e', 0)], failures: [] }).selectedRow, -1);
  assert.deepEqual(actions.openedDocuments(state, { documents: [], failures: [] }), {});
});

test('when a batch of opens ends, a document of it that was listed early and is shown stays shown', () => {
  // The CIF of a CIF + SMILES drop finished first, was listed and shown; the whole openFiles call ends later.
  const state = { ...initialAppState(), documents: [doc('cif')], activeDocId: 'cif', selectedRow: 4, filterText: 'Ti' };
  const patch = actions.openedDocuments(state, { documents: [doc('smiles', 20), doc('cif')], failures: [] });
  assert.deepEqual(patch.documents?.map((d) => d.id), ['smiles', 'cif']);
  assert.equal('activeDocId' in patch, false, 'the shown document stays active');
  assert.equal('selectedRow' in patch || 'filterText' in patch, false, 'its row and search are kept');
});

test('closing the active document activates the last one left; closing another keeps the active one', () => {
  const state = { ...initialAppState(), documents: [doc('a'), doc('b'), doc('c')], activeDocId: 'b' };
  assert.equal(actions.closeDocument(state, 'b').activeDocId, 'c');
  assert.equal(actions.closeDocument(state, 'a').activeDocId, 'b');
  assert.equal(actions.closeDocument({ ...state, documents: [doc('b')] }, 'b').activeDocId, null);
});

test('the selected record counts only in its own document and within its record count', () => {
  const base = { ...initialAppState(), documents: [doc('a', 3), doc('b', 1)], activeDocId: 'a' };
  assert.equal(selectedIndexOf({ ...base, selected: { docId: 'a', index: 2 } }), 2);
  assert.equal(selectedIndexOf({ ...base, selected: { docId: 'b', index: 0 } }), null);
  assert.equal(selectedIndexOf({ ...base, activeDocId: 'b', selected: { docId: 'b', index: 2 } }), null);
  assert.equal(selectedIndexOf({ ...base, selected: null }), null);
});

test('selectRecord puts the list back in file order without a filter, so the row is the record', () => {
  assert.deepEqual(actions.selectRecord(7), { sort: { key: 'index', descending: false }, filterText: '', selectedRow: 7 });
  const state = { ...initialAppState(), sort: { key: 'energy', descending: false } };
  assert.deepEqual(actions.sortBy(state, 'energy').sort, { key: 'energy', descending: true });
  assert.deepEqual(actions.sortBy(state, 'name').sort, { key: 'name', descending: false });
});

test('job progress updates jobs in place and lists new jobs first; a started job opens the jobs panel once', () => {
  const merged = actions.mergeJobs([job('1'), job('2')], [job('2', { done: 5 }), job('3')]);
  assert.deepEqual(merged.map((j) => [j.id, j.done]), [['3', 0], ['1', 0], ['2', 5]]);
  const state = { ...initialAppState(), jobs: [job('1')], jobsCollapsed: true };
  const started = actions.jobStarted(state, job('9'));
  assert.deepEqual(started.jobs?.map((j) => j.id), ['9', '1']);
  assert.equal(started.jobsCollapsed, false);
  assert.equal(actions.jobStarted(state, job('1')).jobs, state.jobs);
});

test(`toasts keep the newest ${actions.MAX_TOASTS}; dismissing an unknown id changes nothing`, () => {
  let state = initialAppState();
  for (let id = 1; id <= 7; id++) state = { ...state, ...actions.pushToast(state, { id, kind: 'info', title: `t${id}` }) };
  assert.deepEqual(state.toasts.map((t) => t.id), [3, 4, 5, 6, 7]);
  assert.deepEqual(actions.dismissToast(state, 42), {});
  assert.deepEqual(actions.dismissToast(state, 5).toasts?.map((t) => t.id), [3, 4, 6, 7]);
});

test('the supercell belongs to its document (a new file starts at 1×1×1); typed repeats are clamped to 1..6', () => {
  let state: AppState = { ...initialAppState(), documents: [doc('a'), doc('b')], activeDocId: 'a' };
  state = { ...state, ...actions.updateSupercell(state, (c) => actions.supercellAxis(c, 0, '3')) };
  assert.deepEqual(supercellOf(state), [3, 1, 1]);
  assert.equal(supercellOf({ ...state, activeDocId: 'b' }), ONE_CELL);
  assert.deepEqual(actions.supercellAxis([1, 1, 1], 2, '99'), [1, 1, 6]);
  assert.deepEqual(actions.supercellAxis([1, 1, 1], 1, 'abc'), [1, 1, 1]);
  assert.deepEqual(actions.updateSupercell({ ...state, activeDocId: null }, (c) => c), {});
});

test('a measurement of one atom image twice is not listed, but the list is re-pushed so the viewer drops it', () => {
  const event = (atoms: number[]): MeasureEvent => ({ measurement: { kind: 'distance', atoms }, result: { kind: 'distance', value: 1.2, unit: 'Å' } }) as unknown as MeasureEvent;
  const one = actions.addMeasurement([], event([0, 1]));
  assert.equal(one.length, 1);
  const same = actions.addMeasurement(one, event([1, 1]));
  assert.equal(same.length, 1);
  assert.notEqual(same, one);
});

test('listing documents adds only the ones not listed yet', () => {
  const state = { ...initialAppState(), documents: [doc('a')] };
  assert.deepEqual(actions.addDocuments(state, [doc('a'), doc('b')]).documents?.map((d) => d.id), ['a', 'b']);
  assert.deepEqual(actions.addDocuments(state, [doc('a')]), {});
});

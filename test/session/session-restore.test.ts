/**
 * saveSession / openSession on a session (core): the files come back with their views, the active document and
 * the measurements; a file the session keeps by name or path only is a 'missing' failure where it cannot be had;
 * the session's theme and viewer style are applied; a bad session file rejects naming the field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type { EquimolEvent, FileInput } from '../../core/contract/equimol-api';
import { validateArguments } from '../../core/contract/validate';
import { SessionFileError } from '../../core/session/session-file';
import { EquimolSession } from '../../core/session/session';
import { REPO_ROOT } from '../helpers/browser';

const file = (path: string): FileInput => ({ name: path.split('/').pop()!, bytes: new Uint8Array(readFileSync(resolve(REPO_ROOT, path))) });
const DRUGS = file('assets/examples/drugs.sdf');
const NACL = file('assets/examples/nacl.cif');

async function twoFileSession(): Promise<{ session: EquimolSession; drugs: string; nacl: string }> {
  const session = new EquimolSession({ platform: 'web' });
  const opened = await session.openFiles([DRUGS, NACL]);
  assert.equal(opened.failures.length, 0);
  return { session, drugs: opened.documents[0]!.id, nacl: opened.documents[1]!.id };
}

test('a saved session opened in a fresh session brings back both files, the active one, records, supercells and measurements', async () => {
  const { session, drugs, nacl } = await twoFileSession();
  await session.setSettings({ theme: 'dark', viewerStyle: 'sticks' });
  const view = {
    activeDocId: nacl,
    documents: [
      { docId: drugs, selectedRecord: 4, supercell: [1, 1, 1] as const },
      { docId: nacl, selectedRecord: 0, supercell: [2, 2, 3] as const },
    ],
    measurements: [{ docId: drugs, record: 4, atoms: [0, 1, 2] }],
  };
  validateArguments('saveSession', [view]);
  const saved = await session.saveSession(view);
  assert.equal(saved.fileName, 'nacl.equimol-session.json');
  assert.equal(saved.mimeType, 'application/json');
  assert.equal(saved.records, 2);

  const fresh = new EquimolSession({ platform: 'web' });
  const events: EquimolEvent[] = [];
  fresh.subscribe((e) => events.push(e));
  const restored = await fresh.openSession({ name: saved.fileName, bytes: saved.bytes });
  assert.deepEqual(restored.failures, []);
  assert.deepEqual(restored.documents.map((d) => [d.name, d.recordCount]), [['drugs.sdf', 20], ['nacl.cif', 1]]);
  const [newDrugs, newNacl] = restored.documents.map((d) => d.id);
  assert.equal(restored.activeDocId, newNacl);
  assert.deepEqual(restored.views, [
    { docId: newDrugs, selectedRecord: 4, supercell: [1, 1, 1] },
    { docId: newNacl, selectedRecord: 0, supercell: [2, 2, 3] },
  ]);
  assert.deepEqual(restored.measurements, [{ docId: newDrugs, record: 4, atoms: [0, 1, 2] }]);
  assert.equal(restored.settings.theme, 'dark');
  assert.equal(restored.settings.viewerStyle, 'sticks');
  assert.ok(events.some((e) => e.type === 'settings-changed' && e.settings.theme === 'dark'));
  assert.deepEqual((await fresh.listDocuments()).map((d) => d.name), ['drugs.sdf', 'nacl.cif']);
});

test('a closed file is not saved, and a record past the end of a file is not restored', async () => {
  const { session, drugs, nacl } = await twoFileSession();
  await session.closeDocument(drugs);
  const saved = await session.saveSession({ activeDocId: drugs, documents: [{ docId: nacl, selectedRecord: 0, supercell: [1, 1, 1] }] });
  const text = new TextDecoder().decode(saved.bytes);
  assert.doesNotMatch(text, /drugs\.sdf/);
  const tampered = JSON.parse(text) as { documents: Array<{ selectedRecord: number }>; activeDocument: number | null };
  assert.equal(tampered.activeDocument, null, 'the active document was closed');
  tampered.documents[0]!.selectedRecord = 7; // nacl.cif has one record
  const restored = await new EquimolSession().openSession({ name: 's.equimol-session.json', bytes: new TextEncoder().encode(JSON.stringify(tampered)) });
  assert.equal(restored.views[0]!.selectedRecord, null);
  assert.equal(restored.activeDocId, restored.documents[0]!.id, 'the first document when none was active');
});

test('files kept by path or by name only are missing in a session without files, and the rest still opens', async () => {
  const { session, drugs, nacl } = await twoFileSession();
  const saved = await session.saveSession({ activeDocId: drugs, documents: [drugs, nacl].map((docId) => ({ docId, selectedRecord: null, supercell: [1, 1, 1] as const })) });
  const json = JSON.parse(new TextDecoder().decode(saved.bytes)) as { documents: Array<Record<string, unknown>> };
  const { bytesBase64: _drop, ...byName } = json.documents[0]!;
  json.documents[0] = byName;
  json.documents[1] = { ...json.documents[1], bytesBase64: undefined, path: '/data/nacl.cif' };
  const restored = await new EquimolSession().openSession({ name: 'x', bytes: new TextEncoder().encode(JSON.stringify(json)) });
  assert.deepEqual(restored.documents, []);
  assert.equal(restored.activeDocId, null);
  assert.equal(restored.failures.length, 2);
  assert.match(restored.failures[0]!.message, /^drugs\.sdf: missing \(the session keeps it by name only/);
  assert.equal(restored.failures[1]!.file, '/data/nacl.cif');
  assert.match(restored.failures[1]!.message, /nacl\.cif: missing \(the session names it by its path \/data\/nacl\.cif, which only the desktop app can read/);
});

test('an opener with paths and a store of kept files is used for the files that are not embedded', async () => {
  const { session, drugs, nacl } = await twoFileSession();
  const saved = await session.saveSession({ activeDocId: drugs, documents: [drugs, nacl].map((docId) => ({ docId, selectedRecord: null, supercell: [1, 1, 1] as const })) });
  const json = JSON.parse(new TextDecoder().decode(saved.bytes)) as { documents: Array<Record<string, unknown>> };
  const { bytesBase64: _a, ...drugsByName } = json.documents[0]!;
  const { bytesBase64: _b, ...naclByPath } = json.documents[1]!;
  json.documents = [drugsByName, { ...naclByPath, path: '/data/nacl.cif' }];
  const target = new EquimolSession();
  const paths: string[] = [];
  const restored = await target.openSession(
    { name: 'x', bytes: new TextEncoder().encode(JSON.stringify(json)) },
    {
      openPaths: async (list) => {
        paths.push(...list);
        return target.openLocalFiles([{ ...NACL, path: list[0]! }]);
      },
      findStored: async (name) => (name === 'drugs.sdf' ? DRUGS : undefined),
    },
  );
  assert.deepEqual(restored.failures, []);
  assert.deepEqual(paths, ['/data/nacl.cif']);
  assert.deepEqual(restored.documents.map((d) => [d.name, d.path]), [['drugs.sdf', undefined], ['nacl.cif', '/data/nacl.cif']]);
});

test('a bad session file rejects with a SessionFileError naming the field, and opens nothing', async () => {
  const session = new EquimolSession();
  const bytes = new TextEncoder().encode(JSON.stringify({ format: 'equimol-session', version: 1 }));
  await assert.rejects(session.openSession({ name: 'bad.equimol-session.json', bytes }), (error: Error) => {
    assert.ok(error instanceof SessionFileError);
    assert.match(error.message, /^session file: savedAt must be a string/);
    return true;
  });
  assert.deepEqual(await session.listDocuments(), []);
});

test('the contract checks saveSession views and openSession files', () => {
  assert.throws(() => validateArguments('saveSession', [{ activeDocId: null, documents: [{ docId: 'doc-1', selectedRecord: -1, supercell: [1, 1, 1] }] }]), /view\.documents\[0\]\.selectedRecord must be in 0\.\./);
  assert.throws(() => validateArguments('saveSession', [{ activeDocId: null, documents: [{ docId: 'doc-1', selectedRecord: null, supercell: [1, 1] }] }]), /supercell must have at least 3/);
  assert.throws(() => validateArguments('saveSession', [{ activeDocId: null, documents: [], measurements: [{ docId: 'd', record: 0, atoms: [0, 1], images: [[0, 0, 0]] }] }]), /images must have at least 2/);
  assert.throws(() => validateArguments('saveSession', [{ activeDocId: null, documents: [], measurements: [{ docId: 'd', record: 0, atoms: [0, 1, 2], images: [[0, 0, 0], [1, 0, 0]] }] }]), /images must have one image per atom \(3\), got 2/);
  assert.throws(() => validateArguments('openSession', [{ name: 's.json', bytes: 'text' }]), /file\.bytes must be a Uint8Array/);
  validateArguments('openSession', [{ name: 's.equimol-session.json', bytes: new Uint8Array(2) }]);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { EquimolEvent, JobProgress, OpenProgress } from '../../core/contract/equimol-api';
import { headerKey } from '../../core/pipeline/rows';
import { EquimolSession } from '../../core/session/session';

const root = fileURLToPath(new URL('../..', import.meta.url));
const drugsBytes = new Uint8Array(readFileSync(join(root, 'assets/examples/drugs.sdf')));
const drugsText = new TextDecoder().decode(drugsBytes);

/** Names and RDKit MW fields of drugs.sdf, read straight from the text. */
function sdField(field: string): string[] {
  const lines = drugsText.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (line.startsWith(`>  <${field}>`)) out.push(lines[i + 1]!.trim());
  });
  return out;
}
const NAMES = sdField('NAME');
const MWS = sdField('MW').map(Number);

test('an SDF opened from bytes lists every record with name, formula, atom count and SD fields', async () => {
  const session = new EquimolSession();
  const { documents, failures } = await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }]);
  assert.deepEqual(failures, []);
  const doc = documents[0]!;
  assert.equal(doc.format, 'sdf');
  assert.equal(doc.recordCount, 20);
  assert.equal(doc.errorCount, 0);
  assert.equal(doc.gzipped, false);
  assert.equal(doc.periodic, false);
  assert.ok(doc.columns.some((c) => c.key === 'MW' && c.source === 'file'));
  const page = await session.listStructures(doc.id, { offset: 0, limit: 100 });
  assert.equal(page.total, 20);
  assert.deepEqual(page.rows.map((r) => r.name), NAMES);
  const aspirin = page.rows[0]!;
  assert.equal(aspirin.formula, 'C9H8O4');
  assert.equal(aspirin.atoms, 21);
  assert.equal(aspirin.line, 1);
  assert.equal(Number(aspirin.values.MW), 180.159);
  // The full structure for the viewer: coordinates as in the file's first atom line.
  const structure = await session.getStructure(doc.id, 0);
  assert.equal(structure.numbers.length, 21);
  assert.deepEqual(Array.from(structure.positions.slice(0, 3)), [-2.6168, -2.2434, 0.1193]);
  assert.equal(structure.bonds?.length, 21);
});

test('pages sort by any column in either direction and filter by text and atom count', async () => {
  const session = new EquimolSession();
  const doc = (await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }])).documents[0]!;
  const byMw = await session.listStructures(doc.id, { offset: 0, limit: 20, sortBy: 'MW' });
  const expected = NAMES.map((n, i) => [n, MWS[i]!] as const).sort((a, b) => a[1] - b[1]).map(([n]) => n);
  assert.deepEqual(byMw.rows.map((r) => r.name), expected);
  const desc = await session.listStructures(doc.id, { offset: 0, limit: 3, sortBy: 'atoms', descending: true });
  assert.deepEqual(desc.rows.map((r) => r.atoms), [...desc.rows.map((r) => r.atoms)].sort((a, b) => b - a));
  assert.equal(desc.rows[0]!.name, 'sildenafil');
  const paged = await session.listStructures(doc.id, { offset: 18, limit: 10, sortBy: 'name' });
  assert.equal(paged.total, 20);
  assert.equal(paged.rows.length, 2);
  assert.deepEqual(paged.rows.map((r) => r.name), [...NAMES].sort((a, b) => a.localeCompare(b)).slice(18));
  const filtered = await session.listStructures(doc.id, { offset: 0, limit: 20, filter: { text: 'PRAZOL' } });
  assert.deepEqual(filtered.rows.map((r) => r.name), ['omeprazole']);
  const small = await session.listStructures(doc.id, { offset: 0, limit: 20, filter: { maxAtoms: 10 } });
  assert.deepEqual(small.rows.map((r) => r.name), ['glycine zwitterion']);
  const byFormula = await session.listStructures(doc.id, { offset: 0, limit: 20, filter: { text: 'c9h8o4' } });
  assert.deepEqual(byFormula.rows.map((r) => r.index), [0]);
});

test('gzip bytes are inflated and bad records are reported with file, record and line, the rest kept', async () => {
  const session = new EquimolSession();
  // Corrupt the 3rd record's first atom line (an x coordinate that is not a number).
  const records = drugsText.split('$$$$\n');
  const third = records[2]!.split('\n');
  third[4] = third[4]!.replace(/^\s*-?\d+\.\d+/, '   abc.def');
  records[2] = third.join('\n');
  const broken = records.join('$$$$\n');
  // Each record's text ends in '\n' (one empty split element standing for the '$$$$' line).
  const lineOfThird = records[0]!.split('\n').length + records[1]!.split('\n').length + 1;
  const { documents } = await session.openFiles([{ name: 'drugs-broken.sdf.gz', bytes: new Uint8Array(gzipSync(broken)) }]);
  const doc = documents[0]!;
  assert.equal(doc.gzipped, true);
  assert.equal(doc.recordCount, 19);
  assert.equal(doc.errorCount, 1);
  const error = doc.errors[0]!;
  assert.equal(error.file, 'drugs-broken.sdf.gz');
  assert.equal(error.record, 2);
  assert.equal(error.line, lineOfThird + 4, `record starts at line ${lineOfThird}; the bad atom line is its 5th`);
  assert.match(error.message, /abc\.def|coordinate|number/i);
  const page = await session.listStructures(doc.id, { offset: 0, limit: 3 });
  assert.deepEqual(page.rows.map((r) => r.name), ['aspirin', 'paracetamol', 'caffeine']);
});

test('a geometry job streams monotone progress, adds predicted columns and agrees with the RDKit MW field', async () => {
  const session = new EquimolSession();
  const events: EquimolEvent[] = [];
  session.subscribe((e) => events.push(e));
  const doc = (await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }])).documents[0]!;
  const started = await session.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'geometry', batchSize: 4 });
  const final = await session.whenJobFinished(started.id);
  assert.equal(final.state, 'done');
  assert.equal(final.done, 20);
  assert.equal(final.failed, 0);
  const progress = events.filter((e): e is { type: 'job-progress'; progress: JobProgress } => e.type === 'job-progress').map((e) => e.progress);
  const dones = progress.map((p) => p.done);
  assert.deepEqual(dones.filter((d, i) => i === 0 || d !== dones[i - 1]), [0, 4, 8, 12, 16, 20]);
  for (let i = 1; i < dones.length; i++) assert.ok(dones[i]! >= dones[i - 1]!);
  assert.equal(progress.at(-1)!.state, 'done');
  assert.ok(events.some((e) => e.type === 'document-changed' && e.document.columns.some((c) => c.key === 'geometry:molar_mass')));

  const results = await session.getJobResults(started.id, { offset: 0, limit: 100 });
  assert.equal(results.total, 20);
  results.rows.forEach((row, i) => {
    assert.equal(row.name, NAMES[i]);
    assert.ok(Math.abs((row.values.molar_mass as number) - MWS[i]!) < 0.02, `${row.name}: ${row.values.molar_mass} vs RDKit ${MWS[i]}`);
  });
  // Predicted values are table columns: sort by radius of gyration.
  const page = await session.listStructures(doc.id, { offset: 0, limit: 20, sortBy: 'geometry:radius_of_gyration' });
  const rg = page.rows.map((r) => r.values['geometry:radius_of_gyration'] as number);
  assert.deepEqual(rg, [...rg].sort((a, b) => a - b));
  assert.equal(page.rows[0]!.values['geometry:molar_mass'], results.rows[page.rows[0]!.index]!.values.molar_mass);
});

test('job results export as CSV and as SDF that reopens with the predictions as fields', async () => {
  const session = new EquimolSession();
  const doc = (await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }])).documents[0]!;
  const job = await session.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'geometry' });
  await session.whenJobFinished(job.id);
  const csv = await session.exportJob(job.id, 'csv');
  assert.equal(csv.fileName, 'drugs-geometry.csv');
  assert.equal(csv.mimeType, 'text/csv');
  const lines = new TextDecoder().decode(csv.bytes).trimEnd().split(/\r?\n/);
  assert.equal(lines.length, 21);
  const header = lines[0]!.split(',').map(headerKey); // 'molar_mass [g/mol]' -> 'molar_mass'
  assert.ok(header.includes('molar_mass') && header.includes('name'), header.join(','));
  const aspirin = lines[1]!.split(',');
  assert.equal(aspirin[header.indexOf('name')], 'aspirin');
  assert.ok(Math.abs(Number(aspirin[header.indexOf('molar_mass')]) - 180.159) < 0.02);

  const sdf = await session.exportJob(job.id, 'sdf');
  assert.equal(sdf.records, 20);
  const reopened = (await session.openFiles([{ name: sdf.fileName, bytes: sdf.bytes }])).documents[0]!;
  assert.equal(reopened.recordCount, 20);
  assert.ok(reopened.columns.some((c) => c.key === 'molar_mass'), reopened.columns.map((c) => c.key).join(','));
  const first = await session.listStructures(reopened.id, { offset: 0, limit: 1 });
  assert.equal(first.rows[0]!.name, 'aspirin');
  assert.equal(first.rows[0]!.atoms, 21);

  const subset = await session.exportDocument(doc.id, 'sdf', [3, 0]);
  assert.equal(subset.records, 2);
  const text = new TextDecoder().decode(subset.bytes);
  assert.deepEqual(text.split('$$$$').slice(0, 2).map((r) => r.trimStart().split('\n')[0]), ['caffeine', 'aspirin']);
});

/** drugs.sdf repeated: a real file of `copies * 20` records. */
function repeatedDrugs(copies: number): Uint8Array {
  return new TextEncoder().encode(drugsText.repeat(copies));
}

test('cancelling a running job stops it promptly, keeps the rows so far, and the next job still runs', async () => {
  const session = new EquimolSession();
  const big = (await session.openFiles([{ name: 'drugs-x200.sdf', bytes: repeatedDrugs(200) }])).documents[0]!;
  assert.equal(big.recordCount, 4000);
  const progress: JobProgress[] = [];
  session.subscribe((e) => e.type === 'job-progress' && progress.push(e.progress));
  const job = await session.startJob({ kind: 'predict', docIds: [big.id], predictor: 'geometry', batchSize: 8 });
  const next = await session.startJob({ kind: 'predict', docIds: [big.id], predictor: 'geometry', indices: [0, 1, 2] });
  while (!progress.some((p) => p.id === job.id && p.done >= 16)) await new Promise((r) => setTimeout(r, 0));
  const cancelled = await session.cancelJob(job.id);
  assert.equal(cancelled.state, 'cancelled');
  const nextFinal = await session.whenJobFinished(next.id);
  assert.equal(nextFinal.state, 'done');
  assert.equal(nextFinal.done, 3);
  const after = (await session.listJobs()).find((j) => j.id === job.id)!;
  assert.equal(after.state, 'cancelled');
  assert.ok(after.done < 4000 && after.done <= cancelled.done + 8, `done ${after.done} after cancel at ${cancelled.done}`);
  const kept = await session.getJobResults(job.id, { offset: 0, limit: 5000 });
  assert.ok(kept.total >= 16 && kept.total <= cancelled.done + 8);
  const export_ = await session.exportJob(job.id, 'csv');
  assert.equal(new TextDecoder().decode(export_.bytes).trimEnd().split(/\r?\n/).length, kept.total + 1);
});

test('opening a large file yields to the event loop and reports reading progress', async () => {
  const session = new EquimolSession();
  const progress: OpenProgress[] = [];
  session.subscribe((e) => e.type === 'open-progress' && progress.push(e.progress));
  const bytes = repeatedDrugs(300); // 6000 records
  let ticks = 0;
  let maxGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 5);
  try {
    const started = performance.now();
    const doc = (await session.openFiles([{ name: 'drugs-x300.sdf', bytes }])).documents[0]!;
    const elapsed = performance.now() - started;
    assert.equal(doc.recordCount, 6000);
    // Without yielding the one gap would be the whole parse; with it, timers fire all along
    // (bounds loose enough for a loaded CI machine, where the OS itself may pause the process).
    assert.ok(ticks >= 5, `only ${ticks} timer ticks in ${elapsed.toFixed(0)} ms`);
    assert.ok(maxGap < elapsed / 3, `the event loop was blocked for ${maxGap.toFixed(0)} of ${elapsed.toFixed(0)} ms`);
    assert.ok(progress.length >= 2, `${progress.length} progress events`);
    for (let i = 1; i < progress.length; i++) {
      assert.ok(progress[i]!.bytesRead >= progress[i - 1]!.bytesRead && progress[i]!.records >= progress[i - 1]!.records);
    }
    assert.ok(progress.every((p) => p.file === 'drugs-x300.sdf' && p.totalBytes === bytes.byteLength));
    assert.deepEqual(progress.map((p) => p.done), [...progress.slice(0, -1).map(() => false), true]);
    assert.equal(progress.at(-1)!.bytesRead, bytes.byteLength);
    assert.equal(progress.at(-1)!.records, 6000);
    assert.ok(progress[0]!.records < 6000);
  } finally {
    clearInterval(timer);
  }
});

test('closing a document forgets it', async () => {
  const session = new EquimolSession();
  const doc = (await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }])).documents[0]!;
  assert.equal((await session.listDocuments()).length, 1);
  await session.closeDocument(doc.id);
  assert.equal((await session.listDocuments()).length, 0);
  await assert.rejects(session.getStructure(doc.id, 0), /no open document/);
});

test('a sorted order cached for paging is recomputed when a job adds the sorted column', async () => {
  const session = new EquimolSession();
  const doc = (await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }])).documents[0]!;
  const query = { offset: 0, limit: 20, sortBy: 'geometry:molar_mass' };
  const before = await session.listStructures(doc.id, query);
  assert.deepEqual(before.rows.map((r) => r.index), NAMES.map((_, i) => i)); // no values yet: file order
  const job = await session.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'geometry' });
  await session.whenJobFinished(job.id);
  const after = await session.listStructures(doc.id, query);
  const masses = after.rows.map((r) => r.values['geometry:molar_mass'] as number);
  assert.deepEqual(masses, [...masses].sort((a, b) => a - b));
  assert.equal(after.rows[0]!.name, 'glycine zwitterion');
});

test('a document exports as CSV with its predicted columns, vectors split into x, y, z', async () => {
  const session = new EquimolSession();
  const doc = (await session.openFiles([{ name: 'drugs.sdf', bytes: drugsBytes }])).documents[0]!;
  const job = await session.startJob({ kind: 'predict', docIds: [doc.id], predictor: 'geometry' });
  await session.whenJobFinished(job.id);
  const info = await session.getDocument(doc.id);
  assert.equal(info.columns.find((c) => c.key === 'geometry:center_of_mass')?.width, 3);
  const csv = await session.exportDocument(doc.id, 'csv', [1]);
  const [headerLine, row] = new TextDecoder().decode(csv.bytes).trimEnd().split(/\r?\n/);
  const header = headerLine!.split(',').map(headerKey); // 'geometry:center_of_mass_x [Å]' -> 'geometry:center_of_mass_x'
  const fields = row!.split(',');
  assert.ok(header.includes('geometry:center_of_mass_x') && header.includes('geometry:center_of_mass_z'), header.join(','));
  const results = await session.getJobResults(job.id, { offset: 1, limit: 1 });
  const com = results.rows[0]!.values.center_of_mass as number[];
  assert.equal(fields[header.indexOf('name')], 'paracetamol');
  assert.ok(Math.abs(Number(fields[header.indexOf('geometry:center_of_mass_y')]) - com[1]!) < 1e-6);
  assert.ok(Math.abs(Number(fields[header.indexOf('geometry:molar_mass')]) - MWS[1]!) < 0.02);
});

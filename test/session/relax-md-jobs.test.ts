import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DocumentInfo, EquimolEvent, JobProgress } from '../../core/contract/equimol-api';
import { createLennardJonesCalculator } from '../../core/calc/analytic/lennard-jones';
import { EquimolSession, UnknownCalculatorError, type CalculatorEntry } from '../../core/session/session';

/** The Lennard-Jones potential (ε 1 eV, σ 1 Å, as ASE's LennardJones) as a session calculator. */
const LJ_ENTRY: CalculatorEntry = {
  id: 'lj',
  description: createLennardJonesCalculator().description,
  create: async () => createLennardJonesCalculator(),
};

/** Listed but not runnable here (as xtb without libxtb or the executable). */
const MISSING_ENTRY: CalculatorEntry = {
  id: 'xtb:gfn2',
  description: { id: 'xtb:gfn2', name: 'GFN2-xTB', method: 'xtb', elements: 'all', charge: true, spin: true, periodic: false, stress: false },
  create: async () => {
    throw new Error('create() must not be called for an unavailable calculator');
  },
  unavailableReason: () => 'neither libxtb nor the xtb executable was found',
};

/** A slightly squashed Ar4 tetrahedron: relaxes to the regular one with edges 2^(1/6) σ. */
const CLUSTER = `4
lj cluster
Ar 0.00 0.00 0.00
Ar 1.05 0.00 0.00
Ar 0.55 0.95 0.00
Ar 0.50 0.30 0.90
`;

/** The regular Ar4 tetrahedron at the LJ minimum (edges 2^(1/6) σ ≈ 1.1225 Å): a calm start for MD at 30 K. */
const TETRAHEDRON = `4
lj tetrahedron
Ar 0.00000 0.00000 0.00000
Ar 1.12250 0.00000 0.00000
Ar 0.56125 0.97211 0.00000
Ar 0.56125 0.32404 0.91652
`;

/** Two argon atoms 0.3 Å apart: the close-contact watchdog (0.5 Å) stops its relaxation at step 0. */
const CRUSHED = `2
crushed pair
Ar 0.00 0.00 0.00
Ar 0.30 0.00 0.00
`;

/** A calculator that covers H, C and O only (as a model trained on ethanol); never created by a check. */
const CHO_ENTRY: CalculatorEntry = {
  id: 'model:cho',
  description: { id: 'model:cho', name: 'CHO model', method: 'model', elements: [1, 6, 8], charge: false, spin: false, periodic: true, stress: true },
  create: async () => {
    throw new Error('a check must not load the model');
  },
};

function newSession(): { session: EquimolSession; events: EquimolEvent[] } {
  const session = new EquimolSession({ calculators: [LJ_ENTRY, MISSING_ENTRY, CHO_ENTRY], samplerEventIntervalMs: 0, documentEventIntervalMs: 0 });
  const events: EquimolEvent[] = [];
  session.subscribe((e) => events.push(e));
  return { session, events };
}

async function open(session: EquimolSession, name: string, text: string): Promise<DocumentInfo> {
  const result = await session.openFiles([{ name, bytes: new TextEncoder().encode(text) }]);
  assert.deepEqual(result.failures, []);
  return result.documents[0]!;
}

function progressOf(events: readonly EquimolEvent[], jobId: string): JobProgress[] {
  return events.flatMap((e) => (e.type === 'job-progress' && e.progress.id === jobId ? [e.progress] : []));
}

test('a relax job on an LJ cluster gives a converged row, a relaxed document and a trajectory ending at the row energy', async () => {
  const { session, events } = newSession();
  const doc = await open(session, 'cluster.xyz', CLUSTER);
  const started = await session.startJob({ kind: 'relax', docIds: [doc.id], calculator: 'lj', fmax: 0.01 });
  assert.equal(started.unit, 'steps');
  const final = await session.whenJobFinished(started.id);
  await session.whenIdle();
  assert.equal(final.state, 'done', final.message);

  const results = await session.getJobResults(started.id, { offset: 0, limit: 10 });
  assert.equal(results.total, 1);
  const row = results.rows[0]!;
  assert.equal(row.error, undefined);
  assert.equal(row.values['converged'], 1);
  assert.ok((row.values['fmax'] as number) <= 0.01, `fmax ${row.values['fmax']}`);
  // The regular tetrahedron at the LJ minimum: 6 pairs at -ε each, plus ASE's shift to 0 at rc = 3σ.
  const shift = 4 * (3 ** -12 - 3 ** -6);
  assert.ok(Math.abs((row.values['energy'] as number) - 6 * (-1 - shift)) < 1e-3, `energy ${row.values['energy']}`);

  const outputs = (await session.listJobs()).find((j) => j.id === started.id)!.outputDocIds ?? [];
  const docs = await Promise.all(outputs.map((id) => session.getDocument(id)));
  const relaxed = docs.find((d) => d.origin?.kind === 'relaxed')!;
  const trajectory = docs.find((d) => d.origin?.kind === 'trajectory')!;
  assert.ok(relaxed && trajectory, `outputs: ${docs.map((d) => d.origin?.kind).join(', ')}`);
  assert.equal(relaxed.recordCount, 1);
  // The finished job counts the steps the relaxation took (one frame per step from step 0), not maxSteps.
  assert.equal(final.total, trajectory.recordCount - 1);
  assert.equal(final.done, final.total);
  assert.deepEqual({ ...trajectory.origin }, { kind: 'trajectory', jobId: started.id, jobKind: 'relax', sourceDocId: doc.id, sourceIndex: 0, calculator: 'lj', live: false });
  assert.ok(trajectory.recordCount > 2, `${trajectory.recordCount} frames`);
  assert.ok(trajectory.columns.some((c) => c.key === 'energy' && c.unit === 'eV'));
  assert.ok(trajectory.columns.some((c) => c.key === 'fmax' && c.unit === 'eV/Å'));

  const series = await session.getColumnValues(trajectory.id, ['step', 'energy', 'fmax']);
  assert.equal(series.index.length, trajectory.recordCount);
  const energies = series.values['energy']!;
  assert.deepEqual(series.values['step'], series.index);
  assert.equal(energies[energies.length - 1], row.values['energy']);
  assert.ok(energies[0]! > energies[energies.length - 1]!, 'the relaxation lowered the energy');
  const last = await session.getStructure(trajectory.id, trajectory.recordCount - 1);
  assert.equal(last.atomArrays['forces']?.data.length, 12);

  const progress = progressOf(events, started.id);
  assert.ok(progress.some((p) => p.state === 'running' && p.sampler !== undefined && p.sampler.totalSteps === 500));
  assert.ok(events.some((e) => e.type === 'document-changed' && e.document.id === trajectory.id && e.document.origin?.live === false));
});

test('an md job streams progress in steps and writes a trajectory with one frame every `every` steps', async () => {
  const { session, events } = newSession();
  const doc = await open(session, 'tetrahedron.xyz', TETRAHEDRON);
  const started = await session.startJob({ kind: 'md', docId: doc.id, index: 0, calculator: 'lj', steps: 50, every: 10, temperature: 30, timestep: 1, seed: 7 });
  assert.equal(started.unit, 'steps');
  assert.equal(started.total, 50);
  const final = await session.whenJobFinished(started.id);
  await session.whenIdle();
  assert.equal(final.state, 'done', final.message);

  const running = progressOf(events, started.id).filter((p) => p.state === 'running' && p.sampler);
  const steps = running.map((p) => p.done);
  assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'done never goes back');
  assert.ok(steps.includes(20) && steps.includes(50), `done: ${steps.join(', ')}`);
  assert.ok(running.every((p) => p.unit === 'steps' && p.sampler!.totalSteps === 50 && p.sampler!.temperature !== undefined));

  const trajectoryId = final.outputDocIds![0]!;
  const trajectory = await session.getDocument(trajectoryId);
  assert.equal(trajectory.origin?.jobKind, 'md');
  const series = await session.getColumnValues(trajectoryId, ['step', 'time', 'temperature', 'total']);
  assert.deepEqual(series.values['step'], [0, 10, 20, 30, 40, 50]);
  assert.deepEqual(series.values['time'], [0, 10, 20, 30, 40, 50]);
  assert.ok(series.values['temperature']!.every((t) => t !== null && t >= 0));
  const frame = await session.getStructure(trajectoryId, 3);
  assert.equal(frame.atomArrays['velocities']?.data.length, 12);

  const row = (await session.getJobResults(started.id, { offset: 0, limit: 1 })).rows[0]!;
  assert.equal(row.values['steps'], 50);
  assert.equal(row.values['energy'], (await session.getStructure(trajectoryId, 5)).properties['energy']);
});

test('cancelling an md job keeps the frames written so far in a document that is no longer live', async () => {
  const { session, events } = newSession();
  const doc = await open(session, 'tetrahedron.xyz', TETRAHEDRON);
  const started = await session.startJob({ kind: 'md', docId: doc.id, index: 0, calculator: 'lj', steps: 1_000_000, every: 1, temperature: 30 });
  const reached = new Promise<void>((resolve) => {
    session.subscribe((e) => {
      if (e.type === 'job-progress' && e.progress.id === started.id && e.progress.done >= 30) resolve();
    });
  });
  await reached;
  const cancelled = await session.cancelJob(started.id);
  assert.equal(cancelled.state, 'cancelled');
  await session.whenIdle();
  const trajectoryId = cancelled.outputDocIds![0]!;
  const trajectory = await session.getDocument(trajectoryId);
  assert.equal(trajectory.origin?.live, false);
  assert.ok(trajectory.recordCount >= 31 && trajectory.recordCount < 1_000_001, `${trajectory.recordCount} frames`);
  const steps = (await session.getColumnValues(trajectoryId, ['step'])).values['step']!;
  assert.deepEqual(steps, steps.map((_, i) => i));
  assert.ok(progressOf(events, started.id).every((p) => p.state !== 'failed'));
});

test('a structure the sampler stops becomes an error row naming the step and atoms; the batch goes on', async () => {
  const { session } = newSession();
  const doc = await open(session, 'batch.xyz', CLUSTER + CRUSHED + CLUSTER);
  const started = await session.startJob({ kind: 'relax', docIds: [doc.id], calculator: 'lj' });
  assert.equal(started.unit, 'structures');
  assert.equal(started.total, 3);
  const final = await session.whenJobFinished(started.id);
  assert.equal(final.state, 'done');
  assert.equal(final.failed, 1);
  assert.match(final.message ?? '', /1 of 3 relaxations failed/);
  const rows = (await session.getJobResults(started.id, { offset: 0, limit: 10 })).rows;
  assert.deepEqual(rows.map((r) => r.index), [0, 1, 2]);
  assert.equal(rows[0]!.values['converged'], 1);
  assert.equal(rows[2]!.values['converged'], 1);
  assert.match(rows[1]!.error ?? '', /step 0/);
  assert.match(rows[1]!.error ?? '', /atoms? 1.*2|1 and 2/);
  // Several structures: only the relaxed document (trajectories default off), with the two that relaxed.
  assert.equal(final.outputDocIds?.length, 1);
  const relaxed = await session.getDocument(final.outputDocIds![0]!);
  assert.equal(relaxed.recordCount, 2);
  const csv = await session.exportJob(started.id, 'csv');
  assert.equal(csv.fileName, 'batch-relaxed.csv');
  const lines = new TextDecoder().decode(csv.bytes).trim().split('\n');
  assert.match(lines[0]!, /,energy \[eV\],fmax \[eV\/Å\],steps,converged$/);
  assert.equal(lines.length, 4);
  const structures = await session.exportJob(started.id, 'extxyz');
  assert.equal(structures.records, 3, 'the stopped structure is a record carrying its error');
  assert.equal((new TextDecoder().decode(structures.bytes).match(/equimol_status=error/g) ?? []).length, 1);
});

test('calculators are listed with availability and checked against structures', async () => {
  const { session } = newSession();
  const doc = await open(session, 'cluster.xyz', CLUSTER);
  const infos = await session.listCalculators();
  assert.deepEqual(
    infos.map((c) => [c.id, c.available]),
    [
      ['lj', true],
      ['xtb:gfn2', false],
      ['model:cho', true],
    ],
  );
  assert.match(infos[1]!.reason ?? '', /libxtb/);
  const checks = await session.checkCalculators(doc.id);
  assert.deepEqual(checks[0], { id: 'lj', reason: null });
  assert.match(checks[1]!.reason ?? '', /libxtb/);
  assert.equal(checks[2]!.reason, 'cluster.xyz record 1: CHO model knows H, C, O only; this structure has Ar');
  await assert.rejects(session.startJob({ kind: 'md', docId: doc.id, index: 0, calculator: 'nope', steps: 5 }), UnknownCalculatorError);
});

test('a trajectory exports as PDB, and POSCAR refuses several structures with a message saying what to do', async () => {
  const { session } = newSession();
  const doc = await open(session, 'tetrahedron.xyz', TETRAHEDRON);
  const job = await session.startJob({ kind: 'md', docId: doc.id, index: 0, calculator: 'lj', steps: 20, every: 10 });
  await session.whenJobFinished(job.id);
  await session.whenIdle();
  const trajectoryId = (await session.listJobs())[0]!.outputDocIds![0]!;
  const pdb = await session.exportDocument(trajectoryId, 'pdb');
  assert.equal(pdb.records, 3);
  assert.match(pdb.fileName, /\.pdb$/);
  assert.equal(new TextDecoder().decode(pdb.bytes).match(/^ATOM|^HETATM/gm)?.length, 12);
  await assert.rejects(session.exportDocument(trajectoryId, 'poscar'), /POSCAR file holds one structure; this export has 3/);
  await assert.rejects(session.exportDocument(trajectoryId, 'poscar', [2]), /POSCAR needs a unit cell/);
});

test('an md run a watchdog stops ends with an error row naming the step and keeps its frames', async () => {
  const { session } = newSession();
  // The squashed cluster heats far above 5 x 30 K within the first steps: the temperature watchdog fires.
  const doc = await open(session, 'cluster.xyz', CLUSTER);
  const started = await session.startJob({ kind: 'md', docId: doc.id, index: 0, calculator: 'lj', steps: 200, every: 1, temperature: 30, timestep: 1 });
  const final = await session.whenJobFinished(started.id);
  await session.whenIdle();
  assert.equal(final.state, 'done');
  assert.equal(final.failed, 1);
  const row = (await session.getJobResults(started.id, { offset: 0, limit: 1 })).rows[0]!;
  assert.match(row.error ?? '', /stopped: step \d+: the temperature/);
  assert.equal(final.message, row.error);
  const trajectory = await session.getDocument(final.outputDocIds![0]!);
  assert.ok(trajectory.recordCount >= 1 && trajectory.recordCount < 201, `${trajectory.recordCount} frames`);
  assert.equal(trajectory.origin?.live, false);
});

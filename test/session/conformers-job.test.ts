import assert from 'node:assert/strict';
import { test } from 'node:test';
import { elementCoverageReason, type CalcRequest, type CalcResult, type Calculator } from '../../core/calc/calculator';
import { createLennardJonesCalculator } from '../../core/calc/analytic/lennard-jones';
import type { DocumentInfo, EquimolEvent, JobProgress } from '../../core/contract/equimol-api';
import { ContractError, validateCall } from '../../core/contract/validate';
import { perceivedAdjacency } from '../../core/sampling/conformers/stereo';
import { EquimolSession, type CalculatorEntry } from '../../core/session/session';
import type { Structure } from '../../core/structure/structure';

/** The Lennard-Jones potential (ε 1 eV, σ 1 Å) as a session calculator. */
const LJ_ENTRY: CalculatorEntry = {
  id: 'lj',
  description: createLennardJonesCalculator().description,
  create: async () => createLennardJonesCalculator(),
};

/**
 * A valence force field for one molecule: harmonic springs (20 eV/Å²) on the 1-2 and 1-3 distances of a reference
 * geometry, so bonds and angles keep their lengths while torsions turn freely, plus a soft 0.01·(2.5/r)^12 eV
 * repulsion between atoms farther apart. Cheap, smooth, and with many equal-energy conformers.
 */
function springCalculator(reference: Structure): Calculator {
  const n = reference.numbers.length;
  const graph = perceivedAdjacency(reference);
  const springs: Array<[number, number, number]> = [];
  const near = new Set<string>();
  const distance = (p: ArrayLike<number>, i: number, j: number) => Math.hypot(p[3 * i]! - p[3 * j]!, p[3 * i + 1]! - p[3 * j + 1]!, p[3 * i + 2]! - p[3 * j + 2]!);
  for (let i = 0; i < n; i++) {
    const partners = new Set<number>(graph[i]);
    for (const j of graph[i]!) for (const k of graph[j]!) if (k !== i) partners.add(k);
    for (const j of partners) {
      if (j <= i) continue;
      springs.push([i, j, distance(reference.positions, i, j)]);
      near.add(`${i},${j}`);
    }
  }
  const description = { id: 'spring', name: 'springs', method: 'analytic', elements: 'all' as const, charge: false, spin: false, periodic: false, stress: false };
  return {
    description,
    unsupportedReason: (s: Structure) => (s.numbers.length === n ? undefined : 'another molecule'),
    async calculate(structures: readonly Structure[]): Promise<Array<CalcResult | Error>> {
      return structures.map((s) => {
        const p = s.positions;
        const forces = new Float64Array(3 * n);
        let energy = 0;
        const pair = (i: number, j: number, e: number, dEdr: number, r: number) => {
          energy += e;
          for (let k = 0; k < 3; k++) {
            const f = (-dEdr * (p[3 * i + k]! - p[3 * j + k]!)) / r;
            forces[3 * i + k] = forces[3 * i + k]! + f;
            forces[3 * j + k] = forces[3 * j + k]! - f;
          }
        };
        for (const [i, j, r0] of springs) {
          const r = distance(p, i, j);
          pair(i, j, 10 * (r - r0) ** 2, 20 * (r - r0), r);
        }
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            if (near.has(`${i},${j}`)) continue;
            const r = distance(p, i, j);
            const x = (2.5 / r) ** 12;
            pair(i, j, 0.01 * x, (-12 * 0.01 * x) / r, r);
          }
        }
        return { energy, forces, atomArrays: {}, extras: {} };
      });
    },
  } as unknown as Calculator;
}

/** A slightly irregular Ar6 octahedron near the LJ minimum (edges ≈ 2^(1/6) σ). */
const OCTAHEDRON = `6
ar6
Ar  0.80  0.00  0.00
Ar -0.79  0.00  0.02
Ar  0.00  0.81  0.00
Ar  0.01 -0.79  0.00
Ar  0.00  0.00  0.80
Ar  0.00  0.02 -0.80
`;

function newSession(extra: CalculatorEntry[] = []): { session: EquimolSession; events: EquimolEvent[] } {
  const session = new EquimolSession({ calculators: [LJ_ENTRY, ...extra], samplerEventIntervalMs: 0, documentEventIntervalMs: 0 });
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

test('a conformers job on an LJ cluster streams ESS per rung and makes one sorted, weighted conformers document', async () => {
  const { session, events } = newSession();
  const doc = await open(session, 'ar6.xyz', OCTAHEDRON);
  const rungs = 3;
  const started = await session.startJob({
    kind: 'conformers',
    docIds: [doc.id],
    calculator: 'lj',
    population: 6,
    startTemperature: 600,
    temperature: 100,
    rungs,
    stepsPerRung: 20,
    seed: 5,
  });
  assert.equal(started.unit, 'steps');
  assert.equal(started.total, rungs + 1);
  const final = await session.whenJobFinished(started.id);
  await session.whenIdle();
  assert.equal(final.state, 'done', final.message);
  assert.equal(final.done, rungs + 1);

  const annealing = progressOf(events, started.id).flatMap((p) => (p.sampler?.stage === 'annealing' ? [p.sampler] : []));
  assert.deepEqual(
    annealing.map((s) => s.rung),
    [0, 1, 2],
  );
  annealing.forEach((s, k) => {
    assert.equal(s.rungs, rungs);
    assert.equal(s.ess?.length, k + 1);
    assert.ok(s.ess!.every((e) => e > 0 && e <= 6 + 1e-9), `ESS ${s.ess?.join(', ')}`);
  });
  assert.ok(progressOf(events, started.id).some((p) => p.sampler?.stage === 'relaxing'));

  const results = await session.getJobResults(started.id, { offset: 0, limit: 10 });
  assert.equal(results.total, 1);
  const row = results.rows[0]!;
  assert.equal(row.error, undefined);
  const conformerCount = row.values['conformers'] as number;
  assert.ok(conformerCount >= 1);
  assert.equal(row.values['final_ess'], annealing.at(-1)!.ess!.at(-1));
  assert.equal(row.values['starts'], 1);
  const dropped = ['dropped_connectivity', 'dropped_stereo', 'dropped_duplicates', 'dropped_window', 'failed'].reduce((s, k) => s + (row.values[k] as number), 0);
  assert.equal(row.values['candidates'], 6 + 1 + (rungs - 1) * 6, 'relaxed: the final replicas, the start and the replicas at the end of each earlier rung');
  assert.equal(conformerCount + dropped, row.values['candidates'], 'every candidate is a conformer or counted as dropped');
  // The LJ6 octahedron's energy at its minimum is −12.712 ε (Wales & Doye 1997), less ASE's cutoff shift.
  assert.ok((row.values['lowest_energy'] as number) < -12, `lowest ${row.values['lowest_energy']} eV`);

  const outputs = final.outputDocIds ?? [];
  assert.equal(outputs.length, 1);
  const ensemble = await session.getDocument(outputs[0]!);
  assert.equal(ensemble.name, 'ar6-1-conformers.sdf');
  assert.deepEqual({ ...ensemble.origin }, { kind: 'conformers', jobId: started.id, jobKind: 'conformers', sourceDocId: doc.id, sourceIndex: 0, calculator: 'lj', live: false });
  assert.equal(ensemble.recordCount, conformerCount);
  assert.ok(ensemble.columns.some((c) => c.key === 'relative_energy' && c.unit === 'kcal/mol'));
  const series = await session.getColumnValues(ensemble.id, ['energy', 'relative_energy', 'boltzmann_weight', 'conformer_rank']);
  const energies = series.values['energy'] as number[];
  assert.deepEqual(energies, [...energies].sort((a, b) => a - b));
  assert.equal(energies[0], row.values['lowest_energy']);
  assert.equal(series.values['relative_energy']![0], 0);
  assert.ok(Math.abs((series.values['boltzmann_weight'] as number[]).reduce((s, w) => s + w, 0) - 1) < 1e-12);
  assert.deepEqual(series.values['conformer_rank'], energies.map((_, k) => k + 1));
  // SDF export carries the ensemble fields.
  const exported = await session.exportDocument(ensemble.id, 'sdf');
  const text = new TextDecoder().decode(exported.bytes);
  assert.equal(exported.records, conformerCount);
  for (const field of ['energy', 'relative_energy', 'boltzmann_weight', 'conformer_rank']) assert.match(text, new RegExp(`> +<${field}>`));
});

test('a conformers job on a SMILES record starts from several seeded embeddings of it', async () => {
  const { session: probe } = newSession();
  const smiDoc = await open(probe, 'butanol.smi', 'CCCCO butanol\n');
  const molecule = await probe.getStructure(smiDoc.id, 0);
  const entry: CalculatorEntry = {
    id: 'spring',
    description: springCalculator(molecule).description,
    create: async () => springCalculator(molecule),
  };
  const { session } = newSession([entry]);
  const doc = await open(session, 'butanol.smi', 'CCCCO butanol\n');
  const started = await session.startJob({ kind: 'conformers', docIds: [doc.id], calculator: 'spring', population: 8, rungs: 2, stepsPerRung: 10, seed: 3, windowKcal: 50 });
  const final = await session.whenJobFinished(started.id);
  await session.whenIdle();
  assert.equal(final.state, 'done', final.message);
  const row = (await session.getJobResults(started.id, { offset: 0, limit: 1 })).rows[0]!;
  assert.equal(row.error, undefined);
  assert.ok((row.values['starts'] as number) >= 4, `starts ${row.values['starts']}`);
  const kept = row.values['conformers'] as number;
  const dropped = ['dropped_connectivity', 'dropped_stereo', 'dropped_duplicates', 'dropped_window', 'failed'].reduce((s, k) => s + (row.values[k] as number), 0);
  assert.ok(kept >= 1, `conformers ${kept}`);
  assert.equal(row.values['candidates'], 8 + (row.values['starts'] as number) + 8, 'final replicas, starts, and the first rung\'s replicas');
  assert.equal(kept + dropped, row.values['candidates']);
  const ensemble = await session.getDocument(final.outputDocIds![0]!);
  assert.equal(ensemble.name, 'butanol-1-conformers.sdf');
  const best = await session.getStructure(ensemble.id, 0);
  assert.equal(best.properties['conformer_rank'], 1);
  assert.equal(best.name, 'butanol');
});

test('a conformers job on a molecule the calculator cannot evaluate gives an error row; bad requests are rejected', async () => {
  const { session } = newSession([
    {
      id: 'model:cho',
      description: { id: 'model:cho', name: 'CHO model', method: 'model', elements: [1, 6, 8], charge: false, spin: false, periodic: true, stress: true },
      create: async () => {
        const lj = createLennardJonesCalculator();
        return {
          description: { ...lj.description, id: 'model:cho', elements: [1, 6, 8] },
          unsupportedReason: (s: Structure) => elementCoverageReason(s, [1, 6, 8]),
          calculate: (s: readonly Structure[], r: CalcRequest) => lj.calculate(s, r),
        } as Calculator;
      },
    },
  ]);
  const doc = await open(session, 'ar6.xyz', OCTAHEDRON);
  // Two molecules: progress counts molecules, one conformers document each.
  const second = await open(session, 'ar6b.xyz', OCTAHEDRON.replace('ar6', 'ar6b'));
  const started = await session.startJob({ kind: 'conformers', docIds: [doc.id, second.id], calculator: 'lj', population: 4, rungs: 2, stepsPerRung: 5 });
  assert.equal(started.unit, 'structures');
  assert.equal(started.total, 2);
  const both = await session.whenJobFinished(started.id);
  assert.equal(both.state, 'done');
  assert.equal(both.done, 2);
  const names = await Promise.all((both.outputDocIds ?? []).map(async (id) => (await session.getDocument(id)).name));
  assert.deepEqual(names, ['ar6-1-conformers.sdf', 'ar6b-1-conformers.sdf']);
  // The start temperature must be above the target.
  await assert.rejects(session.startJob({ kind: 'conformers', docIds: [doc.id], calculator: 'lj', startTemperature: 200, temperature: 300 }), /startTemperature/);

  const call = (request: Record<string, unknown>) => validateCall('equimol:startJob', [{ kind: 'conformers', docIds: ['doc-1'], calculator: 'lj', ...request }]);
  assert.doesNotThrow(() => call({ population: 16, rungs: 4, stepsPerRung: 50, essThreshold: 1, windowKcal: 3, rmsdThreshold: 0.2, seed: -3 }));
  for (const [bad, pattern] of [
    [{ population: 1 }, /population must be in 2\.\.4096/],
    [{ population: 5000 }, /population/],
    [{ temperature: 0 }, /temperature must be > 0/],
    [{ startTemperature: 300, temperature: 400 }, /startTemperature must be above the temperature/],
    [{ rungs: 0 }, /rungs must be in 1\.\.1000/],
    [{ stepsPerRung: 100_001 }, /stepsPerRung/],
    [{ essThreshold: 0 }, /essThreshold must be > 0/],
    [{ essThreshold: 1.5 }, /essThreshold must be <= 1/],
    [{ windowKcal: 0 }, /windowKcal/],
    [{ rmsdThreshold: -1 }, /rmsdThreshold/],
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ torsions: true }, /unknown field 'torsions'/],
  ] as const) {
    assert.throws(() => call(bad), (e: unknown) => e instanceof ContractError && pattern.test(e.message), JSON.stringify(bad));
  }
  assert.throws(() => validateCall('equimol:startJob', [{ kind: 'conformers', docIds: ['doc-1'], calculator: 'nope' }], { calculatorIds: ['lj'] }), /not a known calculator/);

  // Argon is not among the model's elements: an error row naming the element, and no document.
  const uncovered = await session.startJob({ kind: 'conformers', docIds: [doc.id], calculator: 'model:cho', population: 4, rungs: 2, stepsPerRung: 5 });
  const done = await session.whenJobFinished(uncovered.id);
  assert.equal(done.state, 'done');
  assert.equal(done.failed, 1);
  assert.deepEqual(done.outputDocIds ?? [], []);
  const [bad] = (await session.getJobResults(uncovered.id, { offset: 0, limit: 1 })).rows;
  assert.match(bad!.error ?? '', /conformer search of ar6 #1 stopped: .*Ar/);
});

/**
 * Generation throughput (core/generative/generation.ts, the run of `equimol generate` and the generate job, without
 * scoring): samples/s of EDM and GeoBFN generators at each step count (1000 / 250 / 100 / 50 steps; --quick: 50 and
 * 10) with each step schedule of core/generative/step-schedules.ts, each beside the uniform schedule measured in the
 * same run at the same step count as its baseline. log-snr and karras only move the steps (same network
 * evaluations, ratio ≈ 1); measured adds its pilot run (8 molecules at max(steps, 100) uniform steps), which its
 * figure includes.
 *
 * The generators are seeded, untrained models of the QM9 recipes' size (scripts/train-{edm,geobfn}-qm9.ts: EGNN of
 * 64 features × 4 layers, H C N O F, EDM with T = 1000): the network's cost does not depend on its weights, and the
 * molecules all have 18 atoms (QM9's mean atom count, so every schedule and step count sees the same graphs; the
 * graphs are fully connected). One batch of 32 molecules (--quick: 16), tfjs-wasm, after an untimed warm-up run.
 *
 * The sampling runs take the fused native denoiser (core/generative/edm/fused-dynamics.ts) where the addon is built and
 * EQUIMOL_FUSED is on; one more figure per generator (100 steps; --quick: 10, uniform) sets it beside the tfjs
 * composition, switched off for that run only, as its baseline.
 */
import { createEdm } from '../core/generative/edm/edm-model';
import { fusedDenoiserKernel, setFusedDenoiser } from '../core/generative/edm/fused-dynamics';
import { generateMolecules, type GeneratorModel, type StepScheduleKind } from '../core/generative/generation';
import { createGeoBfn } from '../core/generative/geobfn/geobfn-model';
import { stepScheduleKinds } from '../core/generative/step-schedules';
import { initNodeBackend } from '../main/models/node-backend';
import { timeIt, type BenchFigure, type BenchSuite } from './harness';

/** QM9's mean atom count (with hydrogens). */
const ATOMS = 18;

/** An atom-count histogram with mass at `ATOMS` only (sizes the generators' p(N); the runs fix the count anyway). */
function histogram(): number[] {
  const counts = new Array<number>(30).fill(0);
  counts[ATOMS] = 1;
  return counts;
}

/** Samples/s with the fused denoiser, against the tfjs composition (the fused kernel switched off) in the same run. */
async function fusedAgainstComposition(name: string, model: GeneratorModel, count: number, steps: number, backend: string, log: (line: string) => void): Promise<BenchFigure> {
  const rate = async (): Promise<number> => count / ((await timeIt(() => generateMolecules(model, { count, seed: 1, steps, atoms: ATOMS, batchSize: count }))).ms / 1000);
  setFusedDenoiser(false);
  let composition: number;
  try {
    composition = await rate();
  } finally {
    setFusedDenoiser(true);
  }
  const fused = await rate();
  log(`${name}, ${steps} steps: fused denoiser ${fused.toFixed(2)} samples/s, tfjs composition ${composition.toFixed(2)} (${(fused / composition).toFixed(2)}×)`);
  return {
    name: `${name}: samples/s, ${steps} steps, fused native denoiser`, value: fused, unit: 'samples/s', better: 'higher', backend,
    baseline: { name: 'the tfjs composition (EQUIMOL_FUSED=0 for the denoiser)', value: composition },
    note: `${count} molecules of ${ATOMS} atoms in one batch, uniform steps`,
  };
}

export const suite: BenchSuite = {
  name: 'generation',
  async run({ quick, log }) {
    const backend = await initNodeBackend('wasm');
    const count = quick ? 16 : 32;
    const stepCounts = quick ? [50, 10] : [1000, 250, 100, 50];
    const generators: Array<[string, GeneratorModel]> = [
      ['EDM 64×4 (T = 1000)', createEdm({ atomCounts: histogram(), features: 64, layers: 4, seed: 1, schedule: { kind: 'polynomial', timesteps: 1000, power: 2, precision: 1e-5 } })],
      ['GeoBFN 64×4', createGeoBfn({ atomCounts: histogram(), features: 64, layers: 4, seed: 1 })],
    ];
    const figures: BenchFigure[] = [];
    try {
      for (const [name, model] of generators) {
        // Untimed warm-up (kernel compilation, first allocations), so the first timed run, a uniform baseline, is not penalised.
        await generateMolecules(model, { count, seed: 2, steps: 3, atoms: ATOMS, batchSize: count });
        if (fusedDenoiserKernel()) figures.push(await fusedAgainstComposition(name, model, count, quick ? 10 : 100, backend.description, log));
        for (const steps of stepCounts) {
          let uniform: number | undefined;
          for (const schedule of stepScheduleKinds as readonly StepScheduleKind[]) {
            const { ms } = await timeIt(() => generateMolecules(model, { count, seed: 1, steps, schedule, atoms: ATOMS, batchSize: count }));
            const samplesPerSecond = count / (ms / 1000);
            log(`${name}, ${steps} steps, ${schedule}: ${samplesPerSecond.toFixed(2)} samples/s (${(ms / 1000).toFixed(1)} s for ${count})`);
            if (schedule === 'uniform') uniform = samplesPerSecond;
            figures.push({
              name: `${name}: samples/s, ${steps} steps, ${schedule} schedule`,
              value: samplesPerSecond, unit: 'samples/s', better: 'higher', backend: backend.description,
              ...(schedule !== 'uniform' && uniform !== undefined ? { baseline: { name: `uniform steps, ${steps} steps`, value: uniform } } : {}),
              note: `${count} molecules of ${ATOMS} atoms in one batch, ${steps + 1} network evaluations` +
                (schedule === 'measured' ? ` plus the pilot (8 molecules, ${Math.max(steps, 100)} steps)` : ''),
            });
          }
        }
      }
    } finally {
      for (const [, model] of generators) model.dispose();
    }
    return figures;
  },
};

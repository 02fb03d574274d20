/**
 * relax() (core/sampling/relax) on the shipped rMD17 ethanol models through the calculator catalogue
 * (main/calc/calculator-catalogue.ts → core/calc/model-calculator.ts): the first frame of
 * ../shared/datasets/botnet_ethanol_rmd17/test_MD.extxyz.gz (an MD snapshot at 500 K, fmax ≈ 3 eV/Å on the model)
 * relaxes to fmax ≤ 0.05 eV/Å with FIRE and with L-BFGS, the energy goes down, both optimizers end in the same
 * minimum (energies within 10 meV), the calculator leaves no tfjs tensor behind (tf.memory().numTensors the same
 * before the run, at every frame and after it) and reuses its Verlet list (far fewer neighbour-list builds than
 * evaluations). Measured with egnn-ethanol-rmd17 on this machine: FIRE 60 steps (~1 s), L-BFGS 29 steps (~0.25 s),
 * 1 to 2 list builds per run, E −4209.37 → −4210.22 eV.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { ModelCalculator, ModelCalculatorStats } from '../../core/calc/model-calculator';
import type { SamplerFrame, SamplerReport } from '../../core/sampling/frames';
import { relax } from '../../core/sampling/relax/relax';
import type { Structure } from '../../core/structure/structure';
import { createCalculator } from '../../main/calc/calculator-catalogue';
import { readStructures } from '../../main/io/read-structures';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATASET = join(REPO_ROOT, '..', 'shared', 'datasets', 'botnet_ethanol_rmd17', 'test_MD.extxyz.gz');
const skip = existsSync(DATASET) ? false : `dataset ${DATASET} not found`;

let firstFrame: Promise<Structure> | undefined;
function ethanolFrame(): Promise<Structure> {
  firstFrame ??= readStructures(DATASET).then((structures) => {
    assert.ok(structures.length > 0, `${DATASET} has no structures`);
    return structures[0]!;
  });
  return firstFrame;
}

interface TrackedRelaxation {
  readonly frames: SamplerFrame[];
  readonly report: SamplerReport;
  readonly tensorsBefore: number;
  /** tf.memory().numTensors when each frame was yielded (the calculator's call has resolved). */
  readonly tensorsAtFrames: number[];
  readonly tensorsAfter: number;
  readonly builds: number;
  readonly reuses: number;
  readonly ms: number;
}

function statsDelta(after: ModelCalculatorStats, before: ModelCalculatorStats): { builds: number; reuses: number } {
  return { builds: after.neighbourListBuilds - before.neighbourListBuilds, reuses: after.neighbourListReuses - before.neighbourListReuses };
}

async function trackedRelaxation(calculator: ModelCalculator, structure: Structure, optimizer: 'fire' | 'lbfgs'): Promise<TrackedRelaxation> {
  const statsBefore = calculator.stats();
  const tensorsBefore = tf.memory().numTensors;
  const tensorsAtFrames: number[] = [];
  const frames: SamplerFrame[] = [];
  const t0 = performance.now();
  const run = relax(structure, calculator, { optimizer, fmax: 0.05, maxSteps: 1000 });
  let report: SamplerReport;
  for (;;) {
    const next = await run.next();
    if (next.done) {
      report = next.value;
      break;
    }
    frames.push(next.value);
    tensorsAtFrames.push(tf.memory().numTensors);
  }
  const ms = performance.now() - t0;
  return { frames, report, tensorsBefore, tensorsAtFrames, tensorsAfter: tf.memory().numTensors, ...statsDelta(calculator.stats(), statsBefore), ms };
}

async function modelCalculator(name: string): Promise<ModelCalculator> {
  const calculator = await createCalculator(name);
  assert.ok('stats' in calculator && typeof calculator.stats === 'function', `${name} is a model calculator with stats()`);
  return calculator as ModelCalculator;
}

function checkRelaxation(name: string, optimizer: string, run: TrackedRelaxation): string {
  const { frames, report } = run;
  assert.equal(report.status, 'converged', `${name} ${optimizer}: ${report.summary}`);
  const first = frames[0]!, last = frames.at(-1)!;
  assert.ok(first.fmax > 1, `${name}: the rMD17 snapshot starts away from a minimum (fmax ${first.fmax} eV/Å)`);
  assert.ok(last.fmax <= 0.05, `${name} ${optimizer}: final fmax ${last.fmax} eV/Å`);
  assert.ok(last.energy < first.energy - 0.1, `${name} ${optimizer}: energy ${first.energy} → ${last.energy} eV did not go down`);
  // No tensor left behind by any step: the count at every frame and after the run is the count before it.
  assert.deepEqual(new Set(run.tensorsAtFrames), new Set([run.tensorsBefore]), `${name} ${optimizer}: numTensors at the frames ${run.tensorsAtFrames.join(', ')} vs ${run.tensorsBefore} before`);
  assert.equal(run.tensorsAfter, run.tensorsBefore, `${name} ${optimizer}: numTensors after the run`);
  const evaluations = report.calculatorCalls;
  assert.equal(run.builds + run.reuses, evaluations, `${name} ${optimizer}: every evaluation builds or reuses the Verlet list`);
  assert.ok(run.builds >= 1 && run.builds * 5 < evaluations, `${name} ${optimizer}: ${run.builds} neighbour-list builds for ${evaluations} evaluations`);
  return `${name} ${optimizer}: ${report.summary}; E ${first.energy.toFixed(3)} → ${last.energy.toFixed(3)} eV; ${run.builds} list builds / ${evaluations} evaluations; ${run.tensorsBefore} tensors throughout; ${run.ms.toFixed(0)} ms`;
}

for (const [name, optimizers] of [
  ['model:egnn-ethanol-rmd17', ['fire', 'lbfgs']],
  ['model:mace-ethanol-rmd17', ['lbfgs']],
] as const) {
  test(`relaxing an rMD17 ethanol frame on ${name} converges to fmax ≤ 0.05 eV/Å with ${optimizers.join(' and ')}, lowering the energy, leaking no tensors and reusing the Verlet list`, { skip }, async (t) => {
    const structure = await ethanolFrame();
    const calculator = await modelCalculator(name);
    try {
      const finals: number[] = [];
      for (const optimizer of optimizers) {
        const run = await trackedRelaxation(calculator, structure, optimizer);
        const line = checkRelaxation(name, optimizer, run);
        t.diagnostic(line);
        console.log(line);
        finals.push(run.frames.at(-1)!.energy);
      }
      if (finals.length === 2) assert.ok(Math.abs(finals[0]! - finals[1]!) < 0.01, `FIRE and L-BFGS minima differ: ${finals.join(' vs ')} eV`);
    } finally {
      calculator.dispose?.();
    }
  });
}

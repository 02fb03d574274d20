/**
 * What a finished training run leaves beside its model files: test predictions (per-structure energies and force
 * components), the metrics of each member and of the ensemble mean, the learning-curve and parity SVGs
 * (core/engine/train/training-plots.ts) and the model card NAME.md with the run record.
 */
import { evaluateModelBatch } from '../../core/calc/model-calculator';
import { referenceEnergy, referenceForces, type EvaluationResult } from '../../core/engine/eval';
import type { EnergyModel } from '../../core/engine/model';
import type { TrainHistoryEntry } from '../../core/engine/train/train-state';
import { parityPlotSvg, type ParityData } from '../../core/engine/train/training-plots';
import type { Structure } from '../../core/structure/structure';

/** Predicted energies (eV) and forces (eV/Å, flat) of `structures`, in order. */
export interface Predictions {
  readonly energy: Float64Array;
  readonly forces: Float64Array;
}

export async function predictAll(model: EnergyModel, structures: readonly Structure[], batchSize = 32): Promise<Predictions> {
  const energy = new Float64Array(structures.length);
  const forces = new Float64Array(3 * structures.reduce((n, s) => n + s.numbers.length, 0));
  let atom = 0;
  for (let start = 0; start < structures.length; start += batchSize) {
    const batch = structures.slice(start, start + batchSize);
    const result = await evaluateModelBatch(model, batch, { forces: true });
    energy.set(result.energy, start);
    forces.set(result.forces!, 3 * atom);
    atom += batch.reduce((n, s) => n + s.numbers.length, 0);
  }
  return { energy, forces };
}

/** The element-wise mean of several members' predictions. */
export function meanPredictions(members: readonly Predictions[]): Predictions {
  const mean = (pick: (p: Predictions) => Float64Array) => {
    const out = new Float64Array(pick(members[0]!).length);
    for (const m of members) pick(m).forEach((v, i) => { out[i] = out[i]! + v / members.length; });
    return out;
  };
  return { energy: mean((p) => p.energy), forces: mean((p) => p.forces) };
}

/** MAE/RMSE of predictions against the structures' labels, as evaluateModel reports them. */
export function metricsOf(structures: readonly Structure[], p: Predictions): EvaluationResult {
  let eAbs = 0, eSq = 0, ePerAtom = 0, nE = 0, fAbs = 0, fSq = 0, nF = 0, nFS = 0, atom = 0;
  structures.forEach((s, g) => {
    const n = s.numbers.length;
    const e = referenceEnergy(s);
    if (e !== undefined) {
      const err = p.energy[g]! - e;
      eAbs += Math.abs(err); eSq += err * err; ePerAtom += Math.abs(err) / Math.max(1, n); nE++;
    }
    const f = referenceForces(s);
    if (f) {
      for (let k = 0; k < 3 * n; k++) {
        const err = p.forces[3 * atom + k]! - f[k]!;
        fAbs += Math.abs(err); fSq += err * err; nF++;
      }
      nFS++;
    }
    atom += n;
  });
  return {
    structures: structures.length, withEnergy: nE, withForces: nFS,
    energyMAE_meV: nE ? (1000 * eAbs) / nE : NaN, energyRMSE_meV: nE ? 1000 * Math.sqrt(eSq / nE) : NaN,
    energyMAE_meV_per_atom: nE ? (1000 * ePerAtom) / nE : NaN,
    forceMAE_meV_per_A: nF ? (1000 * fAbs) / nF : NaN, forceRMSE_meV_per_A: nF ? 1000 * Math.sqrt(fSq / nF) : NaN,
  };
}

/** Parity panels: energy per atom (eV/atom, relative to the mean reference) and force components (eV/Å, at most `maxForces`). */
export function parityOf(structures: readonly Structure[], p: Predictions, maxForces = 4000): string {
  const energies: Array<[number, number]> = [];
  structures.forEach((s, g) => {
    const e = referenceEnergy(s);
    if (e !== undefined) energies.push([e / s.numbers.length, p.energy[g]! / s.numbers.length]);
  });
  const meanE = energies.reduce((a, [r]) => a + r, 0) / Math.max(1, energies.length);
  const forces: Array<[number, number]> = [];
  let atom = 0;
  for (const s of structures) {
    const f = referenceForces(s);
    if (f) for (let k = 0; k < f.length; k++) forces.push([f[k]!, p.forces[3 * atom + k]!]);
    atom += s.numbers.length;
  }
  const stride = Math.max(1, Math.ceil(forces.length / maxForces));
  const panels: ParityData[] = [];
  if (energies.length) panels.push({ label: 'energy per atom − mean', unit: 'eV/atom', pairs: energies.map(([r, q]) => [r - meanE, q - meanE] as const) });
  if (forces.length) panels.push({ label: stride > 1 ? `force components (every ${stride}th)` : 'force components', unit: 'eV/Å', pairs: forces.filter((_, i) => i % stride === 0) });
  return parityPlotSvg(panels, 'Test');
}

export interface MemberSummary {
  readonly file: string;
  readonly seed: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly stoppedBy: string;
  readonly test?: EvaluationResult;
  readonly validation?: EvaluationResult;
  readonly history: readonly TrainHistoryEntry[];
  readonly learningCurve: string;
}

export interface CardInput {
  readonly title: string;
  readonly description: string;
  readonly family: string;
  readonly parameters: number;
  readonly config: unknown;
  readonly dataDescription: string;
  readonly targets: string;
  readonly splitDescription: string;
  readonly records: number;
  readonly skipped: number;
  readonly skippedExamples: readonly string[];
  readonly members: readonly MemberSummary[];
  readonly ensemble?: { readonly kind: string; readonly test?: EvaluationResult; readonly note?: string };
  readonly budget: string;
  /** Each call that worked on this run: the command, when, where it resumed. */
  readonly sessions: readonly string[];
  readonly initWeightsSha256?: string;
  readonly init?: { readonly file: string; readonly sha256: string; readonly freeze: string };
  readonly optimiser: string;
  readonly backend: string;
  readonly parity?: string;
  readonly limitations: string;
  readonly citation: string;
  /** A command that re-measures the test error of the written model. */
  readonly check?: string;
}

const f2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(2));

/** The model card (Markdown). */
export function cardMarkdown(c: CardInput): string {
  const row = (name: string, m?: EvaluationResult) => `| ${name} | ${m?.structures ?? 0} | ${f2(m?.energyMAE_meV)} | ${f2(m?.energyMAE_meV_per_atom)} | ${f2(m?.energyRMSE_meV)} | ${f2(m?.forceMAE_meV_per_A)} | ${f2(m?.forceRMSE_meV_per_A)} |`;
  return [
    `# ${c.title}`, '', c.description, '',
    `- Family: \`${c.family}\`; ${c.parameters} parameters; config \`${JSON.stringify(c.config)}\``,
    `- Files: ${c.members.map((m) => `\`${m.file}\``).join(', ')} (+ \`.weights.bin\` each; Equimol model file v1)${c.members.length > 1 ? `; an ensemble of ${c.members.length} members (${c.ensemble?.kind}), one file per member${c.ensemble?.note ? `, and ${c.ensemble.note}` : ''}` : ''}`,
    `- Data: ${c.dataDescription}; targets ${c.targets}; ${c.records} records read, ${c.skipped} left out${c.skipped ? ` (missing or non-finite targets; first: ${c.skippedExamples.join('; ')})` : ''}`,
    `- Split: ${c.splitDescription}`,
    ...(c.init ? [`- Fine-tuned from \`${c.init.file}\` (weights SHA-256 ${c.init.sha256.slice(0, 16)}…), ${c.init.freeze}`] : []),
    `- Optimiser: ${c.optimiser}; backend ${c.backend}`,
    '', '## Test metrics (measured on the held-out test split)', '',
    '| model | structures | energy MAE (meV) | energy MAE (meV/atom) | energy RMSE (meV) | force MAE (meV/Å) | force RMSE (meV/Å) |',
    '|---|---|---|---|---|---|---|',
    ...c.members.map((m, k) => row(c.members.length > 1 ? `member ${k + 1}` : 'model', m.test)),
    ...(c.ensemble && c.members.length > 1 ? [row('ensemble mean', c.ensemble.test)] : []),
    '', '## Run record', '',
    ...c.members.map((m, k) => `- ${c.members.length > 1 ? `member ${k + 1} (seed ${m.seed})` : `seed ${m.seed}`}: ${m.epochs} epochs, best epoch ${m.bestEpoch}, ${Math.round(m.seconds)} s, stopped by ${m.stoppedBy}; validation force MAE ${f2(m.validation?.forceMAE_meV_per_A)} meV/Å, energy MAE ${f2(m.validation?.energyMAE_meV_per_atom)} meV/atom; learning curve ![learning curve](${m.learningCurve})`),
    `- Budget: ${c.budget}; start weights: ${c.initWeightsSha256 ? `SHA-256 ${c.initWeightsSha256}` : 'random (seeded)'}`,
    ...c.sessions.map((s, k) => `- session ${k + 1}: ${s}`),
    ...(c.check ? [`- Check: \`${c.check}\``] : []),
    ...(c.parity ? ['', `Parity on the test split: ![parity plot](${c.parity})`] : []),
    '', `- Limitations: ${c.limitations}`, `- Cite: ${c.citation}`, '',
  ].join('\n');
}

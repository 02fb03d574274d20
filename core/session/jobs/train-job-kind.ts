/**
 * Train jobs: training or fine-tuning an energy model on the labelled structures of open documents. Core checks
 * the request against the session (documents, targets and the keys they read, the model to fine-tune) and keeps
 * the job's progress; the training itself needs files and Node, so it runs in a Trainer the host provides
 * (main/train/train-job-host.ts, around `runTraining`). A session without one (web mode) refuses the job with
 * TRAIN_NEEDS_DESKTOP_REASON.
 * Progress: `done` counts epochs over all members (with a minutes-only budget, hundredths of the budget), and
 * JobProgress.sampler.train carries the epoch, step, loss, learning rate, validation errors, ETA and the whole
 * learning curve so far. Result rows: one per member (record null), with its test metrics. Cancelling keeps the
 * best checkpoint, a loadable model, listed like a finished one.
 */
import {
  TRAIN_NEEDS_DESKTOP_REASON,
  type SamplerJobStatus,
  type TrainJobRequest,
  type TrainJobStatus,
} from '../../contract/equimol-api';
import { parseTargetSpec, type TargetSpec } from '../../engine/train/dataset';
import { JobCancelledError } from '../../pipeline/cancel';
import type { ResultRow } from '../../pipeline/rows';
import type { PredictionColumn } from '../../predict/predictor';
import type { Structure } from '../../structure/structure';
import { jobLabel, type JobKindHandler, type JobServices } from './job-kind';

/** What a Trainer is handed: the request, every data structure (in document order) and where to report. */
export interface TrainerRun {
  readonly request: TrainJobRequest;
  readonly structures: readonly Structure[];
  /** The data documents' names, for the model card. */
  readonly dataNames: readonly string[];
  readonly signal: AbortSignal;
  /** Live status (epoch, loss, curve); the last one before the promise settles is the final one. */
  readonly onStatus: (status: TrainJobStatus) => void;
}

/** What a training run ended with: the final status (its `result` names the model) and each member's test metrics. */
export interface TrainerOutcome {
  readonly status: TrainJobStatus;
  readonly members: ReadonlyArray<{ readonly file: string; readonly epochs: number; readonly stoppedBy: string; readonly test?: { readonly energyMAE_meV_per_atom: number; readonly forceMAE_meV_per_A: number; readonly structures: number } }>;
}

/** Runs training for a session (the host's; none in web mode). */
export interface Trainer {
  /**
   * Throws naming the field when the request cannot run here (an unknown model to fine-tune, a name in use);
   * returns how many members the run trains (fine-tuning an ensemble file trains one per member of it).
   */
  check(request: TrainJobRequest): Promise<{ readonly members: number }>;
  train(run: TrainerRun): Promise<TrainerOutcome>;
}

/** The result rows' columns: a member's test metrics. */
export const TRAIN_COLUMNS: readonly PredictionColumn[] = [
  { key: 'test_energy_mae', label: 'Test energy MAE', unit: 'meV/atom', kind: 'number' },
  { key: 'test_force_mae', label: 'Test force MAE', unit: 'meV/Å', kind: 'number' },
  { key: 'test_structures', label: 'Test structures', unit: '', kind: 'number' },
  { key: 'epochs', label: 'Epochs', unit: '', kind: 'number' },
  { key: 'stopped_by', label: 'Stopped by', unit: '', kind: 'string' },
];

/** Default budget in epochs (as `equimol train`). */
export const TRAIN_DEFAULT_EPOCHS = 100;

/** The targets of a request, parsed (throws naming an unknown target or unit). */
export function trainTargets(request: Pick<TrainJobRequest, 'targets' | 'energyKey' | 'forcesKey'>): TargetSpec[] {
  const keys = { ...(request.energyKey ? { energy: request.energyKey } : {}), ...(request.forcesKey ? { forces: request.forcesKey } : {}) };
  const targets = (request.targets ?? ['energy:eV', 'forces:eV/Å']).map((t) => parseTargetSpec(t, keys));
  if (new Set(targets.map((t) => t.name)).size !== targets.length) throw new RangeError(`request.targets names a target twice: ${(request.targets ?? []).join(', ')}`);
  return targets;
}

/** Why none of `structures` can give `target` (naming the key and what the data has instead), or undefined. */
export function missingTargetReason(target: TargetSpec, structures: readonly Structure[], dataName: string): string | undefined {
  const perAtom = target.name === 'forces';
  const has = (s: Structure) => (perAtom ? s.atomArrays[target.key] !== undefined : s.properties[target.key] !== undefined);
  if (structures.some(has)) return undefined;
  const seen = new Set<string>();
  for (const s of structures.slice(0, 1000)) for (const key of Object.keys(perAtom ? s.atomArrays : s.properties)) seen.add(key);
  const what = perAtom ? 'per-atom array' : 'property';
  const plural = perAtom ? 'per-atom arrays' : 'properties';
  return `target ${target.name}: no structure of ${dataName} has the ${what} '${target.key}' (its ${plural}: ${[...seen].join(', ') || 'none'})`;
}

function trainerOf(services: JobServices): Trainer {
  if (!services.trainer) throw new Error(TRAIN_NEEDS_DESKTOP_REASON);
  return services.trainer;
}

export const trainJobKind: JobKindHandler<TrainJobRequest> = {
  kind: 'train',
  async plan(request, services) {
    const trainer = trainerOf(services);
    const documents = request.docIds.map((id) => services.documents.get(id));
    const targets = trainTargets(request);
    const structures = documents.flatMap((d) => d.rows.map((r) => d.structure(r.index)));
    const dataName = documents.map((d) => d.name).join(', ');
    if (structures.length === 0) throw new RangeError(`request.docIds: ${dataName} holds no structures`);
    for (const target of targets) {
      const reason = missingTargetReason(target, structures, dataName);
      if (reason) throw new RangeError(reason);
    }
    const { members } = await trainer.check(request);
    const perMember = request.epochs ?? (request.minutes ? 100 : TRAIN_DEFAULT_EPOCHS);
    const byTime = request.epochs === undefined && request.minutes !== undefined;
    return {
      label: jobLabel(`train ${request.name}${request.init ? ` (fine-tune ${request.init})` : ''}`, services, request.docIds),
      total: members * perMember,
      unit: 'steps',
      columns: TRAIN_COLUMNS,
      exportSuffix: 'training',
      async run(context, output) {
        let last: TrainJobStatus | undefined;
        const toSampler = (status: TrainJobStatus): SamplerJobStatus => ({
          step: status.member * perMember + Math.min(perMember, status.epoch), totalSteps: members * perMember, energy: Number.NaN, train: status,
        });
        const doneOf = (status: TrainJobStatus): number => {
          if (!byTime) return status.member * perMember + Math.min(perMember, status.epoch + (status.step >= status.stepsPerEpoch && status.stepsPerEpoch > 0 ? 1 : 0));
          return status.member * perMember; // minutes-only: whole members (the ETA says the rest)
        };
        const outcome = await trainer.train({
          request, structures, dataNames: documents.map((d) => d.name), signal: context.signal,
          onStatus: (status) => {
            last = status;
            context.reportSampler(toSampler(status), doneOf(status));
          },
        });
        last = outcome.status;
        const rows: ResultRow[] = outcome.members.map((m) => {
          const values = {
            test_energy_mae: m.test?.energyMAE_meV_per_atom ?? null, test_force_mae: m.test?.forceMAE_meV_per_A ?? null,
            test_structures: m.test?.structures ?? 0, epochs: m.epochs, stopped_by: m.stoppedBy,
          };
          return { file: dataName, record: null, line: 0, name: m.file, formula: '', nAtoms: null, status: 'ok', error: '', values };
        });
        output.addRows(rows, rows.map(() => request.docIds[0]!));
        const cancelled = last.result?.stoppedBy === 'cancelled' || context.signal.aborted;
        if (!cancelled) context.report(members * perMember);
        context.reportSampler(toSampler(last));
        if (last.result) context.setMessage(`${last.result.modelId}: ${last.result.files.join(', ')}${cancelled ? ' (cancelled: the best checkpoint so far)' : ''}`);
        if (cancelled) throw new JobCancelledError();
      },
    };
  },
};

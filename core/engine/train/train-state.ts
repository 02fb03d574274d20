/**
 * The state of a training run between two epochs, as plain data (typed arrays and numbers): enough for trainModel
 * to continue the run exactly where it stopped (same batches, same learning rates, same optimiser moments), which
 * is what a resume file holds (main/train/resume-file.ts writes it).
 */
import type { EvaluationResult } from '../eval';
import type { FlatAdamState } from './flat-adam';

export interface TrainHistoryEntry {
  readonly epoch: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly validation: EvaluationResult;
  /** Wall-clock seconds since the run started (earlier sessions of a resumed run included). */
  readonly seconds?: number;
}

export interface TrainState {
  readonly version: 1;
  /** Weight names in the optimiser's order (sorted), to check the model matches. */
  readonly weightNames: readonly string[];
  readonly trainStructures: number;
  readonly validationStructures: number;
  /** Epochs completed. */
  readonly epochsDone: number;
  /** Optimiser steps taken. */
  readonly step: number;
  /** Numbers drawn from the seeded generator so far (the generator is replayed to this point). */
  readonly randomDraws: number;
  /** Training-set indices still to come in the current pass over the shuffled training set. */
  readonly pass: readonly number[];
  readonly plateauLearningRate: number;
  /** Best validation score so far; null before the first validation. */
  readonly bestScore: number | null;
  readonly bestEpoch: number;
  readonly bestValidation?: EvaluationResult;
  readonly sinceBest: number;
  readonly history: readonly TrainHistoryEntry[];
  readonly elapsedSeconds: number;
  readonly optimiser: FlatAdamState;
  /** Best EMA weights so far (optimiser order). */
  readonly best?: readonly Float32Array[];
  /** Set when the run ended (then there is nothing to resume). */
  readonly finished?: 'max-epochs' | 'early-stopping' | 'time-budget';
}

/**
 * Whether a run that ended can go on with a larger budget: a time-budget end with more seconds, a max-epochs end
 * with more epochs (the schedule then follows the new budget, so it is no longer one uninterrupted run).
 */
export function canContinue(state: TrainState, budget: { readonly maxEpochs: number; readonly timeBudgetSeconds?: number }): boolean {
  if (!state.finished) return state.epochsDone < budget.maxEpochs;
  if (state.finished === 'time-budget') return budget.timeBudgetSeconds === undefined || budget.timeBudgetSeconds > state.elapsedSeconds;
  if (state.finished === 'max-epochs') return budget.maxEpochs > state.epochsDone;
  return false;
}

/** A seeded generator that counts its draws, so that a resumed run can replay it to the same point. */
export function countingRandom(source: () => number): { readonly next: () => number; readonly draws: () => number; skipTo(count: number): void } {
  let draws = 0;
  const next = () => {
    draws++;
    return source();
  };
  return {
    next,
    draws: () => draws,
    skipTo(count: number) {
      if (count < draws) throw new Error(`cannot rewind the random generator from ${draws} to ${count} draws`);
      while (draws < count) next();
    },
  };
}

/** Names of a model's weights that belong to the readout or output heads (first path segment readout*, head*). */
export function headWeightNames(names: readonly string[]): string[] {
  return names.filter((n) => /^(readout|head)/i.test(n.split('/')[0]!));
}

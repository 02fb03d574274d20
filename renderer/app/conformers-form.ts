/**
 * The Conformers dialog's form: defaults, checks and the job request it makes (core/contract ConformersJobRequest).
 * Pure, so it is tested in Node. Units: temperatures K, energy window kcal/mol, RMSD threshold Å.
 */
import type { ConformersJobRequest, DocumentId } from '../../core/contract/equimol-api';

export interface ConformersForm {
  /** Replicas annealed together. */
  readonly population: number;
  /** Annealing starts here, K. */
  readonly startTemperature: number;
  /** Target of the annealing and of the Boltzmann weights, K. */
  readonly temperature: number;
  readonly rungs: number;
  readonly stepsPerRung: number;
  /** Energy window above the lowest conformer, kcal/mol. */
  readonly windowKcal: number;
  /** Heavy-atom RMSD below which two conformers are one, Å. */
  readonly rmsdThreshold: number;
  /** Resample when the effective sample size falls below this fraction of the population. */
  readonly essThreshold: number;
  readonly seed: number;
}

/** The search's defaults (core CONFORMER_SEARCH_DEFAULTS): 16 replicas from 1200 K down to 298.15 K over 6 rungs of 50 steps, 6 kcal/mol, 0.125 Å, ESS 0.5, seed 1. */
export const DEFAULT_CONFORMERS_FORM: ConformersForm = {
  population: 16,
  startTemperature: 1200,
  temperature: 298.15,
  rungs: 6,
  stepsPerRung: 50,
  windowKcal: 6,
  rmsdThreshold: 0.125,
  essThreshold: 0.5,
  seed: 1,
};

function wholeAtLeast(value: number, min: number, what: string): string | null {
  return Number.isInteger(value) && value >= min ? null : `${what} must be a whole number ≥ ${min}, got ${value}`;
}

function positive(value: number, what: string, unit: string): string | null {
  return Number.isFinite(value) && value > 0 ? null : `${what} must be a positive number (${unit}), got ${value}`;
}

/** Why the conformers form cannot be submitted, or null. */
export function conformersFormProblem(form: ConformersForm): string | null {
  return (
    wholeAtLeast(form.population, 2, 'Population') ??
    positive(form.startTemperature, 'Start temperature', 'K') ??
    positive(form.temperature, 'Temperature', 'K') ??
    (form.startTemperature > form.temperature ? null : `Start temperature (${form.startTemperature} K) must be above the temperature (${form.temperature} K)`) ??
    wholeAtLeast(form.rungs, 1, 'Rungs') ??
    wholeAtLeast(form.stepsPerRung, 1, 'Steps per rung') ??
    positive(form.windowKcal, 'Energy window', 'kcal/mol') ??
    positive(form.rmsdThreshold, 'RMSD threshold', 'Å') ??
    (Number.isFinite(form.essThreshold) && form.essThreshold > 0 && form.essThreshold <= 1 ? null : `ESS threshold must be a fraction in (0, 1], got ${form.essThreshold}`) ??
    wholeAtLeast(form.seed, 0, 'Seed')
  );
}

/** A conformers request for one structure of a document, every setting explicit. */
export function conformersRequest(docId: DocumentId, index: number, calculator: string, form: ConformersForm): ConformersJobRequest {
  return {
    kind: 'conformers',
    docIds: [docId],
    indices: [index],
    calculator,
    population: form.population,
    startTemperature: form.startTemperature,
    temperature: form.temperature,
    rungs: form.rungs,
    stepsPerRung: form.stepsPerRung,
    essThreshold: form.essThreshold,
    windowKcal: form.windowKcal,
    rmsdThreshold: form.rmsdThreshold,
    seed: form.seed,
  };
}

/**
 * Reads a training run's data: structure files (any readable format, gzip detected), optional CSV labels beside
 * them, targets with units (core/engine/train/dataset.ts), and the train / validation / test split (random, by
 * name, by scaffold, or explicit validation and test files).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { formatIssue, labelDataset, parseCsvTable, parseTargetSpec, type DatasetIssue, type TargetSpec } from '../../core/engine/train/dataset';
import { splitByName, splitByScaffold, splitRandom, type DatasetSplit } from '../../core/engine/train/splits';
import type { Structure } from '../../core/structure/structure';
import { readStructures } from '../io/read-structures';

export type SplitKind = 'random' | 'name' | 'scaffold';

export interface DataConfig {
  readonly data: readonly string[];
  /** CSV with per-structure targets for `data` (all files in order), matched by order or by `labelsNameColumn`. */
  readonly labels?: string;
  readonly labelsNameColumn?: string;
  /** 'energy:eV', 'forces:eV/Å' ... */
  readonly targets: readonly string[];
  readonly energyKey?: string;
  readonly forcesKey?: string;
  readonly split: SplitKind;
  readonly validation: number;
  readonly test: number;
  readonly splitSeed: number;
  /** Explicit sides: then `data` is all training data (minus `validation` when no validation file). */
  readonly validationFiles?: readonly string[];
  readonly testFiles?: readonly string[];
  /** Keep only the first N test structures (smoke runs). */
  readonly testLimit?: number;
}

export interface TrainingData extends DatasetSplit<Structure> {
  readonly targets: readonly TargetSpec[];
  /** Records read from every file and how many were left out (with why). */
  readonly records: number;
  readonly skipped: readonly DatasetIssue[];
  /** One line describing the split, for the card. */
  readonly splitDescription: string;
}

async function readText(path: string): Promise<string> {
  let bytes: Buffer = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return bytes.toString('utf8');
}

async function readAll(files: readonly string[]): Promise<Structure[]> {
  const out: Structure[] = [];
  for (const file of files) out.push(...await readStructures(file));
  return out;
}

/** Reads, labels and splits the data of a run; throws naming the file when nothing usable is left. */
export async function loadTrainingData(config: DataConfig): Promise<TrainingData> {
  const keys = { ...(config.energyKey ? { energy: config.energyKey } : {}), ...(config.forcesKey ? { forces: config.forcesKey } : {}) };
  const targets = config.targets.map((t) => parseTargetSpec(t, keys));
  if (new Set(targets.map((t) => t.name)).size !== targets.length) throw new Error(`a target is named twice: ${config.targets.join(', ')}`);
  const csv = config.labels ? { table: parseCsvTable(await readText(config.labels), config.labels), ...(config.labelsNameColumn ? { nameColumn: config.labelsNameColumn } : {}) } : undefined;
  if (csv && (config.validationFiles?.length || config.testFiles?.length)) throw new Error('--labels applies to the DATA files only: give validation and test files their labels inside them');
  const main = labelDataset(await readAll(config.data), targets, csv);
  let records = main.records;
  const skipped = [...main.skipped];
  const side = async (files: readonly string[] | undefined) => {
    if (!files || files.length === 0) return undefined;
    const labelled = labelDataset(await readAll(files), targets);
    records += labelled.records;
    skipped.push(...labelled.skipped);
    return labelled.structures;
  };
  const validationFile = await side(config.validationFiles);
  const testFile = await side(config.testFiles);
  if (main.structures.length === 0) {
    const why = skipped.length > 0 ? `; first: ${formatIssue(skipped[0]!)}` : '';
    throw new Error(`${config.data.join(', ')}: no record has every target (${targets.map((t) => `${t.name} from '${t.key}'`).join(', ')})${why}`);
  }
  const fractions = {
    seed: config.splitSeed,
    validation: validationFile ? 0 : config.validation,
    test: testFile ? 0 : config.test,
  };
  let split: DatasetSplit<Structure>;
  if (config.split === 'random') split = splitRandom(main.structures, fractions);
  else if (config.split === 'name') split = splitByName(main.structures, fractions);
  else {
    const { loadRDKit } = await import('../../core/toolkits/toolkits');
    await loadRDKit();
    const { murckoScaffold } = await import('../../core/chem/scaffold');
    const scaffolds = main.structures.map((s) => murckoScaffold(s));
    split = splitByScaffold(main.structures, (_, i) => scaffolds[i]!, fractions);
  }
  const train = split.train;
  const validation = validationFile ?? split.validation;
  const test = (testFile ?? split.test).slice(0, config.testLimit ?? Infinity);
  if (train.length === 0) throw new Error(`the split left no training structures (${main.structures.length} labelled; validation ${fractions.validation}, test ${fractions.test})`);
  if (validation.length === 0) throw new Error('the split left no validation structures: raise --validation or give --validation-file');
  const sideText = (files: readonly string[] | undefined, fraction: number, what: string) => (files?.length ? `${what} from ${files.join(', ')}` : `${what} ${fraction}`);
  const splitDescription = `${config.split} split (seed ${config.splitSeed}): ${sideText(config.validationFiles, config.validation, 'validation')}, ${sideText(config.testFiles, config.test, 'test')}; ${train.length} train / ${validation.length} validation / ${test.length} test structures`;
  return { train, validation, test, targets, records, skipped, splitDescription };
}

/**
 * The Train dialog's form (pure, tested in Node): what the current document offers to train on (its numeric file
 * properties as energies, its per-atom 3-vectors as forces, with the units the trainer converts), defaults, the
 * checks (each naming the field), the TrainJobRequest it makes, and the train panel's text (ETA, test metrics).
 */
import {
  TRAIN_FAMILIES,
  TRAIN_SIZES,
  type CalculatorInfo,
  type ColumnInfo,
  type DocumentId,
  type JobProgress,
  type TrainFamily,
  type TrainJobRequest,
  type TrainJobStatus,
  type TrainSize,
} from '../../core/contract/equimol-api';
import { ENERGY_UNITS, FORCE_UNITS } from '../../core/engine/train/dataset';
import type { Structure } from '../../core/structure/structure';
import type { PlotSeries } from './components/series-plot';
import { formatDuration } from './util/format';

export const ENERGY_UNIT_CHOICES: readonly string[] = Object.keys(ENERGY_UNITS);
/** The Å spellings only (the ASCII 'A' aliases mean the same). */
export const FORCE_UNIT_CHOICES: readonly string[] = Object.keys(FORCE_UNITS).filter((u) => !u.endsWith('/A'));
export { TRAIN_FAMILIES, TRAIN_SIZES };

/** What a document can be trained on: energy columns (numeric file properties) and force arrays (per-atom width 3). */
export interface TrainData {
  readonly docId: DocumentId;
  readonly docName: string;
  readonly recordCount: number;
  readonly energyKeys: ReadonlyArray<{ readonly key: string; readonly unit: string }>;
  readonly forceKeys: readonly string[];
}

/** The choices of a document: its numeric file columns and the float 3-vector arrays of its first structure. */
export function trainDataOf(doc: { readonly id: DocumentId; readonly name: string; readonly recordCount: number; readonly columns: readonly ColumnInfo[] }, first: Structure | null): TrainData {
  const energyKeys = doc.columns.filter((c) => c.kind === 'number' && c.source === 'file').map((c) => ({ key: c.key, unit: c.unit }));
  const forceKeys = first ? Object.entries(first.atomArrays).filter(([, a]) => a.kind === 'float' && a.width === 3).map(([k]) => k) : [];
  return { docId: doc.id, docName: doc.name, recordCount: doc.recordCount, energyKeys, forceKeys };
}

export interface TrainForm {
  readonly useEnergy: boolean;
  readonly energyKey: string;
  readonly energyUnit: string;
  readonly useForces: boolean;
  readonly forcesKey: string;
  readonly forcesUnit: string;
  readonly family: TrainFamily;
  readonly size: TrainSize;
  readonly split: 'random' | 'name' | 'scaffold';
  /** Fractions of the data. */
  readonly validation: number;
  readonly test: number;
  /** 'epochs': at most `epochs`; 'minutes': `minutes` of wall time per member. */
  readonly budget: 'epochs' | 'minutes';
  readonly epochs: number;
  readonly minutes: number;
  readonly members: number;
  /** '' trains from scratch; else the model id to fine-tune. */
  readonly init: string;
  readonly freezeTrunk: boolean;
  readonly unfreezeAfter: number;
  readonly refitReferenceEnergies: boolean;
  readonly name: string;
  readonly seed: number;
}

/** A unit the trainer knows from a column's unit text ('eV', 'kcal/mol'), or undefined. */
function knownUnit(unit: string, units: readonly string[]): string | undefined {
  return units.find((u) => u.toLowerCase() === unit.trim().toLowerCase());
}

/** A model name from the document's name: 'ethanol.extxyz' → 'ethanol-model'. */
export function defaultModelName(docName: string): string {
  const stem = docName.replace(/\.gz$/i, '').replace(/\.[^.]+$/, '');
  const safe = stem.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return `${safe || 'my'}-model`;
}

/**
 * Energy and forces when the document has them ('energy', 'forces' first, else the first candidates), a small
 * MACE, random 80/10/10 split, 100 epochs, one member, trained from scratch, seed 1.
 */
export function defaultTrainForm(data: TrainData): TrainForm {
  const energy = data.energyKeys.find((e) => e.key === 'energy') ?? data.energyKeys.find((e) => /energy/i.test(e.key)) ?? data.energyKeys[0];
  const forces = data.forceKeys.find((k) => k === 'forces') ?? data.forceKeys.find((k) => /force/i.test(k)) ?? data.forceKeys[0];
  return {
    useEnergy: energy !== undefined, energyKey: energy?.key ?? 'energy', energyUnit: (energy && knownUnit(energy.unit, ENERGY_UNIT_CHOICES)) ?? 'eV',
    useForces: forces !== undefined, forcesKey: forces ?? 'forces', forcesUnit: 'eV/Å',
    family: 'mace', size: 'small', split: 'random', validation: 0.1, test: 0.1, budget: 'epochs', epochs: 100, minutes: 30, members: 1,
    init: '', freezeTrunk: true, unfreezeAfter: 10, refitReferenceEnergies: false, name: defaultModelName(data.docName), seed: 1,
  };
}

/** Models that can be fine-tuned: the listed model calculators (energy models) that can run here. */
export function fineTuneChoices(calculators: readonly CalculatorInfo[]): readonly CalculatorInfo[] {
  return calculators.filter((c) => c.id.startsWith('model:') && c.available);
}

const isWhole = (x: number, min: number, max: number) => Number.isInteger(x) && x >= min && x <= max;

/** Why the form cannot start (the first problem, naming the field), or null. `models`: the listed calculators. */
export function trainFormProblem(form: TrainForm, data: TrainData, models: readonly CalculatorInfo[]): string | null {
  if (data.recordCount === 0) return `Data: ${data.docName} holds no structures.`;
  if (!form.useEnergy && !form.useForces) return 'Targets: choose energy, forces or both.';
  if (form.useEnergy && !data.energyKeys.some((e) => e.key === form.energyKey)) return `Energy: ${data.docName} has no numeric property '${form.energyKey}'.`;
  if (form.useEnergy && !ENERGY_UNIT_CHOICES.includes(form.energyUnit)) return `Energy unit: '${form.energyUnit}' is not one of ${ENERGY_UNIT_CHOICES.join(', ')}.`;
  if (form.useForces && !data.forceKeys.includes(form.forcesKey)) return `Forces: ${data.docName} has no per-atom 3-vector '${form.forcesKey}'.`;
  if (form.useForces && !FORCE_UNIT_CHOICES.includes(form.forcesUnit)) return `Forces unit: '${form.forcesUnit}' is not one of ${FORCE_UNIT_CHOICES.join(', ')}.`;
  if (!(form.validation > 0 && form.validation < 0.5)) return 'Validation: a fraction above 0 and below 0.5.';
  if (!(form.test >= 0 && form.test < 0.5)) return 'Test: a fraction from 0 to below 0.5.';
  if (form.validation + form.test >= 0.8) return 'Validation + test: leave at least 20 % of the data for training.';
  if (form.budget === 'epochs' && !isWhole(form.epochs, 1, 100_000)) return 'Epochs: a whole number from 1 to 100000.';
  if (form.budget === 'minutes' && !(form.minutes > 0 && form.minutes <= 10_080)) return 'Minutes: above 0 and at most 10080 (a week).';
  if (!isWhole(form.members, 1, 16)) return 'Members: a whole number from 1 to 16.';
  if (form.init !== '') {
    if (!fineTuneChoices(models).some((m) => m.id === form.init)) return `Fine-tune from: '${form.init}' is not a listed model that can run here.`;
    if (form.freezeTrunk && !isWhole(form.unfreezeAfter, 0, 100_000)) return 'Unfreeze after: a whole number of epochs (0 or more).';
  }
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(form.name) || form.name.startsWith('.')) return "Model name: 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'.";
  if (models.some((m) => m.id === `model:${form.name}`)) return `Model name: model:${form.name} already exists; choose another name.`;
  if (!isWhole(form.seed, 0, 2 ** 31 - 1)) return 'Seed: a whole number from 0 to 2147483647.';
  return null;
}

/** The request of a checked form. */
export function trainRequest(form: TrainForm, data: TrainData): TrainJobRequest {
  const targets = [...(form.useEnergy ? [`energy:${form.energyUnit}`] : []), ...(form.useForces ? [`forces:${form.forcesUnit}`] : [])];
  const fineTune = form.init !== '';
  return {
    kind: 'train', docIds: [data.docId], name: form.name, targets,
    ...(form.useEnergy && form.energyKey !== 'energy' ? { energyKey: form.energyKey } : {}),
    ...(form.useForces && form.forcesKey !== 'forces' ? { forcesKey: form.forcesKey } : {}),
    ...(fineTune ? { init: form.init, freezeTrunk: form.freezeTrunk, ...(form.freezeTrunk ? { unfreezeAfter: form.unfreezeAfter } : {}), ...(form.refitReferenceEnergies ? { refitReferenceEnergies: true } : {}) } : { family: form.family, size: form.size }),
    split: form.split, validation: form.validation, test: form.test,
    ...(form.budget === 'epochs' ? { epochs: form.epochs } : { minutes: form.minutes }),
    members: form.members, seed: form.seed,
  };
}

/** The train job a panel follows: the newest train job (running first). */
export function latestTrainJob(jobs: readonly JobProgress[]): JobProgress | undefined {
  const train = jobs.filter((j) => j.kind === 'train');
  return train.find((j) => j.state === 'running' || j.state === 'queued') ?? train[0];
}

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** 'member 1/3 · epoch 12/100 · step 40/60 · loss 0.0123 · ETA 4 min' (also the jobs panel's line). */
export function trainStatusText(status: TrainJobStatus): string {
  if (status.stage === 'reading') return 'reading the data';
  const parts: string[] = [];
  if (status.members > 1) parts.push(`member ${status.member + 1}/${status.members}`);
  parts.push(`epoch ${Math.min(status.epoch + 1, Math.max(1, status.maxEpochs))}/${status.maxEpochs}`);
  if (status.stage === 'training' && status.stepsPerEpoch > 0) parts.push(`step ${status.step}/${status.stepsPerEpoch}`);
  if (Number.isFinite(status.loss)) parts.push(`loss ${status.loss.toPrecision(3)}`);
  if (status.stage === 'testing') parts.push('testing');
  if (status.stage === 'done') parts.push('done');
  else if (status.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(status.etaSeconds)}`);
  return parts.join(' · ');
}

/** The test metrics of a finished run as label/value pairs (meV units). */
export function trainMetricsRows(status: TrainJobStatus): ReadonlyArray<readonly [string, string]> {
  const result = status.result;
  if (!result) return [];
  const test = result.test;
  const rows: Array<readonly [string, string]> = [['Model', result.modelId], ['Stopped by', result.stoppedBy]];
  if (test) {
    rows.push(['Test structures', String(test.structures)]);
    if (Number.isFinite(test.energyMAE_meV_per_atom)) rows.push(['Energy MAE', `${fmt(test.energyMAE_meV_per_atom, 2)} meV/atom (${fmt(test.energyMAE_meV, 1)} meV)`]);
    if (Number.isFinite(test.forceMAE_meV_per_A)) rows.push(['Force MAE', `${fmt(test.forceMAE_meV_per_A, 1)} meV/Å`]);
  }
  return rows;
}

/** The parity plot's SVG text as an image URL (the CSP allows data: images; the SVG never runs as a document). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/**
 * The learning curves for the train panel's two plots: x is the epoch counted over all members (1, 2, ...) up to
 * the planned epochs (members × budget, when at most MAX_PLANNED_EPOCHS), so the lines grow left to right as
 * epochs finish; epochs not yet run are gaps.
 */
export interface TrainCurvePlots {
  readonly x: readonly number[];
  readonly xLabel: string;
  readonly loss: readonly PlotSeries[];
  readonly validation: readonly PlotSeries[];
  /** Whether the validation plot has a force axis on the right. */
  readonly validationRight: boolean;
}

export const MAX_PLANNED_EPOCHS = 5000;

export function trainCurvePlots(status: TrainJobStatus): TrainCurvePlots {
  const curve = status.curve;
  const planned = status.members * status.maxEpochs;
  const length = planned <= MAX_PLANNED_EPOCHS ? Math.max(planned, curve.length) : curve.length;
  const pad = (values: readonly (number | null)[]) => [...values, ...new Array<null>(length - values.length).fill(null)];
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const energy = curve.map((p) => finite(p.validationEnergy));
  const forces = curve.map((p) => finite(p.validationForces));
  const hasForces = forces.some((v) => v !== null);
  const hasEnergy = energy.some((v) => v !== null) || !hasForces;
  return {
    x: Array.from({ length }, (_, i) => i + 1),
    xLabel: status.members > 1 ? `epoch (members 1–${status.members} in turn)` : 'epoch',
    loss: [{ label: 'training loss', color: '#2f6fec', values: pad(curve.map((p) => finite(p.loss))) }],
    validation: [
      ...(hasEnergy ? [{ label: 'energy MAE (meV/atom)', color: '#7c3aed', values: pad(energy) }] : []),
      ...(hasForces ? [{ label: 'force MAE (meV/Å)', color: '#c2410c', values: pad(forces), ...(hasEnergy ? { axis: 'right' as const } : {}) }] : []),
    ],
    validationRight: hasEnergy && hasForces,
  };
}

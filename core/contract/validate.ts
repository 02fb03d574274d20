/**
 * Runtime validation of every EquimolApi call's arguments, for the main-side IPC handler (the renderer is
 * untrusted: types, ranges, sizes and string lengths are all checked) and for the web worker.
 * Unknown channels and methods are rejected. Validators return nothing; they throw ContractError.
 */
import {
  EQUIMOL_METHODS,
  LIMITS,
  RELAX_LEVELS,
  TRAIN_FAMILIES,
  TRAIN_SIZES,
  methodOfChannel,
  type EquimolArgs,
  type EquimolMethod,
} from './equimol-api';
import { arrayOf, boolean, bytes, describe, Fail, fail, finite, id, integer, isPlainObject, numberIn, object, oneOf, optional, string, type Check } from './checks';
import { sessionFileInput, sessionViewState, settingsPatch } from './session-checks';

export { layoutState } from './session-checks';

export class ContractError extends TypeError {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`${method}: ${message}`);
    this.name = 'ContractError';
  }
}

/** What the validator needs to know beyond types: ids that exist now. */
export interface ValidationContext {
  /** Known predictor ids; a predict job with any other id is rejected. Undefined: not checked here. */
  readonly predictorIds?: readonly string[];
  /** Known calculator ids; a relax, md or conformers job with any other id is rejected. Undefined: not checked here. */
  readonly calculatorIds?: readonly string[];
}

const docId = id;
const recordIndex = integer(0, 2 ** 31 - 1);
const exportFormat = oneOf(['csv', 'sdf', 'extxyz', 'pdb', 'poscar']);
const path: Check = string(LIMITS.maxPathLength, 1);

const fileInput = object({ name: path, bytes: bytes(LIMITS.maxFileBytes) });

const listQuery = object({
  offset: integer(0, 2 ** 31 - 1),
  limit: integer(1, LIMITS.maxPageSize),
  sortBy: optional(string(LIMITS.maxIdLength, 1)),
  descending: optional(boolean),
  filter: optional(
    object({
      text: optional(string(LIMITS.maxFilterLength)),
      minAtoms: optional(integer(0, 2 ** 31 - 1)),
      maxAtoms: optional(integer(0, 2 ** 31 - 1)),
      periodic: optional(boolean),
    }),
  ),
});

const pageQuery = object({ offset: integer(0, 2 ** 31 - 1), limit: integer(1, LIMITS.maxPageSize) });

const depictionOptions = object({ width: optional(integer(16, 4096)), height: optional(integer(16, 4096)) });

const predictJob = object({
  kind: oneOf(['predict']),
  docIds: arrayOf(docId, LIMITS.maxDocsPerJob, 1),
  predictor: id,
  indices: optional(arrayOf(recordIndex, 2 ** 24)),
  batchSize: optional(integer(1, 4096)),
  priority: optional(integer(-10, 10)),
});

/** 0-based atom indices. */
const atomList = arrayOf(integer(0, 2 ** 31 - 1), 1_000_000);

const relaxJob = object({
  kind: oneOf(['relax']),
  docIds: arrayOf(docId, LIMITS.maxDocsPerJob, 1),
  indices: optional(arrayOf(recordIndex, 2 ** 24)),
  calculator: id,
  optimizer: optional(oneOf(['anc', 'fire', 'lbfgs'])),
  level: optional(oneOf(RELAX_LEVELS)),
  fmax: optional(numberIn(0, 1000, { exclusiveMin: true, unit: 'eV/Å' })),
  maxSteps: optional(integer(1, 100_000)),
  maxStep: optional(numberIn(0, 10, { exclusiveMin: true, unit: 'Å' })),
  fixedAtoms: optional(atomList),
  relaxCell: optional(boolean),
  pressureGPa: optional(finite),
  trajectory: optional(boolean),
  priority: optional(integer(-10, 10)),
});

const mdJob = object({
  kind: oneOf(['md']),
  docId,
  index: recordIndex,
  calculator: id,
  thermostat: optional(oneOf(['none', 'langevin', 'csvr', 'nose-hoover'])),
  temperature: optional(numberIn(0, 10_000, { unit: 'K' })),
  timestep: optional(numberIn(0, 10, { exclusiveMin: true, unit: 'fs' })),
  steps: integer(1, 10_000_000),
  every: optional(integer(1, 10_000_000)),
  seed: optional(integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  friction: optional(numberIn(0, 1000, { unit: '1/fs' })),
  tau: optional(numberIn(0, 1e9, { exclusiveMin: true, unit: 'fs' })),
  fixedAtoms: optional(atomList),
  priority: optional(integer(-10, 10)),
});

const conformersJob = object({
  kind: oneOf(['conformers']),
  docIds: arrayOf(docId, LIMITS.maxDocsPerJob, 1),
  indices: optional(arrayOf(recordIndex, 2 ** 24)),
  calculator: id,
  population: optional(integer(2, 4096)),
  startTemperature: optional(numberIn(0, 100_000, { exclusiveMin: true, unit: 'K' })),
  temperature: optional(numberIn(0, 100_000, { exclusiveMin: true, unit: 'K' })),
  rungs: optional(integer(1, 1000)),
  stepsPerRung: optional(integer(1, 100_000)),
  essThreshold: optional(numberIn(0, 1, { exclusiveMin: true })),
  windowKcal: optional(numberIn(0, 1e6, { exclusiveMin: true, unit: 'kcal/mol' })),
  rmsdThreshold: optional(numberIn(0, 100, { exclusiveMin: true, unit: 'Å' })),
  torsionMoves: optional(boolean),
  seed: optional(integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  priority: optional(integer(-10, 10)),
});

/** A conformers job anneals down: the start temperature (default 1200 K) must be above the target (default 298.15 K). */
const conformersJobChecked: Check = (value, p) => {
  conformersJob(value, p);
  const request = value as { startTemperature?: number; temperature?: number };
  const start = request.startTemperature ?? 1200;
  const target = request.temperature ?? 298.15;
  if (!(start > target)) fail(`${p}.startTemperature`, `must be above the temperature (${target} K), got ${start} K`);
};

const generateJob = object({
  kind: oneOf(['generate']),
  generator: id,
  count: integer(1, 100_000),
  atoms: optional(integer(1, 1000)),
  steps: optional(integer(1, 100_000)),
  schedule: optional(oneOf(['uniform', 'log-snr', 'karras', 'measured'])),
  seed: optional(integer(0, 2 ** 32 - 1)),
  target: optional(object({ property: id, value: finite })),
  trajectory: optional(boolean),
  trajectoryEvery: optional(integer(1, 100_000)),
  batchSize: optional(integer(1, 256)),
  priority: optional(integer(-10, 10)),
});

// ----- Train and label jobs (issue 14) -----

/** A model name: becomes NAME.model.json in the user's models folder, so no path separators. */
const modelName: Check = (value, p) => {
  string(100, 1)(value, p);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value as string) || (value as string).endsWith('.model.json')) {
    fail(p, "must be letters, digits, '.', '_' or '-' (starting with a letter or digit), without .model.json");
  }
};

const trainJob = object({
  kind: oneOf(['train']),
  docIds: arrayOf(docId, LIMITS.maxDocsPerJob, 1),
  targets: optional(arrayOf(string(LIMITS.maxIdLength, 1), 16, 1)),
  energyKey: optional(string(LIMITS.maxIdLength, 1)),
  forcesKey: optional(string(LIMITS.maxIdLength, 1)),
  family: optional(oneOf(TRAIN_FAMILIES)),
  size: optional(oneOf(TRAIN_SIZES)),
  split: optional(oneOf(['random', 'name', 'scaffold'])),
  validation: optional(numberIn(0, 0.9, { exclusiveMin: true })),
  test: optional(numberIn(0, 0.9)),
  epochs: optional(integer(1, 1_000_000)),
  minutes: optional(numberIn(0, 1e6, { exclusiveMin: true, unit: 'min' })),
  members: optional(integer(1, 16)),
  init: optional(id),
  freezeTrunk: optional(boolean),
  unfreezeAfter: optional(integer(0, 1_000_000)),
  refitReferenceEnergies: optional(boolean),
  name: modelName,
  seed: optional(integer(0, 2 ** 32 - 1)),
  batchSize: optional(integer(1, 4096)),
  learningRate: optional(numberIn(0, 1, { exclusiveMin: true })),
  priority: optional(integer(-10, 10)),
});

/** The fine-tuning switches need a model to fine-tune. */
const trainJobChecked: Check = (value, p) => {
  trainJob(value, p);
  const request = value as { init?: string; freezeTrunk?: boolean; unfreezeAfter?: number; family?: string; size?: string; refitReferenceEnergies?: boolean };
  if (request.freezeTrunk && request.init === undefined) fail(`${p}.freezeTrunk`, 'needs init (a trained model to fine-tune)');
  if (request.refitReferenceEnergies && request.init === undefined) fail(`${p}.refitReferenceEnergies`, 'needs init (a trained model to fine-tune)');
  if (request.unfreezeAfter !== undefined && !request.freezeTrunk) fail(`${p}.unfreezeAfter`, 'needs freezeTrunk');
  if (request.init !== undefined && (request.family !== undefined || request.size !== undefined)) fail(`${p}.init`, 'brings its own family and size: drop family and size');
};

const labelJob = object({
  kind: oneOf(['label']),
  docIds: arrayOf(docId, LIMITS.maxDocsPerJob, 1),
  indices: optional(arrayOf(recordIndex, 2 ** 24)),
  calculator: id,
  priority: optional(integer(-10, 10)),
});

const JOB_CHECKS: Readonly<Record<string, Check>> = { predict: predictJob, relax: relaxJob, md: mdJob, conformers: conformersJobChecked, generate: generateJob,
  train: trainJobChecked, label: labelJob };

const jobRequest: Check = (value, p) => {
  if (!isPlainObject(value)) fail(p, `must be an object, got ${describe(value)}`);
  const kinds = Object.keys(JOB_CHECKS);
  const check = typeof value.kind === 'string' ? JOB_CHECKS[value.kind] : undefined;
  if (!check) fail(`${p}.kind`, `must be one of ${kinds.map((k) => `'${k}'`).join(', ')}, got ${describe(value.kind)}`);
  check(value, p);
  const single = Array.isArray(value.docIds) ? value.docIds.length === 1 : true;
  if (value.indices !== undefined && !single) fail(`${p}.indices`, 'is allowed only with a single document');
  if (value.fixedAtoms !== undefined && !single) fail(`${p}.fixedAtoms`, 'is allowed only with a single document');
};

/** Ids the context knows: a job naming another predictor or calculator is rejected, naming the known ones. */
function checkJobIds(request: { readonly kind: string; readonly predictor?: string; readonly calculator?: string }, context: ValidationContext): void {
  if (request.kind === 'predict' && context.predictorIds && !context.predictorIds.includes(request.predictor!)) {
    fail('request.predictor', `'${request.predictor!.slice(0, 64)}' is not a known predictor (known: ${context.predictorIds.join(', ')})`);
  }
  if ((request.kind === 'relax' || request.kind === 'md' || request.kind === 'conformers' || request.kind === 'label') && context.calculatorIds && !context.calculatorIds.includes(request.calculator!)) {
    fail('request.calculator', `'${request.calculator!.slice(0, 64)}' is not a known calculator (known: ${context.calculatorIds.join(', ') || 'none'})`);
  }
}

const saveRequest = object({ suggestedName: string(255, 1), bytes: bytes(LIMITS.maxSaveBytes) });

/** Argument checks per method, positionally; `optional` marks trailing optional arguments. */
const ARGUMENTS: { readonly [M in EquimolMethod]: readonly Check[] } = {
  getAppInfo: [],
  openFiles: [
    (value, p) => {
      arrayOf(fileInput, LIMITS.maxFilesPerCall, 1)(value, p);
      const total = (value as { bytes: Uint8Array }[]).reduce((s, f) => s + f.bytes.byteLength, 0);
      if (total > LIMITS.maxTotalBytes) fail(p, `total size too large (${total} > ${LIMITS.maxTotalBytes} bytes)`);
    },
  ],
  openPaths: [arrayOf(path, LIMITS.maxFilesPerCall, 1)],
  showOpenDialog: [],
  cancelOpen: [id],
  listDocuments: [],
  getDocument: [docId],
  closeDocument: [docId],
  listStructures: [docId, listQuery],
  getStructure: [docId, recordIndex],
  getDepiction: [docId, recordIndex, optional(depictionOptions)],
  exportDocument: [docId, exportFormat, optional(arrayOf(recordIndex, 2 ** 24))],
  getColumnValues: [docId, arrayOf(string(LIMITS.maxIdLength, 1), 256, 1)],
  listCalculators: [],
  checkCalculators: [docId, optional(arrayOf(recordIndex, 2 ** 24))],
  listGenerators: [],
  listPredictors: [],
  startJob: [jobRequest],
  cancelJob: [id],
  listJobs: [],
  getJobResults: [id, pageQuery],
  exportJob: [id, exportFormat],
  getSettings: [],
  setSettings: [settingsPatch],
  saveFile: [saveRequest],
  saveSession: [sessionViewState],
  openSession: [sessionFileInput],
};

const ARGUMENT_NAMES: { readonly [M in EquimolMethod]?: readonly string[] } = {
  openFiles: ['files'],
  openPaths: ['paths'],
  cancelOpen: ['openId'],
  getDocument: ['docId'],
  closeDocument: ['docId'],
  listStructures: ['docId', 'query'],
  getStructure: ['docId', 'index'],
  getDepiction: ['docId', 'index', 'options'],
  exportDocument: ['docId', 'format', 'indices'],
  getColumnValues: ['docId', 'keys'],
  checkCalculators: ['docId', 'indices'],
  startJob: ['request'],
  cancelJob: ['jobId'],
  getJobResults: ['jobId', 'query'],
  exportJob: ['jobId', 'format'],
  setSettings: ['patch'],
  saveFile: ['request'],
  saveSession: ['view'],
  openSession: ['file'],
};

/**
 * Checks a call's arguments; returns them typed or throws ContractError naming the method and the field.
 * Extra arguments beyond the method's signature are rejected.
 */
export function validateArguments<M extends EquimolMethod>(
  method: M,
  args: readonly unknown[],
  context: ValidationContext = {},
): EquimolArgs<M> {
  const checks = ARGUMENTS[method] as readonly Check[] | undefined;
  if (!checks || !(EQUIMOL_METHODS as readonly string[]).includes(method)) {
    throw new ContractError(String(method).slice(0, 64), 'unknown method');
  }
  if (!Array.isArray(args)) throw new ContractError(method, 'arguments must be an array');
  let count = args.length;
  while (count > 0 && args[count - 1] === undefined) count--;
  if (count > checks.length) throw new ContractError(method, `takes at most ${checks.length} argument(s), got ${count}`);
  const names = ARGUMENT_NAMES[method] ?? [];
  try {
    checks.forEach((check, i) => check(args[i], names[i] ?? `argument ${i + 1}`));
    if (method === 'startJob') checkJobIds(args[0] as { kind: string }, context);
  } catch (error) {
    if (error instanceof Fail) throw new ContractError(method, error.message);
    throw error;
  }
  return args.slice(0, checks.length) as unknown as EquimolArgs<M>;
}

/** Maps an IPC channel to its method, or throws ContractError for a channel not in the contract. */
export function methodForChannel(channel: unknown): EquimolMethod {
  const method = typeof channel === 'string' ? methodOfChannel(channel) : undefined;
  if (!method) throw new ContractError(String(channel).slice(0, 64), 'unknown channel');
  return method;
}

/** Validates a whole call by channel: the handler's single entry point. */
export function validateCall(
  channel: unknown,
  args: readonly unknown[],
  context: ValidationContext = {},
): { method: EquimolMethod; args: readonly unknown[] } {
  const method = methodForChannel(channel);
  return { method, args: validateArguments(method, args, context) };
}

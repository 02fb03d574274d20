// Test page: the Equimol app on a scripted in-page EquimolApi (no core session), so the Train and Label dialogs
// and the Train panel are checked without training anything. The test drives a train job itself:
// trainUiTest.advance() finishes one more epoch (a falling loss and validation error, an ETA), finish() ends it
// with test metrics and a parity SVG, after which listPredictors lists the new model. `?web` starts in web mode.
// Deterministic (no randomness).
import type {
  CalculatorInfo,
  DocumentInfo,
  EquimolApi,
  EquimolEvent,
  EquimolEventListener,
  JobProgress,
  JobRequest,
  PredictorInfo,
  StructureSummary,
  TrainJobStatus,
} from '../../../core/contract/equimol-api';
import { DEFAULT_SETTINGS } from '../../../core/contract/equimol-api';
import { createStructure, hillFormula, symbolOf, type Structure } from '../../../core/structure';
import { mountApp } from '../../../renderer/app/mount';

const web = location.search.includes('web');
const listeners = new Set<EquimolEventListener>();
const emit = (event: EquimolEvent) => listeners.forEach((l) => l(event));
const jobs = new Map<string, JobProgress>();
const started: JobRequest[] = [];
let predictorLists = 0;
let trained: string | null = null;
let nextId = 1;

const ethanol = createStructure({
  name: 'ethanol', numbers: [6, 6, 8, 1, 1, 1, 1, 1, 1],
  positions: [0.0072, -0.5687, 0, -1.2854, 0.2499, 0, 1.1304, 0.3147, 0, 0.0392, -1.1972, 0.89, 0.0392, -1.1972, -0.89, -1.3175, 0.8784, 0.89, -1.3175, 0.8784, -0.89, -2.1422, -0.4239, 0, 1.9857, -0.1365, 0],
  properties: { energy: -4209.4 }, atomArrays: { forces: { kind: 'float', width: 3, data: new Float64Array(27).fill(0.1) } },
});
const doc: DocumentInfo = {
  id: 'doc-source', name: 'ethanol.extxyz', format: 'extxyz', formatName: 'Extended XYZ', byteLength: 0, gzipped: false, recordCount: 1, errorCount: 0, errors: [], periodic: false, readMs: 0,
  columns: [{ key: 'energy', label: 'energy', unit: 'eV', kind: 'number', source: 'file' }],
};
const summary = (s: Structure, index: number): StructureSummary => ({ index, name: s.name, formula: hillFormula(s.numbers, symbolOf), atoms: s.numbers.length, periodic: false, line: 0, values: { energy: -4209.4 } });

const calculators: CalculatorInfo[] = [
  { id: 'model:egnn-ethanol-rmd17', name: 'EGNN ethanol', method: 'model', elements: [1, 6, 8], charge: false, spin: false, periodic: false, stress: false, available: true },
  { id: 'xtb:gfn2', name: 'GFN2-xTB', method: 'xtb', elements: 'all', charge: true, spin: true, periodic: false, stress: false, available: true },
];
const predictor = (id: string): PredictorInfo => ({ id, description: id, columns: [{ key: 'energy', label: 'Energy', unit: 'eV', kind: 'number' }], batchSize: 8 });

const PARITY = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200"><rect width="200" height="200" fill="#fff"/><line x1="0" y1="200" x2="200" y2="0" stroke="#888"/><circle cx="60" cy="140" r="6" fill="#c2410c"/><circle cx="120" cy="82" r="6" fill="#c2410c"/><text x="8" y="16" font-size="12">E &amp; F parity</text></svg>';
let trainJob: { id: string; request: Extract<JobRequest, { kind: 'train' }>; status: TrainJobStatus } | null = null;

function publish(state: JobProgress['state']): void {
  const job = trainJob!;
  const progress: JobProgress = {
    ...jobs.get(job.id)!, state, done: job.status.curve.length, total: job.status.maxEpochs, unit: 'steps', etaSeconds: job.status.etaSeconds ?? null,
    sampler: { step: job.status.curve.length, totalSteps: job.status.maxEpochs, energy: Number.NaN, train: job.status },
  };
  jobs.set(job.id, progress);
  emit({ type: 'job-progress', progress });
}

/** One more finished epoch (as the host reports it: that epoch, its last step): loss and validation errors fall, the ETA shrinks. */
function advance(): void {
  const job = trainJob!;
  const epoch = job.status.curve.length;
  const loss = 2 / (1 + epoch) + 0.3 * (epoch % 2);
  const point = { member: 0, epoch, loss, validationEnergy: 40 / (1 + epoch), validationForces: 900 / (1 + epoch) + 50 * (epoch % 2), learningRate: 1e-3 };
  job.status = { ...job.status, stage: 'training', epoch, step: 5, stepsPerEpoch: 5, loss, etaSeconds: (job.status.maxEpochs - epoch - 1) * 30, curve: [...job.status.curve, point] };
  publish('running');
}

function finish(): void {
  const job = trainJob!;
  const { etaSeconds: _eta, ...rest } = job.status;
  trained = `model:${job.request.name}`;
  job.status = { ...rest, stage: 'done', result: { modelId: trained, files: [`${job.request.name}.model.json`], stoppedBy: 'epochs', test: { structures: 12, energyMAE_meV_per_atom: 1.25, energyMAE_meV: 11.3, forceMAE_meV_per_A: 48.2 }, paritySvg: PARITY } };
  publish('done');
}

const api = {
  getAppInfo: async () => ({ name: 'Equimol', version: 'test', apiVersion: 1, platform: web ? ('web' as const) : ('electron' as const), formats: [] }),
  openFiles: async () => ({ documents: [], failures: [] }),
  openPaths: async () => ({ documents: [], failures: [] }),
  showOpenDialog: async () => ({ documents: [], failures: [] }),
  cancelOpen: async (openId: string) => Promise.reject(new Error(`no file being opened with id '${openId}'`)),
  listDocuments: async () => [doc],
  getDocument: async () => doc,
  closeDocument: async () => undefined,
  listStructures: async (id: string, query: { offset: number; limit: number }) => ({ docId: id, total: 1, offset: query.offset, rows: query.offset === 0 ? [summary(ethanol, 0)] : [] }),
  getStructure: async () => ethanol,
  getDepiction: async () => ({ svg: null, message: 'no depiction in this test' }),
  exportDocument: async () => ({ fileName: 'x.extxyz', mimeType: 'text/plain', bytes: new Uint8Array(), records: 0 }),
  getColumnValues: async (id: string, keys: readonly string[]) => ({ docId: id, index: [0], values: Object.fromEntries(keys.map((k) => [k, [null]])) }),
  listCalculators: async () => calculators,
  listGenerators: async () => [],
  checkCalculators: async () => calculators.map((c) => ({ id: c.id, reason: null })),
  listPredictors: async () => (predictorLists++, [predictor('descriptors'), ...(trained ? [predictor(trained)] : [])]),
  startJob: async (request: JobRequest) => {
    started.push(request);
    const id = `job-${nextId++}`;
    const progress: JobProgress = { id, kind: request.kind, label: request.kind === 'train' ? `train ${request.name} · ethanol.extxyz` : `${request.kind} · ethanol.extxyz`, state: 'running', done: 0, total: 1, failed: 0, rate: 0, etaSeconds: null, elapsedSeconds: 0, unit: request.kind === 'train' ? 'steps' : 'structures' };
    jobs.set(id, progress);
    if (request.kind === 'train') {
      trainJob = { id, request, status: { stage: 'reading', member: 0, members: 1, epoch: 0, maxEpochs: request.epochs ?? 100, step: 0, stepsPerEpoch: 0, loss: Number.NaN, learningRate: 0, curve: [] } };
    }
    return progress;
  },
  cancelJob: async (id: string) => jobs.get(id)!,
  listJobs: async () => [...jobs.values()],
  getJobResults: async (jobId: string) => ({ jobId, total: 0, offset: 0, rows: [] }),
  exportJob: async () => ({ fileName: 'x.csv', mimeType: 'text/csv', bytes: new Uint8Array(), records: 0 }),
  getSettings: async () => DEFAULT_SETTINGS,
  setSettings: async () => DEFAULT_SETTINGS,
  saveFile: async () => ({ saved: true }),
  saveSession: async () => ({ fileName: 'x.equimol-session.json', mimeType: 'application/json', bytes: new Uint8Array(), records: 0 }),
  openSession: async () => Promise.reject(new Error('this test page opens no session files')),
  subscribe: (listener: EquimolEventListener) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
} satisfies EquimolApi;

const root = document.createElement('div');
root.id = 'root';
root.style.cssText = 'position:absolute;inset:0';
document.body.appendChild(root);
mountApp(root, api);
(globalThis as Record<string, unknown>)['trainUiTest'] = { started, advance, finish, predictorLists: () => predictorLists };
(globalThis as Record<string, unknown>)['trainUiPageReady'] = true;

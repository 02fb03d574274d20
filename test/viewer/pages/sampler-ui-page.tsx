// Test page: the Equimol app on a scripted in-page EquimolApi (no core session), so the Relax / MD dialog,
// live plots, frame slider and force arrows are checked without a calculator. A "relax" makes a trajectory
// document that grows by one frame every 40 ms (energy and fmax falling, forces shrinking); "md" grows by
// time with an oscillating temperature. Deterministic (no randomness).
import type {
  CalculatorInfo,
  DocumentInfo,
  EquimolApi,
  EquimolEvent,
  EquimolEventListener,
  JobProgress,
  JobRequest,
  StructureSummary,
} from '../../../core/contract/equimol-api';
import { DEFAULT_SETTINGS } from '../../../core/contract/equimol-api';
import { createStructure, hillFormula, symbolOf, type Structure } from '../../../core/structure';
import { mountApp } from '../../../renderer/app/mount';

const ETHANOL_NUMBERS = [6, 6, 8, 1, 1, 1, 1, 1, 1];
const ETHANOL_POSITIONS = [0.0072, -0.5687, 0, -1.2854, 0.2499, 0, 1.1304, 0.3147, 0, 0.0392, -1.1972, 0.89, 0.0392, -1.1972, -0.89, -1.3175, 0.8784, 0.89, -1.3175, 0.8784, -0.89, -2.1422, -0.4239, 0, 1.9857, -0.1365, 0];

const listeners = new Set<EquimolEventListener>();
const emit = (event: EquimolEvent) => listeners.forEach((l) => l(event));
const docs = new Map<string, { info: DocumentInfo; structures: Structure[] }>();
const jobs = new Map<string, JobProgress>();
const started: JobRequest[] = [];
const exported: Array<{ id: string; format: string; indices: number[] | null }> = [];
let nextId = 1;

function info(id: string, name: string, structures: Structure[], origin?: DocumentInfo['origin']): DocumentInfo {
  return { id, name, format: 'extxyz', formatName: 'Extended XYZ', byteLength: 0, gzipped: false, recordCount: structures.length, errorCount: 0, errors: [], periodic: false, columns: [], readMs: 0, ...(origin ? { origin } : {}) };
}

function summaryOf(s: Structure, index: number): StructureSummary {
  return { index, name: s.name, formula: hillFormula(s.numbers, symbolOf), atoms: s.numbers.length, periodic: false, line: 0, values: {} };
}

function frame(source: Structure, step: number, md: boolean): Structure {
  const decay = Math.exp(-step / 8);
  const positions = Float64Array.from(source.positions, (x, i) => x + (md ? 0.05 * Math.sin(step / 3 + i) : 0.1 * decay * ((i % 3) - 1)));
  const forces = Float64Array.from({ length: positions.length }, (_, i) => (md ? Math.cos(step / 4 + i) : 2 * decay * (((i * 7) % 5) - 2) / 2));
  const properties: Record<string, number> = md
    ? { step: step * 10, time: step * 5, energy: -4200 + 0.1 * Math.sin(step / 2), kinetic: 0.3 + 0.1 * Math.sin(step / 3), total: -4199.7, temperature: 300 + 40 * Math.sin(step / 3) }
    : { step, energy: -4200 - 1 + decay, fmax: 2 * decay + 0.01 };
  return createStructure({ name: `${source.name} ${md ? 'md' : 'relax'} ${step}`, numbers: source.numbers, positions, properties, atomArrays: { forces: { kind: 'float', width: 3, data: forces } } });
}

function runJob(request: JobRequest, progress: JobProgress, docId: string, source: Structure, total: number): void {
  const md = request.kind === 'md';
  const entry = docs.get(docId)!;
  let step = 0;
  const tick = () => {
    const job = jobs.get(progress.id)!;
    if (job.state === 'cancelled') return;
    entry.structures.push(frame(source, step, md));
    const live = step + 1 < total;
    entry.info = info(docId, entry.info.name, entry.structures, { ...entry.info.origin!, live });
    emit({ type: 'document-changed', document: entry.info });
    const last = entry.structures[entry.structures.length - 1]!.properties as Record<string, number>;
    const next: JobProgress = { ...job, state: live ? 'running' : 'done', done: step + 1, total, unit: 'steps', etaSeconds: live ? (total - step) * 0.04 : null, elapsedSeconds: step * 0.04, rate: 25, outputDocIds: [docId], sampler: { step: step + 1, totalSteps: total, energy: last['energy']!, ...(md ? { temperature: last['temperature']!, time: last['time']! } : { fmax: last['fmax']! }) } };
    jobs.set(job.id, next);
    emit({ type: 'job-progress', progress: next });
    step++;
    if (live) setTimeout(tick, 40);
  };
  setTimeout(tick, 40);
}

const calculators: CalculatorInfo[] = [
  { id: 'model:egnn-ethanol-rmd17', name: 'EGNN ethanol', method: 'model', elements: [1, 6, 8], charge: false, spin: false, periodic: false, stress: false, available: true },
  { id: 'model:only-h', name: 'Hydrogen only', method: 'model', elements: [1], charge: false, spin: false, periodic: false, stress: false, available: true },
  { id: 'xtb:gfn2', name: 'GFN2-xTB', method: 'xtb', elements: 'all', charge: true, spin: true, periodic: false, stress: false, available: false, reason: 'xtb is not available in the browser' },
];

const api = {
  getAppInfo: async () => ({ name: 'Equimol', version: 'test', apiVersion: 1, platform: 'web' as const, formats: [] }),
  openFiles: async () => ({ documents: [], failures: [] }),
  openPaths: async () => ({ documents: [], failures: [] }),
  showOpenDialog: async () => ({ documents: [], failures: [] }),
  cancelOpen: async (openId: string) => Promise.reject(new Error(`no file being opened with id '${openId}'`)),
  listDocuments: async () => [...docs.values()].map((d) => d.info),
  getDocument: async (id: string) => docs.get(id)!.info,
  closeDocument: async (id: string) => void docs.delete(id),
  listStructures: async (id: string, query: { offset: number; limit: number }) => {
    const all = docs.get(id)!.structures;
    return { docId: id, total: all.length, offset: query.offset, rows: all.slice(query.offset, query.offset + query.limit).map((s, k) => summaryOf(s, query.offset + k)) };
  },
  getStructure: async (id: string, index: number) => docs.get(id)!.structures[index]!,
  getDepiction: async () => ({ svg: null, message: 'no depiction in this test' }),
  exportDocument: async (id: string, format: string, indices?: readonly number[]) => (exported.push({ id, format, indices: indices ? [...indices] : null }), { fileName: `${id}.${format}`, mimeType: 'text/plain', bytes: new TextEncoder().encode(JSON.stringify({ id, format, indices: indices ?? null })), records: indices?.length ?? docs.get(id)!.structures.length }),
  getColumnValues: async (id: string, keys: readonly string[]) => {
    const all = docs.get(id)!.structures;
    return { docId: id, index: all.map((_, i) => i), values: Object.fromEntries(keys.map((k) => [k, all.map((s) => (typeof s.properties[k] === 'number' ? (s.properties[k] as number) : null))])) };
  },
  listCalculators: async () => calculators,
  listGenerators: async () => [],
  checkCalculators: async () => calculators.map((c) => ({ id: c.id, reason: c.id === 'model:only-h' ? 'covers H only; structure 1 has C, O' : null })),
  listPredictors: async () => [],
  startJob: async (request: JobRequest) => {
    started.push(request);
    const id = `job-${nextId++}`;
    const md = request.kind === 'md';
    const sourceDoc = md ? request.docId : request.kind === 'relax' ? request.docIds[0]! : '';
    const sourceIndex = md ? request.index : request.kind === 'relax' ? (request.indices?.[0] ?? 0) : 0;
    const source = docs.get(sourceDoc)!.structures[sourceIndex]!;
    const docId = `doc-${nextId++}`;
    const total = md ? Math.floor(request.steps / (request.every ?? 10)) + 1 : 20;
    docs.set(docId, { info: info(docId, `${source.name}-${request.kind}.extxyz`, [], { kind: 'trajectory', jobId: id, jobKind: request.kind, sourceDocId: sourceDoc, sourceIndex, calculator: 'calculator' in request ? request.calculator : '', live: true }), structures: [] });
    const progress: JobProgress = { id, kind: request.kind, label: `${request.kind} ${source.name}`, state: 'running', done: 0, total, failed: 0, rate: 0, etaSeconds: null, elapsedSeconds: 0, unit: 'steps' };
    jobs.set(id, progress);
    runJob(request, progress, docId, source, total);
    return progress;
  },
  cancelJob: async (id: string) => {
    const job = { ...jobs.get(id)!, state: 'cancelled' as const };
    jobs.set(id, job);
    const doc = [...docs.values()].find((d) => d.info.origin?.jobId === id);
    if (doc) {
      doc.info = { ...doc.info, origin: { ...doc.info.origin!, live: false } };
      emit({ type: 'document-changed', document: doc.info });
    }
    emit({ type: 'job-progress', progress: job });
    return job;
  },
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

const ethanol = createStructure({ name: 'ethanol', numbers: ETHANOL_NUMBERS, positions: ETHANOL_POSITIONS });
docs.set('doc-source', { info: info('doc-source', 'ethanol.xyz', [ethanol]), structures: [ethanol] });

const root = document.createElement('div');
root.id = 'root';
root.style.cssText = 'position:absolute;inset:0';
document.body.appendChild(root);
mountApp(root, api);
(globalThis as Record<string, unknown>)['samplerUiTest'] = { started, exported };
(globalThis as Record<string, unknown>)['samplerUiPageReady'] = true;

// Test page: the Equimol app on a scripted in-page EquimolApi (no core session), so the Conformers dialog, the
// per-rung progress, the ensemble's table columns, chart, overlay and export are checked without a calculator.
// A "conformers" job reports eight annealing rungs with their ESS (one every 40 ms), then relaxing and
// deduplicating, and finishes with an ensemble document of four ethanol conformers (the hydroxyl H turned about
// the C–O bond), each moved by its own rigid rotation and translation so the viewer has to superpose them.
// Deterministic (no randomness).
import type {
  CalculatorInfo,
  ColumnInfo,
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
/** Relative energies (kcal/mol) of the four conformers, lowest first, and their weights at 298.15 K. */
const RELATIVE_KCAL = [0, 0.4, 1.1, 2.5];
const KT_KCAL = 0.0019872043 * 298.15;
const WEIGHTS = (() => {
  const b = RELATIVE_KCAL.map((e) => Math.exp(-e / KT_KCAL));
  const z = b.reduce((s, v) => s + v, 0);
  return b.map((v) => v / z);
})();

const listeners = new Set<EquimolEventListener>();
const emit = (event: EquimolEvent) => listeners.forEach((l) => l(event));
const docs = new Map<string, { info: DocumentInfo; structures: Structure[] }>();
const jobs = new Map<string, JobProgress>();
const started: JobRequest[] = [];
const exported: Array<{ id: string; format: string; indices: number[] | null }> = [];
let nextId = 1;

const ENSEMBLE_COLUMNS: ColumnInfo[] = [
  { key: 'energy', label: 'energy', unit: 'eV', kind: 'number', source: 'file' },
  { key: 'conformer_rank', label: 'conformer_rank', unit: '', kind: 'number', source: 'file' },
  { key: 'relative_energy', label: 'relative_energy', unit: 'kcal/mol', kind: 'number', source: 'file' },
  { key: 'boltzmann_weight', label: 'boltzmann_weight', unit: '', kind: 'number', source: 'file' },
];

function info(id: string, name: string, structures: Structure[], origin?: DocumentInfo['origin'], columns: ColumnInfo[] = []): DocumentInfo {
  return { id, name, format: 'sdf', formatName: 'MDL SDF/MOL', byteLength: 0, gzipped: false, recordCount: structures.length, errorCount: 0, errors: [], periodic: false, columns, readMs: 0, ...(origin ? { origin } : {}) };
}

function summaryOf(s: Structure, index: number): StructureSummary {
  const values = Object.fromEntries(Object.entries(s.properties).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  return { index, name: s.name, formula: hillFormula(s.numbers, symbolOf), atoms: s.numbers.length, periodic: false, line: 0, values };
}

/** Rotation by `angle` (rad) about the unit axis through `origin`, applied to atom `atom` of `p`. */
function turnAtom(p: Float64Array, atom: number, origin: readonly number[], axis: readonly number[], angle: number): void {
  const v = [0, 1, 2].map((c) => p[3 * atom + c]! - origin[c]!);
  const [kx, ky, kz] = axis as [number, number, number];
  const dot = kx * v[0]! + ky * v[1]! + kz * v[2]!;
  const cross = [ky * v[2]! - kz * v[1]!, kz * v[0]! - kx * v[2]!, kx * v[1]! - ky * v[0]!];
  for (let c = 0; c < 3; c++) p[3 * atom + c] = origin[c]! + v[c]! * Math.cos(angle) + cross[c]! * Math.sin(angle) + axis[c]! * dot * (1 - Math.cos(angle));
}

/** Conformer k: hydroxyl H turned by 90°·k about C–O, then the whole molecule rotated about z by 0.7·k rad and moved by k Å along x. */
function conformer(k: number): Structure {
  const p = Float64Array.from(ETHANOL_POSITIONS);
  const c = [p[3]!, p[4]!, p[5]!], o = [p[6]!, p[7]!, p[8]!];
  const axisLength = Math.hypot(o[0]! - c[0]!, o[1]! - c[1]!, o[2]! - c[2]!);
  turnAtom(p, 8, o, [0, 1, 2].map((i) => (o[i]! - c[i]!) / axisLength), (Math.PI / 2) * k);
  const a = 0.7 * k;
  for (let i = 0; i < 9; i++) {
    const x = p[3 * i]!, y = p[3 * i + 1]!;
    p[3 * i] = Math.cos(a) * x - Math.sin(a) * y + k;
    p[3 * i + 1] = Math.sin(a) * x + Math.cos(a) * y;
  }
  const energy = -4210 + RELATIVE_KCAL[k]! / 23.060548;
  return createStructure({ name: `ethanol conformer ${k + 1}`, numbers: ETHANOL_NUMBERS, positions: p, properties: { energy, relative_energy: RELATIVE_KCAL[k]!, boltzmann_weight: WEIGHTS[k]!, conformer_rank: k + 1 } });
}

function runConformers(request: Extract<JobRequest, { kind: 'conformers' }>, progress: JobProgress): void {
  const rungs = request.rungs ?? 8;
  const ess: number[] = [];
  let tick = 0;
  const step = () => {
    const job = jobs.get(progress.id)!;
    if (job.state === 'cancelled') return;
    let next: JobProgress;
    if (tick < rungs) {
      ess.push((request.population ?? 32) * (0.9 - 0.05 * (tick % 4)));
      const temperature = 1200 * Math.pow(298.15 / 1200, tick / Math.max(1, rungs - 1));
      next = { ...job, state: 'running', done: 0, total: 1, sampler: { step: (tick + 1) * 10, totalSteps: rungs * 10, energy: -4209.5 - 0.01 * tick, temperature, rung: tick, rungs, ess: [...ess], stage: 'annealing' } };
    } else if (tick === rungs) {
      next = { ...job, sampler: { ...job.sampler!, stage: 'relaxing' } };
    } else {
      const docId = `doc-${nextId++}`;
      const structures = [0, 1, 2, 3].map(conformer);
      docs.set(docId, { info: info(docId, 'ethanol-conformers.sdf', structures, { kind: 'conformers', jobId: job.id, jobKind: 'conformers', sourceDocId: request.docIds[0]!, sourceIndex: request.indices?.[0] ?? 0, calculator: request.calculator, live: false }, ENSEMBLE_COLUMNS), structures });
      next = { ...job, state: 'done', done: 1, total: 1, elapsedSeconds: 0.4, outputDocIds: [docId], sampler: { ...job.sampler!, stage: 'deduplicating' } };
    }
    jobs.set(job.id, next);
    emit({ type: 'job-progress', progress: next });
    tick++;
    if (next.state === 'running') setTimeout(step, tick === rungs ? 300 : 40);
  };
  setTimeout(step, 40);
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
  exportDocument: async (id: string, format: string, indices?: readonly number[]) => (exported.push({ id, format, indices: indices ? [...indices] : null }), { fileName: `${id}.${format}`, mimeType: 'text/plain', bytes: new TextEncoder().encode(JSON.stringify({ id, format })), records: indices?.length ?? docs.get(id)!.structures.length }),
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
    if (request.kind !== 'conformers') throw new Error(`this page runs conformers jobs only, not ${request.kind}`);
    const id = `job-${nextId++}`;
    const progress: JobProgress = { id, kind: 'conformers', label: 'conformers ethanol', state: 'running', done: 0, total: 1, failed: 0, rate: 0, etaSeconds: null, elapsedSeconds: 0, unit: 'structures' };
    jobs.set(id, progress);
    runConformers(request, progress);
    return progress;
  },
  cancelJob: async (id: string) => {
    const job = { ...jobs.get(id)!, state: 'cancelled' as const };
    jobs.set(id, job);
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
(globalThis as Record<string, unknown>)['conformersUiTest'] = { started, exported, weights: WEIGHTS };
(globalThis as Record<string, unknown>)['conformersUiPageReady'] = true;

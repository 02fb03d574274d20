/**
 * Open documents: a file's bytes read (gzip inflated) into structures with the format registry, bad records
 * kept as RecordErrors, and a table model (summaries, columns, sort and filter) for the virtualised list.
 * Files are read by read-document.ts. A job's output (a trajectory, relaxed structures) is a document too, made from structures
 * (`OpenDocument.fromStructures`) and grown with `append` while the job runs.
 */
import type {
  ColumnInfo,
  ColumnValues,
  DocumentId,
  DocumentInfo,
  DocumentOrigin,
  ListQuery,
  StructurePage,
  StructureSummary,
  SummaryValue,
} from '../contract/equimol-api';
import type { PredictionColumn, PredictionValue } from '../predict/predictor';
import { symbolOf } from '../structure/elements';
import type { RecordError } from '../structure/errors';
import { hillFormula, type AtomArray, type PropertyValue, type Structure } from '../structure/structure';
import { DocumentSearch, LatestRun, structuredFilter } from './search/search';

export class UnknownDocumentError extends Error {
  constructor(readonly docId: string) {
    super(`no open document with id '${docId.slice(0, 64)}'`);
    this.name = 'UnknownDocumentError';
  }
}

export class RecordIndexError extends RangeError {
  constructor(docId: string, index: number, count: number) {
    super(`document '${docId.slice(0, 64)}' has ${count} structures; index ${index} is out of range`);
    this.name = 'RecordIndexError';
  }
}

/** Base name of a path (either separator). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** A table row of a document: the fixed columns. */
export interface Row {
  readonly index: number;
  readonly name: string;
  readonly formula: string;
  readonly atoms: number;
  readonly periodic: boolean;
  readonly line: number;
}

/** Predicted values of one predictor for some of a document's structures. */
interface PredictedColumns {
  readonly predictor: string;
  readonly columns: readonly PredictionColumn[];
  /** index -> values */
  readonly values: Map<number, Readonly<Record<string, PredictionValue>>>;
  /** index -> per-atom outputs (charges, force spread ...), shown on the structure as `predictor:name`. */
  readonly atomArrays: Map<number, Readonly<Record<string, PredictionAtomArray>>>;
}

/** A predictor's per-atom output, [nAtoms * width] (Prediction.atomArrays). */
export interface PredictionAtomArray {
  readonly width: number;
  readonly data: Float64Array;
}

/** Label and unit of a property column (job documents name theirs: 'energy' in eV ...). */
export interface ColumnLabel {
  readonly label: string;
  readonly unit: string;
}

/** What a document made from structures (not read from a file) says about itself. */
export interface StructureDocumentOptions {
  readonly origin?: DocumentOrigin;
  /** Format id and name shown for it (default 'extxyz', 'Trajectory'/'Structures'). */
  readonly format?: string;
  readonly formatName?: string;
  /** Labels and units of its property columns by key. */
  readonly columnLabels?: Readonly<Record<string, ColumnLabel>>;
}

export class OpenDocument {
  readonly rows: Row[];
  private readonly items: Structure[];
  private readonly predicted = new Map<string, PredictedColumns>();
  private fileColumns: ColumnInfo[];
  /** Bumped when predicted values or the structures change, invalidating the cached order. */
  private version = 0;
  private orderCache: { key: string; order: number[] } | undefined;
  private readonly pending = new LatestRun<number[]>();
  private readonly search = new DocumentSearch(this);
  /** Set on documents a job made; `live` while the job still appends. */
  origin: DocumentOrigin | undefined;
  private columnLabels: Readonly<Record<string, ColumnLabel>> = {};

  /** A document of structures made by a job (no file): its table lists them with their properties as columns. */
  static fromStructures(id: DocumentId, name: string, structures: readonly Structure[], options: StructureDocumentOptions = {}): OpenDocument {
    const formatName = options.formatName ?? (options.origin?.kind === 'trajectory' ? 'Trajectory' : 'Structures');
    const document = new OpenDocument(id, name, undefined, options.format ?? 'extxyz', formatName, 0, false, [], [], 0, 0);
    document.origin = options.origin;
    document.columnLabels = options.columnLabels ?? {};
    document.append(structures);
    return document;
  }

  constructor(
    readonly id: DocumentId,
    readonly name: string,
    readonly path: string | undefined,
    readonly format: string,
    readonly formatName: string,
    readonly byteLength: number,
    readonly gzipped: boolean,
    structures: readonly Structure[],
    readonly errors: readonly RecordError[],
    readonly errorCount: number,
    readonly readMs: number,
    rows?: Row[],
  ) {
    this.items = [...structures];
    this.rows = rows ?? structures.map((s, i) => rowOf(s, i));
    this.fileColumns = fileColumnsOf(structures);
  }

  get structures(): readonly Structure[] {
    return this.items;
  }

  get count(): number {
    return this.items.length;
  }

  /** Adds structures at the end (a job's next frames); new property keys become columns. */
  append(structures: readonly Structure[]): void {
    if (structures.length === 0) return;
    const known = new Set(this.fileColumns.map((c) => c.key));
    let newKeys = false;
    for (const s of structures) {
      this.rows.push(rowOf(s, this.items.length));
      this.items.push(s);
      if (!newKeys) newKeys = Object.keys(s.properties).some((k) => !known.has(k));
    }
    if (newKeys) this.fileColumns = fileColumnsOf(this.items);
    this.version++;
  }

  /**
   * Numeric values of `keys` for every structure, for plots: file/job properties and predicted columns
   * ('predictor:key'), plus 'index' and 'atoms'; null where a structure has no number for the key.
   */
  columnValues(keys: readonly string[]): ColumnValues {
    const index = this.rows.map((r) => r.index);
    const values: Record<string, (number | null)[]> = {};
    for (const key of keys) {
      if (key === 'index') values[key] = [...index];
      else if (key === 'atoms') values[key] = this.rows.map((r) => r.atoms);
      else {
        const get = this.sortValueGetter(key);
        values[key] = index.map((i) => {
          const v = get(i);
          return typeof v === 'number' && Number.isFinite(v) && !this.isVectorColumn(key) ? v : null;
        });
      }
    }
    return { docId: this.id, index, values };
  }

  private isVectorColumn(key: string): boolean {
    return this.columns().some((c) => c.key === key && c.kind === 'vector');
  }

  /**
   * The structure of record `index`, with the per-atom outputs of predict jobs added to its atom arrays as
   * `predictor:name` (e.g. `model:qm9xtb-properties:charges_std`) so the viewer can colour atoms by them.
   */
  structure(index: number): Structure {
    const s = this.items[index];
    if (!s) throw new RecordIndexError(this.id, index, this.count);
    let added: Record<string, AtomArray> | undefined;
    for (const p of this.predicted.values()) {
      const arrays = p.atomArrays.get(index);
      if (!arrays) continue;
      for (const [name, a] of Object.entries(arrays)) {
        if (a.data.length !== s.numbers.length * a.width) continue;
        (added ??= {})[`${p.predictor}:${name}`] = { kind: 'float', width: a.width, data: a.data };
      }
    }
    return added ? { ...s, atomArrays: { ...s.atomArrays, ...added } } : s;
  }

  columns(): ColumnInfo[] {
    const predicted: ColumnInfo[] = [];
    for (const p of this.predicted.values()) {
      for (const c of p.columns) {
        predicted.push({
          key: `${p.predictor}:${c.key}`,
          label: c.label,
          unit: c.unit,
          kind: c.kind,
          ...(c.kind === 'vector' ? { width: c.width ?? 3 } : {}),
          source: p.predictor,
        });
      }
    }
    const files = this.fileColumns.map((c) => {
      const label = this.columnLabels[c.key];
      return label ? { ...c, label: label.label, unit: label.unit } : c;
    });
    return [...files, ...predicted];
  }

  info(): DocumentInfo {
    return {
      id: this.id,
      name: this.name,
      ...(this.path !== undefined ? { path: this.path } : {}),
      format: this.format,
      formatName: this.formatName,
      byteLength: this.byteLength,
      gzipped: this.gzipped,
      recordCount: this.count,
      errorCount: this.errorCount,
      errors: this.errors,
      periodic: this.rows.some((r) => r.periodic),
      columns: this.columns(),
      readMs: this.readMs,
      ...(this.origin ? { origin: this.origin } : {}),
    };
  }

  /** Stores predictions (from a job) so they show as table columns `predictor:key`. */
  addPredictions(
    predictor: string,
    columns: readonly PredictionColumn[],
    entries: Iterable<readonly [number, Readonly<Record<string, PredictionValue>>, Readonly<Record<string, PredictionAtomArray>>?]>,
  ): void {
    let p = this.predicted.get(predictor);
    if (!p) {
      p = { predictor, columns, values: new Map(), atomArrays: new Map() };
      this.predicted.set(predictor, p);
    }
    for (const [index, values, atomArrays] of entries) {
      p.values.set(index, values);
      if (atomArrays && Object.keys(atomArrays).length > 0) p.atomArrays.set(index, atomArrays);
      else p.atomArrays.delete(index);
    }
    this.version++;
  }

  summary(index: number): StructureSummary {
    const row = this.rows[index]!;
    return { ...row, values: this.values(index) };
  }

  private values(index: number): Record<string, SummaryValue> {
    const out: Record<string, SummaryValue> = {};
    const properties = this.structures[index]!.properties;
    for (const c of this.fileColumns) {
      const v = properties[c.key];
      if (v !== undefined) out[c.key] = summaryValue(v);
    }
    for (const p of this.predicted.values()) {
      const values = p.values.get(index);
      if (!values) continue;
      for (const c of p.columns) {
        const v = values[c.key];
        if (v !== undefined) out[`${p.predictor}:${c.key}`] = v;
      }
    }
    return out;
  }

  /**
   * One page of the sorted, filtered table. The order is cached, so scrolling a sorted 100k-row table sorts once.
   * `filter.text` is a search query (search/search-query.ts; plain words match name or formula as before): a bad
   * one rejects with SearchSyntaxError, and a newer query on this document cancels a running chemical search.
   */
  async list(query: ListQuery): Promise<StructurePage> {
    const key = JSON.stringify([query.sortBy ?? 'index', query.descending ?? false, query.filter ?? null, this.version]);
    const order =
      this.orderCache?.key === key
        ? this.orderCache.order
        : await this.pending.run(key, async (signal) => {
            const computed = await this.order(query, signal);
            this.orderCache = { key, order: computed };
            return computed;
          });
    const rows = order.slice(query.offset, query.offset + query.limit).map((i) => this.summary(i));
    return { docId: this.id, total: order.length, offset: query.offset, rows };
  }

  private async order(query: ListQuery, signal: AbortSignal): Promise<number[]> {
    const where = structuredFilter(this.rows, query.filter);
    let indices = await this.search.matches(query.filter?.text ?? '', { ...(where ? { where } : {}), signal });
    const key = query.sortBy ?? 'index';
    if (key !== 'index') {
      const sortValue = this.sortValueGetter(key);
      const keyed = indices.map((i) => ({ i, v: sortValue(i) }));
      keyed.sort((x, y) => compareValues(x.v, y.v) || x.i - y.i);
      indices = keyed.map((k) => k.i);
    }
    if (query.descending) indices.reverse();
    return indices;
  }

  /** The number in column `key` of each record (null where none), for search ranges. */
  numberGetter(key: string): (index: number) => number | null {
    const get = this.sortValueGetter(key);
    return (i) => {
      const v = get(i);
      return typeof v === 'number' && !Number.isNaN(v) ? v : null;
    };
  }

  /** The record's structure as read, without predicted atom arrays. */
  rawStructure(index: number): Structure {
    return this.items[index]!;
  }

  private sortValueGetter(key: string): (index: number) => number | string | null {
    switch (key) {
      case 'name':
        return (i) => this.rows[i]!.name;
      case 'formula':
        return (i) => this.rows[i]!.formula;
      case 'atoms':
        return (i) => this.rows[i]!.atoms;
      default: {
        // Read the one value directly: building each row's whole value record made sorting 128k rows slow.
        if (this.fileColumns.some((c) => c.key === key)) {
          return (i) => {
            const v = this.structures[i]!.properties[key];
            return v === undefined ? null : sortable(summaryValue(v));
          };
        }
        // Predictor ids may hold colons themselves ('model:NAME'): the longest id the key starts with.
        let p: PredictedColumns | undefined;
        for (const q of this.predicted.values()) {
          if (key.startsWith(`${q.predictor}:`) && (!p || q.predictor.length > p.predictor.length)) p = q;
        }
        if (!p) return () => null;
        const column = key.slice(p.predictor.length + 1);
        return (i) => sortable(p.values.get(i)?.[column]);
      }
    }
  }
}

export function rowOf(s: Structure, index: number): Row {
  return {
    index,
    name: s.name,
    formula: hillFormula(s.numbers, symbolOfSafe),
    atoms: s.numbers.length,
    periodic: s.cell !== undefined,
    line: s.provenance?.line ?? 0,
  };
}

function symbolOfSafe(z: number): string {
  try {
    return symbolOf(z) || 'X';
  } catch {
    return 'X';
  }
}

function summaryValue(v: PropertyValue): SummaryValue {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v.every((x) => typeof x === 'number')) return v as readonly number[];
  return (v as readonly (string | boolean)[]).join(' ');
}

function sortable(v: SummaryValue | undefined): number | string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  // vectors sort by their norm
  return Math.hypot(...v);
}

/** Nulls and NaNs last; numbers before strings; strings in natural order. */
function compareValues(a: number | string | null, b: number | string | null): number {
  const aMissing = a === null || (typeof a === 'number' && Number.isNaN(a));
  const bMissing = b === null || (typeof b === 'number' && Number.isNaN(b));
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return (a as string).localeCompare(b as string, undefined, { numeric: true });
}

function fileColumnsOf(structures: readonly Structure[]): ColumnInfo[] {
  const kinds = new Map<string, { kind: ColumnInfo['kind']; width?: number }>();
  // Sample at most 2000 structures spread over the file: enough to see every key of a homogeneous file.
  const step = Math.max(1, Math.floor(structures.length / 2000));
  for (let i = 0; i < structures.length; i += step) {
    for (const [key, v] of Object.entries(structures[i]!.properties)) {
      if (kinds.has(key)) continue;
      const kind: ColumnInfo['kind'] =
        typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : 'vector';
      kinds.set(key, Array.isArray(v) ? { kind, width: v.length } : { kind });
      if (kinds.size >= 256) break;
    }
  }
  return [...kinds].map(([key, { kind, width }]) => ({ key, label: key, unit: '', kind, ...(width !== undefined ? { width } : {}), source: 'file' }));
}

import type { StructureFormat, StructureWriter, WriterOptions } from '../formats/format';
import type { Prediction, PredictionColumn } from '../predict/predictor';
import type { ResultRow, RowSink } from '../pipeline/rows';
import { createStructure, type AtomArray, type PropertyValue, type Structure } from '../structure/structure';
import type { TextSink } from './text-sink';

/**
 * Structure outputs (SDF, extended XYZ ... any registry format with `createWriter`): every row becomes a record.
 * An ok row's structure carries the predictor's values as properties (SD data fields / extXYZ info keys;
 * vectors as number arrays) and `equimol_status` 'ok'. An error row is written as its input structure (or, when
 * the record never parsed, a structure with no atoms and no name) with `equimol_status` 'error' and
 * `equimol_error` the message, so a file's records stay one to one with its input (option `errorRecords`, set
 * for job results by the session export and the CLI's predict/relax; `equimol convert` writes ok rows only).
 * Formats that cannot carry properties (PDB, POSCAR) get ok rows only.
 *
 * Per-atom predictions (a model's forces) are per-atom arrays: extXYZ columns (its writer's `forces:R:3`). The
 * molfile has no per-atom data block, so for SDF each per-atom array is an SD data field of one line per atom,
 * its components separated by spaces (`> <forces>` then "fx fy fz" lines, in eV/Å for forces), the layout
 * RDKit's and Open Babel's multi-line SD fields read as text. Our SDF reader keeps such a field as a string
 * property (it does not rebuild the atom array); `sdAtomArray` parses it back.
 */
export const STATUS_KEY = 'equimol_status';
export const ERROR_KEY = 'equimol_error';

/** Formats whose records carry properties, so error rows can be written as records. */
const PROPERTY_FORMATS = new Set(['sdf', 'extxyz']);

/** One line per atom of `width` space-separated numbers (the SD field layout of a per-atom array). */
export function sdAtomArrayText(width: number, data: ArrayLike<number>): string {
  const lines: string[] = [];
  for (let i = 0; i + width <= data.length; i += width) lines.push(Array.from({ length: width }, (_, c) => String(data[i + c]!)).join(' '));
  return lines.join('\n');
}

/** The inverse of `sdAtomArrayText`: undefined when the text is not lines of `width` numbers. */
export function sdAtomArray(text: string, width: number): Float64Array | undefined {
  const lines = text.trim() === '' ? [] : text.trim().split(/\r?\n/);
  const out = new Float64Array(lines.length * width);
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i]!.trim().split(/\s+/);
    if (parts.length !== width) return undefined;
    for (let c = 0; c < width; c++) {
      const x = Number(parts[c]);
      if (!Number.isFinite(x)) return undefined;
      out[i * width + c] = x;
    }
  }
  return out;
}

export interface PredictionLayout {
  /** Per-atom predictions as SD data fields (sdAtomArrayText) instead of atom arrays. */
  readonly atomArraysAsFields?: boolean;
}

export function withPredictions(
  structure: Structure,
  prediction: Prediction | undefined,
  columns: readonly PredictionColumn[],
  layout: PredictionLayout = {},
): Structure {
  if (!prediction) return structure;
  const properties: Record<string, PropertyValue> = { ...structure.properties };
  for (const column of columns) {
    const value = prediction.values[column.key];
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    properties[column.key] = value;
  }
  const atomArrays: Record<string, AtomArray> = { ...structure.atomArrays };
  for (const [key, array] of Object.entries(prediction.atomArrays ?? {})) {
    if (layout.atomArraysAsFields) properties[key] = sdAtomArrayText(array.width, array.data);
    else atomArrays[key] = { kind: 'float', width: array.width, data: array.data };
  }
  return withProperties(structure, properties, atomArrays);
}

function withProperties(structure: Structure, properties: Record<string, PropertyValue>, atomArrays: Record<string, AtomArray> = { ...structure.atomArrays }): Structure {
  return createStructure({
    name: structure.name,
    numbers: structure.numbers,
    positions: structure.positions,
    ...(structure.bonds ? { bonds: structure.bonds } : {}),
    ...(structure.formalCharges ? { formalCharges: structure.formalCharges } : {}),
    ...(structure.isotopes ? { isotopes: structure.isotopes } : {}),
    charge: structure.charge,
    multiplicity: structure.multiplicity,
    ...(structure.cell ? { cell: structure.cell } : {}),
    pbc: structure.pbc,
    properties,
    atomArrays,
    ...(structure.provenance ? { provenance: structure.provenance } : {}),
  });
}

/**
 * The record of an error row: its input structure, or no atoms when it never parsed, with the error fields.
 * `singleLine`: line breaks in the message become spaces (an extXYZ info line cannot hold one).
 */
export function errorRecord(row: ResultRow, singleLine = false): Structure {
  const base = row.structure ?? createStructure({ name: row.name, numbers: [], positions: [] });
  const error = singleLine ? row.error.replace(/\s*[\r\n]+\s*/g, ' ') : row.error;
  return withProperties(base, { ...base.properties, [STATUS_KEY]: 'error', [ERROR_KEY]: error });
}

export class NotWritableFormatError extends Error {
  constructor(readonly format: string) {
    super(`format '${format}' can be read but not written`);
    this.name = 'NotWritableFormatError';
  }
}

export interface StructureSinkOptions {
  readonly writer?: WriterOptions;
  /** Error rows also go here (the CLI's companion OUT.errors.csv). */
  readonly errors?: RowSink;
  /**
   * Job results (default false): every row is a record, error rows as records carrying the error when the format
   * holds properties (SDF, extXYZ), and records get `equimol_status`. False (`equimol convert`): ok rows only.
   */
  readonly errorRecords?: boolean;
}

export interface StructureRowSink extends RowSink {
  /** Records written so far (error records included). */
  readonly written: number;
  /** Error rows not written as records (formats without properties) nor to an `errors` sink. */
  readonly skippedErrors: number;
}

export function createStructureRowSink(
  format: StructureFormat,
  out: TextSink,
  columns: readonly PredictionColumn[],
  options: StructureSinkOptions = {},
): StructureRowSink {
  if (!format.createWriter) throw new NotWritableFormatError(format.id);
  const writer: StructureWriter = format.createWriter(options.writer);
  const marksStatus = (options.errorRecords ?? false) && PROPERTY_FORMATS.has(format.id);
  const errorRecords = marksStatus;
  const layout: PredictionLayout = { atomArraysAsFields: format.id === 'sdf' };
  let begun = false;
  let written = 0;
  let skippedErrors = 0;
  const begin = (): string => {
    if (begun) return '';
    begun = true;
    return writer.begin?.() ?? '';
  };
  return {
    get written() {
      return written;
    },
    get skippedErrors() {
      return skippedErrors;
    },
    async write(rows) {
      let text = begin();
      const errorRows: ResultRow[] = [];
      for (const row of rows) {
        if (row.status === 'ok' && row.structure) {
          let structure = withPredictions(row.structure, row.prediction, columns, layout);
          if (marksStatus) structure = withProperties(structure, { ...structure.properties, [STATUS_KEY]: 'ok' });
          text += writer.write(structure, written);
          written++;
        } else {
          if (errorRecords) {
            text += writer.write(errorRecord(row, format.id !== 'sdf'), written);
            written++;
          }
          errorRows.push(row);
        }
      }
      if (text) await out.write(text);
      if (errorRows.length > 0) {
        if (options.errors) await options.errors.write(errorRows);
        else if (!errorRecords) skippedErrors += errorRows.length;
      }
    },
    async close() {
      const text = begin() + (writer.end?.() ?? '');
      if (text) await out.write(text);
      await out.close();
      await options.errors?.close();
    },
  };
}

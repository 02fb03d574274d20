import type { StructureFormat, StructureWriter, WriterOptions } from '../formats/format';
import type { Prediction, PredictionColumn } from '../predict/predictor';
import type { ResultRow, RowSink } from '../pipeline/rows';
import { createStructure, type AtomArray, type PropertyValue, type Structure } from '../structure/structure';
import type { TextSink } from './text-sink';

/**
 * Structure outputs (SDF, extended XYZ ... any registry format with `createWriter`): each ok row's structure is
 * written with the predictor's values attached as properties (SD data fields / extXYZ info keys; vectors as
 * number arrays) and per-atom predictions as per-atom arrays (extXYZ columns). Error rows are not structures:
 * they go to `errors` (a companion errors CSV in the CLI) or, when `errors` is undefined, are only counted.
 */
export function withPredictions(structure: Structure, prediction: Prediction | undefined, columns: readonly PredictionColumn[]): Structure {
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
    atomArrays[key] = { kind: 'float', width: array.width, data: array.data };
  }
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

export class NotWritableFormatError extends Error {
  constructor(readonly format: string) {
    super(`format '${format}' can be read but not written`);
    this.name = 'NotWritableFormatError';
  }
}

export interface StructureSinkOptions {
  readonly writer?: WriterOptions;
  /** Where error rows go; undefined: skipped and counted in `skippedErrors`. */
  readonly errors?: RowSink;
}

export interface StructureRowSink extends RowSink {
  /** Structures written so far. */
  readonly written: number;
  /** Error rows not written anywhere (no `errors` sink). */
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
          text += writer.write(withPredictions(row.structure, row.prediction, columns), written);
          written++;
        } else {
          errorRows.push(row);
        }
      }
      if (text) await out.write(text);
      if (errorRows.length > 0) {
        if (options.errors) await options.errors.write(errorRows);
        else skippedErrors += errorRows.length;
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

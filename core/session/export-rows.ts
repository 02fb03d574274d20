/**
 * Rows to bytes for exportDocument and exportJob: 'csv' (one row per structure) or any registry format with a
 * writer ('sdf', 'extxyz', 'pdb', 'poscar'), structures carrying their values as properties; in SDF and extXYZ an
 * error row is a record with `equimol_status` and `equimol_error` (core/export/structures.ts). POSCAR holds one
 * structure: an export of several is refused with a message saying what to do instead.
 */
import type { ExportedFile, ExportFormat } from '../contract/equimol-api';
import { createCsvRowSink } from '../export/csv';
import { createStructureRowSink } from '../export/structures';
import { StringSink } from '../export/text-sink';
import { formatById } from '../formats/registry';
import type { ResultRow, RowSink } from '../pipeline/rows';
import type { PredictionColumn } from '../predict/predictor';
import { baseName } from './documents';

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv',
  sdf: 'chemical/x-mdl-sdfile',
  extxyz: 'chemical/x-xyz',
  pdb: 'chemical/x-pdb',
  poscar: 'text/plain',
};

/** 'aspirin.sdf.gz' -> 'aspirin'. */
export function stem(name: string): string {
  return baseName(name).replace(/\.gz$/i, '').replace(/\.[^.]*$/, '') || 'structures';
}

/** The file name of an export: BASE.csv, BASE.sdf ...; POSCAR as BASE.vasp (a name the format registry reads back). */
export function exportFileName(base: string, format: ExportFormat): string {
  return `${base}.${format === 'poscar' ? 'vasp' : format}`;
}

export class ExportRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportRefusedError';
  }
}

export async function writeRows(rows: readonly ResultRow[], columns: readonly PredictionColumn[], format: ExportFormat, fileName: string): Promise<ExportedFile> {
  const structures = rows.filter((r) => r.status === 'ok' && r.structure);
  if (format === 'poscar') {
    if (structures.length !== 1) {
      throw new ExportRefusedError(
        `a POSCAR file holds one structure; this export has ${structures.length}: export one structure (its index) or choose extxyz for several`,
      );
    }
    const only = structures[0]!.structure!;
    if (!only.cell) throw new ExportRefusedError(`POSCAR needs a unit cell; ${only.name || 'the structure'} has none (choose extxyz, sdf or pdb)`);
  }
  const out = new StringSink();
  let sink: RowSink;
  if (format === 'csv') {
    sink = createCsvRowSink(out, columns);
  } else {
    const target = formatById(format);
    if (!target?.createWriter) throw new ExportRefusedError(`cannot export as '${format}': no writer for that format is registered`);
    sink = createStructureRowSink(target, out, columns, { errorRecords: true });
  }
  const chunk = 1000;
  for (let i = 0; i < rows.length; i += chunk) await sink.write(rows.slice(i, i + chunk));
  await sink.close();
  // CSV, SDF and extXYZ have a record per row (error rows as records carrying the error); PDB and POSCAR ok rows only.
  const records = format === 'csv' || format === 'sdf' || format === 'extxyz' ? rows.length : structures.length;
  return { fileName, mimeType: MIME[format], bytes: new TextEncoder().encode(out.text), records };
}

import { csvLine } from '../../io/csv-codec';
import type { ScoreReport } from './score';

/** Per-molecule columns of a score report, in CSV order. */
export const SCORE_COLUMNS = ['record', 'name', 'status', 'error', 'atoms', 'stable_atoms', 'atom_stable_fraction', 'mol_stable', 'valid', 'smiles', 'unique', 'novel', 'fragments'] as const;

/**
 * The per-molecule flags as CSV text (header + one row per molecule; `record` 1-based within the batch or
 * the value `records[index]` gives, e.g. the record number in the input file).
 */
export function scoreReportCsv(report: ScoreReport, records?: readonly number[]): string {
  const parts = [csvLine([...SCORE_COLUMNS])];
  for (const m of report.per_molecule) {
    parts.push(csvLine([
      String(records?.[m.index] ?? m.index + 1), m.name, m.status, m.error, String(m.atoms), String(m.stable_atoms),
      String(m.atom_stable_fraction), String(m.mol_stable), String(m.valid), m.smiles ?? '', String(m.unique),
      m.novel === null ? '' : String(m.novel), String(m.fragments),
    ]));
  }
  return parts.join('');
}

import { csvLine } from '../../io/csv-codec';
import type { RelaxationOutcome } from './relaxation';
import type { ScoreReport } from './score';

/** Columns added when the molecules were relaxed (`equimol score --relax`). */
export const RELAXATION_COLUMNS = ['relaxed_energy', 'relaxation_energy', 'relax_rmsd', 'relax_converged', 'relax_error'] as const;

/** Per-molecule columns of a score report, in CSV order. */
export const SCORE_COLUMNS = ['record', 'name', 'status', 'error', 'atoms', 'stable_atoms', 'atom_stable_fraction', 'mol_stable', 'valid', 'smiles', 'unique', 'novel', 'fragments'] as const;

/**
 * The per-molecule flags as CSV text (header + one row per molecule; `record` 1-based within the batch or
 * the value `records[index]` gives, e.g. the record number in the input file), with the relaxation columns when
 * `relaxations` (by molecule index) is given.
 */
export function scoreReportCsv(report: ScoreReport, records?: readonly number[], relaxations?: ReadonlyMap<number, RelaxationOutcome>): string {
  const parts = [csvLine([...SCORE_COLUMNS, ...(relaxations ? RELAXATION_COLUMNS : [])])];
  for (const m of report.per_molecule) {
    const relaxed = relaxations?.get(m.index);
    const relaxCells = !relaxations ? [] : !relaxed ? ['', '', '', '', m.valid ? 'not relaxed (beyond --relax-count)' : 'not relaxed (invalid)']
      : relaxed.ok ? [String(relaxed.score.energy), String(relaxed.score.relaxationEnergy), String(relaxed.score.rmsd), String(relaxed.score.converged), '']
        : ['', '', '', 'false', relaxed.error];
    parts.push(csvLine([
      String(records?.[m.index] ?? m.index + 1), m.name, m.status, m.error, String(m.atoms), String(m.stable_atoms),
      String(m.atom_stable_fraction), String(m.mol_stable), String(m.valid), m.smiles ?? '', String(m.unique),
      m.novel === null ? '' : String(m.novel), String(m.fragments), ...relaxCells,
    ]));
  }
  return parts.join('');
}

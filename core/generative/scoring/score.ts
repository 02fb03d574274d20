/**
 * Scores a batch of generated 3D molecules the way EDM reports them (Hoogeboom et al. 2022, Table 1;
 * qm9/analyze.py `analyze_stability_for_molecules` and qm9/rdkit_functions.py `BasicMolecularMetrics`):
 * - atom stability = stable atoms / all atoms, molecule stability = stable molecules / molecules;
 * - validity = valid molecules / molecules;
 * - uniqueness = distinct SMILES among the valid / valid molecules;
 * - novelty = distinct SMILES not in the training set / distinct SMILES (only with `trainingSmiles`).
 * A molecule the scorer cannot judge (no atoms, an unknown element, a non-finite coordinate) is an error row:
 * it counts as an unstable, invalid sample (its atoms as unstable atoms), as a failed sample would in EDM.
 * Needs RDKit loaded (`await loadRDKit()` from core/toolkits).
 */
import { edmStability, ScoringInputError, type AtomsAndPositions } from './stability';
import { edmValidity } from './validity';

/** Per-molecule flags, named for use as document / CSV columns. */
export interface MoleculeScore {
  /** 0-based position in the scored batch. */
  readonly index: number;
  readonly name: string;
  readonly status: 'ok' | 'error';
  /** '' for ok rows. */
  readonly error: string;
  readonly atoms: number;
  readonly stable_atoms: number;
  /** stable_atoms / atoms; 0 for error rows. */
  readonly atom_stable_fraction: number;
  readonly mol_stable: boolean;
  readonly valid: boolean;
  /** Canonical SMILES of the largest fragment (no H, no stereo); null when invalid. */
  readonly smiles: string | null;
  /** Valid and the first molecule of the batch with this SMILES. */
  readonly unique: boolean;
  /** Valid with a SMILES outside the training set; null without a training set or when invalid. */
  readonly novel: boolean | null;
  /** Fragments of EDM's bond graph; 0 for error rows. */
  readonly fragments: number;
}

export interface ScoreReport {
  readonly molecules: number;
  /** Molecules that could not be scored (error rows). */
  readonly errors: number;
  readonly atoms: number;
  readonly stable_atoms: number;
  readonly stable_molecules: number;
  readonly valid_molecules: number;
  /** Distinct SMILES among the valid molecules. */
  readonly unique_molecules: number;
  /** Distinct SMILES not in the training set; null without a training set. */
  readonly novel_molecules: number | null;
  /** Percentages (0-100); NaN where the denominator is 0. */
  readonly atom_stability_percent: number;
  readonly molecule_stability_percent: number;
  readonly validity_percent: number;
  /** Of the valid molecules. */
  readonly uniqueness_percent: number;
  /** Of the unique valid molecules; null without a training set. */
  readonly novelty_percent: number | null;
  readonly per_molecule: readonly MoleculeScore[];
}

export interface ScoreOptions {
  /** Canonical SMILES of the training set, as `edmSmiles` writes them, for novelty. */
  readonly trainingSmiles?: ReadonlySet<string>;
}

/** A molecule to score: atoms, positions (Å) and an optional name. */
export type ScorableMolecule = AtomsAndPositions & { readonly name?: string };

function percent(count: number, total: number): number {
  return total === 0 ? Number.NaN : (100 * count) / total;
}

interface SingleScore {
  readonly stableAtoms: number;
  readonly moleculeStable: boolean;
  readonly valid: boolean;
  readonly smiles: string | null;
  readonly fragments: number;
}

function scoreOne(molecule: AtomsAndPositions): SingleScore {
  const stability = edmStability(molecule);
  const validity = edmValidity(molecule, stability.bonds);
  return { stableAtoms: stability.stableAtoms, moleculeStable: stability.moleculeStable, valid: validity.valid, smiles: validity.smiles, fragments: validity.fragments };
}

/** The SMILES EDM's pipeline gives a molecule (null when invalid): use it to build `trainingSmiles`. */
export function edmSmiles(molecule: AtomsAndPositions): string | null {
  return scoreOne(molecule).smiles;
}

/** Scores every molecule of `molecules`; never throws for a bad molecule (it becomes an error row). */
export function scoreMolecules(molecules: readonly ScorableMolecule[], options: ScoreOptions = {}): ScoreReport {
  const training = options.trainingSmiles;
  const seen = new Set<string>();
  const rows: MoleculeScore[] = [];
  let atoms = 0, stableAtoms = 0, stable = 0, valid = 0, errors = 0, novel = 0;
  molecules.forEach((molecule, index) => {
    const name = molecule.name ?? '';
    const n = molecule.numbers.length;
    atoms += n;
    let result: SingleScore;
    try {
      result = scoreOne(molecule);
    } catch (error) {
      if (!(error instanceof ScoringInputError)) throw error;
      errors++;
      rows.push({
        index, name, status: 'error', error: error.message, atoms: n, stable_atoms: 0, atom_stable_fraction: 0,
        mol_stable: false, valid: false, smiles: null, unique: false, novel: null, fragments: 0,
      });
      return;
    }
    stableAtoms += result.stableAtoms;
    if (result.moleculeStable) stable++;
    const smiles = result.valid ? result.smiles : null;
    let unique = false;
    let isNovel: boolean | null = null;
    if (smiles !== null) {
      valid++;
      unique = !seen.has(smiles);
      seen.add(smiles);
      if (training) {
        isNovel = !training.has(smiles);
        if (isNovel && unique) novel++;
      }
    }
    rows.push({
      index, name, status: 'ok', error: '', atoms: n, stable_atoms: result.stableAtoms,
      atom_stable_fraction: result.stableAtoms / n, mol_stable: result.moleculeStable, valid: smiles !== null,
      smiles, unique, novel: isNovel, fragments: result.fragments,
    });
  });
  return {
    molecules: molecules.length,
    errors,
    atoms,
    stable_atoms: stableAtoms,
    stable_molecules: stable,
    valid_molecules: valid,
    unique_molecules: seen.size,
    novel_molecules: training ? novel : null,
    atom_stability_percent: percent(stableAtoms, atoms),
    molecule_stability_percent: percent(stable, molecules.length),
    validity_percent: percent(valid, molecules.length),
    uniqueness_percent: percent(seen.size, valid),
    novelty_percent: training ? percent(novel, seen.size) : null,
    per_molecule: rows,
  };
}

function pct(value: number | null): string {
  return value === null ? '-' : Number.isNaN(value) ? 'n/a' : `${value.toFixed(2)} %`;
}

/** The report's totals as a few aligned lines of text (for the CLI). */
export function formatScoreReport(report: ScoreReport): string {
  const lines = [
    `molecules            ${report.molecules} (${report.errors} could not be scored)`,
    `atom stability       ${pct(report.atom_stability_percent)}  (${report.stable_atoms} / ${report.atoms} atoms)`,
    `molecule stability   ${pct(report.molecule_stability_percent)}  (${report.stable_molecules} / ${report.molecules})`,
    `validity             ${pct(report.validity_percent)}  (${report.valid_molecules} / ${report.molecules})`,
    `uniqueness           ${pct(report.uniqueness_percent)}  (${report.unique_molecules} distinct SMILES / ${report.valid_molecules} valid)`,
    `novelty              ${pct(report.novelty_percent)}${report.novel_molecules === null ? '  (no training set given)' : `  (${report.novel_molecules} / ${report.unique_molecules} distinct)`}`,
  ];
  return lines.join('\n') + '\n';
}

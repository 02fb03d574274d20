/**
 * Validity and the SMILES of a generated molecule, as EDM computes them (qm9/rdkit_functions.py
 * `build_molecule`, `mol2smiles`, `BasicMolecularMetrics.compute_validity` of
 * github.com/ehoogeboom/e3_diffusion_for_molecules): the atoms and EDM's distance bonds (stability.ts), no
 * charges, go to RDKit; the molecule is valid when RDKit sanitisation succeeds (RDKit fills missing valence
 * with implicit hydrogens, so what fails is an atom above its largest valence). The SMILES is that of the
 * largest fragment (most atoms, hydrogens included; the first such in RDKit's fragment order).
 *
 * Here the molecule goes to RDKit MinimalLib (core/toolkits) as a V2000/V3000 molblock written by our SDF
 * writer, and the SMILES is RDKit's canonical SMILES with hydrogens removed and without stereo (EDM's RDKit
 * molecule has no coordinates, so carries no stereo); `await loadRDKit()` first.
 */
import { createStructure, type Bond } from '../../structure/structure';
import { writeV2000, writeV3000 } from '../../formats/sdf/writer';
import { rdkitModule } from '../../toolkits/toolkits';
import type { AtomsAndPositions } from './stability';

export interface EdmValidity {
  /** RDKit sanitised the whole molecule. */
  readonly valid: boolean;
  /** Canonical SMILES (no H, no stereo) of the largest fragment; null when invalid. */
  readonly smiles: string | null;
  /** Connected fragments of the bond graph. */
  readonly fragments: number;
}

/** Connected components in RDKit's GetMolFrags order (by lowest atom index); atoms of each ascending. */
export function fragmentsOf(atomCount: number, bonds: readonly Bond[]): number[][] {
  const neighbours: number[][] = Array.from({ length: atomCount }, () => []);
  for (const b of bonds) {
    neighbours[b.a]!.push(b.b);
    neighbours[b.b]!.push(b.a);
  }
  const seen = new Uint8Array(atomCount);
  const fragments: number[][] = [];
  for (let start = 0; start < atomCount; start++) {
    if (seen[start]) continue;
    const atoms: number[] = [];
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const atom = stack.pop()!;
      atoms.push(atom);
      for (const next of neighbours[atom]!) {
        if (!seen[next]) {
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    fragments.push(atoms.sort((x, y) => x - y));
  }
  return fragments;
}

/** A molblock of `atoms` (all when omitted) of the molecule with `bonds`, indices renumbered. */
export function bondedMolblock(molecule: AtomsAndPositions, bonds: readonly Bond[], atoms?: readonly number[]): string {
  const keep = atoms ?? Array.from({ length: molecule.numbers.length }, (_, i) => i);
  const newIndex = new Map<number, number>(keep.map((atom, k) => [atom, k]));
  const positions: number[] = [];
  for (const atom of keep) positions.push(molecule.positions[3 * atom]!, molecule.positions[3 * atom + 1]!, molecule.positions[3 * atom + 2]!);
  const kept: Bond[] = [];
  for (const b of bonds) {
    const a = newIndex.get(b.a), c = newIndex.get(b.b);
    if (a !== undefined && c !== undefined) kept.push({ a, b: c, order: b.order });
  }
  const structure = createStructure({ numbers: keep.map((atom) => molecule.numbers[atom]!), positions, bonds: kept });
  const big = keep.length > 999 || kept.length > 999;
  return (big ? writeV3000(structure, []) : writeV2000(structure, [])).replace(/\$\$\$\$\n$/, '');
}

// Sanitise with the hydrogens: RDKit's molfile reader with removeHs removes them before sanitising, which
// would hide an over-valent atom bonded to hydrogens (CH5 would pass).
const MOL_DETAILS = JSON.stringify({ removeHs: false });
const SMILES_DETAILS = JSON.stringify({ doIsomericSmiles: false });

/** Canonical SMILES of a molblock after RDKit sanitisation, or null when RDKit rejects it. */
function sanitisedSmiles(molblock: string): string | null {
  const mol = rdkitModule().get_mol(molblock, MOL_DETAILS);
  try {
    if (!mol || !mol.is_valid()) return null;
    const withHydrogens = mol.get_smiles(SMILES_DETAILS);
    mol.remove_hs_in_place();
    // A fragment of hydrogens only (H2, [H]) has no heavy-atom SMILES: keep its explicit form, never ''.
    return mol.get_smiles(SMILES_DETAILS) || withHydrogens;
  } finally {
    mol?.delete();
  }
}

/** EDM's validity and largest-fragment SMILES of a molecule with the bonds EDM assigned it. */
export function edmValidity(molecule: AtomsAndPositions, bonds: readonly Bond[]): EdmValidity {
  const fragments = fragmentsOf(molecule.numbers.length, bonds);
  const whole = sanitisedSmiles(bondedMolblock(molecule, bonds));
  if (whole === null) return { valid: false, smiles: null, fragments: fragments.length };
  if (fragments.length === 1) return { valid: true, smiles: whole, fragments: 1 };
  let largest = fragments[0]!;
  for (const fragment of fragments) if (fragment.length > largest.length) largest = fragment;
  // A fragment of a sanitisable molecule sanitises too.
  const smiles = sanitisedSmiles(bondedMolblock(molecule, bonds, largest));
  return { valid: true, smiles, fragments: fragments.length };
}

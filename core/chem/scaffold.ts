/**
 * Bemis–Murcko scaffolds (Bemis & Murcko, J. Med. Chem. 39, 2887 (1996)): the ring systems of a molecule and the
 * linkers between them, after removing every side chain (atoms repeatedly pruned while they have at most one
 * heavy-atom neighbour). Hydrogens are ignored. The scaffold is written as RDKit's canonical SMILES, so that
 * equal scaffolds compare equal as strings (stereo dropped, so enantiomers share a scaffold); '' when the molecule has no ring.
 *
 * Bonds: the file's orders (SDF) or orders assigned to perceived connectivity (core/chem/bond-orders.ts); when no
 * assignment exists, the connectivity alone with single bonds (the scaffold's graph, still a stable key).
 * Needs RDKit loaded (`await loadRDKit()`).
 */
import { createStructure, type Bond, type Structure } from '../structure/structure';
import { writeV2000 } from '../formats/sdf/writer';
import { perceiveBonds } from '../perception/perceive-bonds';
import { withRDKitMol } from '../toolkits/toolkits';
import { chemicalBonds } from './bond-orders';

/** Indices of the atoms of the Bemis–Murcko framework (heavy atoms in rings or on paths between rings). */
export function murckoScaffoldAtoms(numbers: ArrayLike<number>, bonds: readonly Bond[]): number[] {
  const n = numbers.length;
  const neighbours = Array.from({ length: n }, () => new Set<number>());
  for (const { a, b } of bonds) {
    if (numbers[a]! <= 1 || numbers[b]! <= 1) continue;
    neighbours[a]!.add(b);
    neighbours[b]!.add(a);
  }
  const alive = Array.from({ length: n }, (_, i) => numbers[i]! > 1);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (alive[i] && neighbours[i]!.size <= 1) queue.push(i);
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (!alive[i]) continue;
    alive[i] = false;
    for (const j of neighbours[i]!) {
      neighbours[j]!.delete(i);
      if (alive[j] && neighbours[j]!.size <= 1) queue.push(j);
    }
    neighbours[i]!.clear();
  }
  return alive.flatMap((keep, i) => (keep ? [i] : []));
}

/** Canonical SMILES of the Bemis–Murcko scaffold of `structure`; '' for a molecule without rings. */
export function murckoScaffold(structure: Structure): string {
  const assigned = chemicalBonds(structure);
  const bonds = assigned?.bonds ?? perceiveBonds(structure).map((b) => ({ ...b, order: 1 as const }));
  const atoms = murckoScaffoldAtoms(structure.numbers, bonds);
  if (atoms.length === 0) return '';
  const index = new Map(atoms.map((a, k) => [a, k]));
  const positions = atoms.flatMap((a) => [structure.positions[3 * a]!, structure.positions[3 * a + 1]!, structure.positions[3 * a + 2]!]);
  const scaffoldBonds = bonds.flatMap((b) => (index.has(b.a) && index.has(b.b) ? [{ a: index.get(b.a)!, b: index.get(b.b)!, order: b.order }] : []));
  const charges = assigned ? atoms.map((a) => assigned.formalCharges[a]!) : undefined;
  const scaffold = createStructure({
    numbers: atoms.map((a) => structure.numbers[a]!), positions, bonds: scaffoldBonds, ...(charges ? { formalCharges: charges } : {}),
  });
  const molblock = writeV2000(scaffold, []).replace(/\$\$\$\$\n$/, '');
  // The framework keeps the original bond orders; cut side chains leave open valences that RDKit fills with H.
  const isomeric = withRDKitMol(molblock, { sanitize: true }, (mol) => mol.get_smiles());
  // Stereo from the 3D coordinates would tell enantiomers apart: drop it and canonicalise the plain graph again.
  const smiles = isomeric === undefined ? undefined : withRDKitMol(isomeric.replace(/@+/g, '').replace(/[/\\]/g, ''), undefined, (mol) => mol.get_smiles());
  return smiles ?? `graph:${atoms.map((a) => structure.numbers[a]).join('.')}|${scaffoldBonds.map((b) => `${Math.min(b.a, b.b)}-${Math.max(b.a, b.b)}`).sort().join(',')}`;
}

/**
 * Chemical search terms through openchemlib: `smiles:` (same molecule: equal idcodes of the hydrogen-stripped
 * graphs, canonized neglecting stereo), `sub:` (SMILES) and `smarts:` substructures (SSSearcher). A record's
 * molecule is built straight from its heavy atoms and its bonds with orders (core/chem chemicalBonds: the file's
 * own, or orders assigned to the connectivity perceived from distances), hydrogens implicit: about 6x cheaper
 * than writing and parsing a molfile, and cheaper than rebuilding it from a cached idcode, so only the idcodes
 * (for `smiles:`) are cached. Heavy-atom counts prefilter `smiles:` and `sub:` terms (a fragment cannot have more
 * carbons than its molecule) before any toolkit work.
 */
import type { Molecule, SSSearcher } from 'openchemlib';
import { chemicalBonds } from '../../chem/bond-orders';
import type { OpenChemLib } from '../../toolkits/toolkits';
import type { Structure } from '../../structure/structure';
import { SearchSyntaxError, type SearchTerm } from './search-query';

type ChemTerm = Extract<SearchTerm, { kind: 'chem' }>;

/** Per-record molecules of one document, and their idcodes once computed (null: no molecule could be made). */
export class ChemCache {
  private idcodes: (string | null | undefined)[] = [];
  /** Molecules built so far, for the figures in tests. */
  built = 0;

  constructor(private readonly ocl: OpenChemLib) {}

  get toolkit(): OpenChemLib {
    return this.ocl;
  }

  /** The record's molecule (heavy atoms, hydrogens implicit, no stereo), or null when it has none. */
  molecule(index: number, structure: Structure): Molecule | null {
    if (this.idcodes[index] === null) return null;
    this.built++;
    const molecule = buildMolecule(this.ocl, structure);
    if (!molecule) this.idcodes[index] = null;
    return molecule;
  }

  /** The record's stereo-free idcode, cached; null when it has no molecule. */
  idcode(index: number, structure: Structure): string | null {
    const known = this.idcodes[index];
    if (known !== undefined) return known;
    const molecule = this.molecule(index, structure);
    const idcode = molecule ? stereoFreeIdcode(this.ocl, molecule) : null;
    this.idcodes[index] = idcode;
    return idcode;
  }
}

const RADICALS = ['cAtomRadicalStateNone', 'cAtomRadicalStateS', 'cAtomRadicalStateD', 'cAtomRadicalStateT'] as const;

/** Heavy atoms and their bonds as an openchemlib molecule; null for crystals and when no bond orders exist. */
function buildMolecule(ocl: OpenChemLib, structure: Structure): Molecule | null {
  let assigned;
  try {
    assigned = chemicalBonds(structure);
  } catch {
    return null;
  }
  if (!assigned) return null;
  const M = ocl.Molecule;
  const numbers = structure.numbers;
  const radical = structure.atomArrays.radical;
  const map = new Int32Array(numbers.length).fill(-1);
  const molecule = new M(numbers.length, assigned.bonds.length);
  for (let i = 0; i < numbers.length; i++) {
    if (numbers[i]! <= 1) continue;
    const atom = molecule.addAtom(numbers[i]!);
    map[i] = atom;
    if (assigned.formalCharges[i]) molecule.setAtomCharge(atom, assigned.formalCharges[i]!);
    const code = radical && radical.kind === 'int' ? radical.data[i]! : 0;
    if (code > 0 && code < 4) molecule.setAtomRadical(atom, M[RADICALS[code]!]);
  }
  for (const bond of assigned.bonds) {
    const a = map[bond.a]!;
    const b = map[bond.b]!;
    if (a < 0 || b < 0) continue;
    const type =
      bond.order === 2 ? M.cBondTypeDouble : bond.order === 3 ? M.cBondTypeTriple : bond.order === 1.5 ? M.cBondTypeDelocalized : M.cBondTypeSingle;
    molecule.setBondType(molecule.addBond(a, b), type);
  }
  return molecule.getAllAtoms() > 0 ? molecule : null;
}

/** The canonical idcode with no stereo (CanonizerUtil.NOSTEREO keeps a 3D molecule's parity flags). */
function stereoFreeIdcode(ocl: OpenChemLib, molecule: Molecule): string {
  return new ocl.Canonizer(molecule, { neglectAnyStereoInformation: true }).getIDCode();
}

/** Heavy-atom counts by atomic number. */
function heavyCounts(numbers: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < numbers.length; i++) {
    const z = numbers[i]!;
    if (z > 1) counts.set(z, (counts.get(z) ?? 0) + 1);
  }
  return counts;
}

function moleculeCounts(molecule: Molecule): Map<number, number> {
  const numbers: number[] = [];
  for (let a = 0; a < molecule.getAllAtoms(); a++) numbers.push(molecule.getAtomicNo(a));
  return heavyCounts(numbers);
}

/** One compiled chemical term: `test` answers for a record, building or reusing its molecule through the cache. */
export interface ChemMatcher {
  test(index: number, structure: Structure): boolean;
}

function parseQuery(ocl: OpenChemLib, term: ChemTerm): Molecule {
  try {
    if (term.field === 'smarts') return new ocl.SmilesParser({ smartsMode: 'smarts' }).parseMolecule(term.value, { noCoordinates: true });
    return ocl.Molecule.fromSmiles(term.value, { noCoordinates: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const what = term.field === 'smarts' ? 'SMARTS' : 'SMILES';
    throw new SearchSyntaxError(`'${term.value.slice(0, 60)}' is not a valid ${what}: ${detail.slice(0, 120)}`, term.start, term.end);
  }
}

export function compileChemTerm(cache: ChemCache, term: ChemTerm): ChemMatcher {
  const ocl = cache.toolkit;
  const query = parseQuery(ocl, term);
  if (query.getAllAtoms() === 0) throw new SearchSyntaxError(`'${term.value.slice(0, 60)}' has no atoms`, term.start, term.end);
  if (term.field === 'smiles') {
    query.removeExplicitHydrogens();
    const idcode = stereoFreeIdcode(ocl, query);
    const counts = moleculeCounts(query);
    return {
      test(index, structure) {
        if (!sameCounts(counts, heavyCounts(structure.numbers))) return false;
        return cache.idcode(index, structure) === idcode;
      },
    };
  }
  query.setFragment(true);
  const searcher: SSSearcher = new ocl.SSSearcher();
  searcher.setFragment(query);
  // SMARTS atoms may be lists or wildcards: only a SMILES fragment's element counts are a safe prefilter.
  const counts = term.field === 'sub' ? moleculeCounts(query) : undefined;
  return {
    test(index, structure) {
      if (counts && !covers(heavyCounts(structure.numbers), counts)) return false;
      const molecule = cache.molecule(index, structure);
      if (!molecule) return false;
      searcher.setMolecule(molecule);
      return searcher.isFragmentInMolecule();
    },
  };
}

function sameCounts(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [z, n] of a) if (b.get(z) !== n) return false;
  return true;
}

/** Whether `molecule` has at least the fragment's count of every element. */
function covers(molecule: Map<number, number>, fragment: Map<number, number>): boolean {
  for (const [z, n] of fragment) if ((molecule.get(z) ?? 0) < n) return false;
  return true;
}

/**
 * SMILES -> 3D Structure: RDKit parses and validates the SMILES (and kekulises it into a molfile), then
 * openchemlib adds hydrogens and builds a conformer (ConformerGenerator, torsion-library based), cleaned
 * up with the MMFF94s+ force field when MMFF has parameters for every atom (C–H then ~1.09 Å).
 */
import { createStructure, type Bond, type BondOrder, type PropertyValue, type Structure } from '../structure/structure';
import { openChemLib, rdkitModule, type RDKitMol } from './toolkits';

export interface EmbedOptions {
  /** Seed of the conformer generator (reproducible coordinates). */
  readonly seed?: number;
  readonly name?: string;
  readonly properties?: Record<string, PropertyValue>;
  /** Skip the MMFF94s+ minimisation. */
  readonly skipForceField?: boolean;
}

export class SmilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmilesError';
  }
}

/** openchemlib radical state (16 singlet, 32 doublet, 48 triplet) -> MDL code (1, 2, 3). */
function mdlRadical(oclRadical: number): number {
  return oclRadical === 16 ? 1 : oclRadical === 32 ? 2 : oclRadical === 48 ? 3 : 0;
}

/**
 * Sets the counts-line chiral flag: SMILES stereo is absolute, but a molfile with flag 0 means 'racemic /
 * relative', and openchemlib would then build either enantiomer.
 */
function withChiralFlag(molblock: string): string {
  const lines = molblock.split('\n');
  const counts = lines[3];
  if (counts && counts.length >= 15 && counts.includes('V2000')) lines[3] = `${counts.slice(0, 12)}  1${counts.slice(15)}`;
  return lines.join('\n');
}

/** Kekulé molfile of a valid SMILES, or throws SmilesError naming the problem. */
export function molfileOfSmiles(smiles: string): string {
  const rdkit = rdkitModule();
  if (smiles.trim() === '') throw new SmilesError('empty SMILES');
  let mol: RDKitMol | null = null;
  try {
    mol = rdkit.get_mol(smiles);
    if (!mol || !mol.is_valid()) throw new SmilesError(`invalid SMILES '${smiles}'`);
    return withChiralFlag(mol.get_molblock());
  } finally {
    mol?.delete();
  }
}

/** True when RDKit parses `text` as a SMILES (quietly). */
export function isValidSmiles(text: string): boolean {
  if (text.trim() === '' || /\s/.test(text.trim())) return false;
  let mol: RDKitMol | null = null;
  try {
    mol = rdkitModule().get_mol(text);
    return !!mol && mol.is_valid() && mol.get_num_atoms() > 0;
  } catch {
    return false;
  } finally {
    mol?.delete();
  }
}

export function smilesToStructure(smiles: string, options: EmbedOptions = {}): Structure {
  const molfile = molfileOfSmiles(smiles);
  const OCL = openChemLib();
  const molecule = OCL.Molecule.fromMolfile(molfile);
  const generator = new OCL.ConformerGenerator(options.seed ?? 42);
  const conformer = generator.getOneConformerAsMolecule(molecule);
  if (!conformer) throw new SmilesError(`no 3D conformer could be generated for '${smiles}'`);
  if (!options.skipForceField && conformer.getAllAtoms() > 1) {
    try {
      new OCL.ForceFieldMMFF94(conformer, 'MMFF94s+', {}).minimise({ maxIts: 4000 });
    } catch {
      // No MMFF parameters (metals, boron ...): keep the torsion-library conformer.
    }
  }
  const n = conformer.getAllAtoms();
  const numbers = new Uint8Array(n);
  const positions = new Float64Array(3 * n);
  const charges = new Int8Array(n);
  const isotopes = new Uint16Array(n);
  const radicals = new Int32Array(n);
  let unpaired = 0;
  for (let i = 0; i < n; i++) {
    numbers[i] = conformer.getAtomicNo(i);
    positions[3 * i] = conformer.getAtomX(i);
    positions[3 * i + 1] = conformer.getAtomY(i);
    positions[3 * i + 2] = conformer.getAtomZ(i);
    charges[i] = conformer.getAtomCharge(i);
    isotopes[i] = conformer.getAtomMass(i);
    radicals[i] = mdlRadical(conformer.getAtomRadical(i));
    unpaired += radicals[i] === 2 ? 1 : radicals[i] === 3 ? 2 : 0;
  }
  const bonds: Bond[] = [];
  for (let k = 0; k < conformer.getAllBonds(); k++) {
    const order = conformer.getBondOrder(k);
    bonds.push({ a: conformer.getBondAtom(0, k), b: conformer.getBondAtom(1, k), order: (order >= 1 && order <= 3 ? order : 0) as BondOrder });
  }
  return createStructure({
    name: options.name ?? '',
    numbers,
    positions,
    bonds,
    formalCharges: charges,
    isotopes,
    multiplicity: unpaired + 1,
    properties: options.properties ?? {},
    atomArrays: unpaired > 0 || radicals.some((r) => r !== 0) ? { radical: { kind: 'int', width: 1, data: radicals } } : {},
  });
}

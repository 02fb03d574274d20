/**
 * Cheminformatics for one Structure through RDKit MinimalLib: canonical SMILES, InChIKey, formula,
 * descriptors and a 2D depiction. The structure goes to RDKit as a molfile (our SDF writer), which RDKit
 * sanitises and strips of explicit hydrogens, exactly as RDKit's Python SDMolSupplier does by default.
 * Every RDKit molecule is freed (mol.delete()) in a finally block.
 */
import { createStructure, hillFormula, type Structure } from '../structure/structure';
import { symbolOf } from '../structure/elements';
import { writeV2000, writeV3000 } from '../formats/sdf/writer';
import { parseMolfile } from '../formats/sdf/molfile';
import { chemicalBonds } from './bond-orders';
import { rdkitModule, withRDKitMol, type RDKitMol } from '../toolkits/toolkits';

export interface MoleculeDescription {
  readonly canonicalSmiles: string;
  /** '' when the RDKit build has no InChI support. */
  readonly inchiKey: string;
  /** Hill formula with implicit hydrogens and the net charge, as RDKit's CalcMolFormula writes it. */
  readonly formula: string;
  /** Average molecular weight, g/mol. */
  readonly molecularWeight: number;
  /** Monoisotopic mass, Da. */
  readonly exactMass: number;
  /** Wildman–Crippen logP. */
  readonly cLogP: number;
  /** Topological polar surface area (Ertl), Å². */
  readonly tpsa: number;
  readonly hBondDonors: number;
  readonly hBondAcceptors: number;
  readonly rotatableBonds: number;
  readonly ringCount: number;
  readonly aromaticRingCount: number;
  readonly fractionSp3: number;
  readonly heavyAtomCount: number;
}

export class PerceptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PerceptionError';
  }
}

/** A molfile RDKit can read for `structure`, with bond orders from the file or assigned; throws PerceptionError. */
export function molblockFor(structure: Structure): string {
  if (structure.numbers.length === 0) throw new PerceptionError('structure has no atoms');
  const assigned = chemicalBonds(structure);
  if (!assigned) {
    const format = structure.provenance?.format ?? 'this';
    throw new PerceptionError(`bond orders unknown: ${format} input gives no bond orders and none could be assigned from connectivity and valence`);
  }
  const plain = createStructure({
    name: '',
    numbers: structure.numbers,
    positions: structure.positions,
    bonds: assigned.bonds,
    formalCharges: assigned.formalCharges,
    ...(structure.isotopes ? { isotopes: structure.isotopes } : {}),
    atomArrays: structure.atomArrays.radical ? { radical: structure.atomArrays.radical } : {},
  });
  const big = plain.numbers.length > 999 || assigned.bonds.length > 999;
  return (big ? writeV3000(plain, []) : writeV2000(plain, [])).replace(/\$\$\$\$\n$/, '');
}

function chargeSuffix(charge: number): string {
  if (charge === 0) return '';
  const sign = charge > 0 ? '+' : '-';
  return Math.abs(charge) === 1 ? sign : `${sign}${Math.abs(charge)}`;
}

/** Formula with implicit hydrogens: counts atoms of RDKit's molfile after add_hs. */
function formulaOf(mol: RDKitMol): string {
  const record = parseMolfile(mol.add_hs().split('\n'), 1);
  let charge = 0;
  for (let i = 0; i < record.charges.length; i++) charge += record.charges[i]!;
  return hillFormula(record.numbers, symbolOf) + chargeSuffix(charge);
}

function inchiKeyOf(mol: RDKitMol): string {
  try {
    const inchi = mol.get_inchi();
    return inchi ? rdkitModule().get_inchikey_for_inchi(inchi) : '';
  } catch {
    return '';
  }
}

/** Runs `use` on the RDKit molecule for `structure`; throws PerceptionError when RDKit rejects it. */
export function withStructureMol<T>(structure: Structure, use: (mol: RDKitMol) => T): T {
  const molblock = molblockFor(structure);
  // removeHs: RDKit's Python SDMolSupplier default, which the reference descriptors use.
  const result = withRDKitMol(molblock, { removeHs: true }, (mol) => ({ value: use(mol) }));
  if (!result) throw new PerceptionError('RDKit could not sanitise the molecule (valence or aromaticity problem)');
  return result.value;
}

export function describeMolecule(structure: Structure): MoleculeDescription {
  return withStructureMol(structure, (mol) => {
    const d = JSON.parse(mol.get_descriptors()) as Record<string, number>;
    return {
      canonicalSmiles: mol.get_smiles(),
      inchiKey: inchiKeyOf(mol),
      formula: formulaOf(mol),
      molecularWeight: d.amw!,
      exactMass: d.exactmw!,
      cLogP: d.CrippenClogP!,
      tpsa: d.tpsa!,
      hBondDonors: d.NumHBD!,
      hBondAcceptors: d.NumHBA!,
      rotatableBonds: d.NumRotatableBonds!,
      ringCount: d.NumRings!,
      aromaticRingCount: d.NumAromaticRings!,
      fractionSp3: d.FractionCSP3!,
      heavyAtomCount: d.NumHeavyAtoms!,
    };
  });
}

/** 2D depiction (SVG text) from the canonical SMILES, so 3D coordinates do not distort the drawing. */
export function depictionSvg(structure: Structure, width = 300, height = 220): string {
  const smiles = withStructureMol(structure, (mol) => mol.get_smiles());
  const svg = withRDKitMol(smiles, undefined, (mol) => mol.get_svg(width, height));
  if (svg === undefined) throw new PerceptionError(`RDKit could not depict ${smiles}`);
  return svg;
}

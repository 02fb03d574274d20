/**
 * 'rdkit-descriptors': cheminformatics columns per structure from RDKit MinimalLib (canonical SMILES,
 * InChIKey, formula, molecular weight, exact mass, Crippen cLogP, TPSA, H-bond donors / acceptors,
 * rotatable bonds, rings, aromatic rings, fraction sp3). A structure whose bond orders are unknown and
 * cannot be assigned, or that RDKit cannot sanitise, gets an Error in its slot (an error row).
 */
import { describeMolecule } from '../chem/describe';
import { loadRDKit, type ToolkitOptions } from '../toolkits/toolkits';
import type { Structure } from '../structure/structure';
import type { Prediction, PredictionColumn, Predictor } from './predictor';

export const RDKIT_DESCRIPTOR_COLUMNS: readonly PredictionColumn[] = [
  { key: 'canonical_smiles', label: 'Canonical SMILES', unit: '', kind: 'string' },
  { key: 'inchikey', label: 'InChIKey', unit: '', kind: 'string' },
  { key: 'formula', label: 'Formula', unit: '', kind: 'string' },
  { key: 'molecular_weight', label: 'Molecular weight', unit: 'g/mol', kind: 'number' },
  { key: 'exact_mass', label: 'Exact mass', unit: 'Da', kind: 'number' },
  { key: 'clogp', label: 'cLogP (Crippen)', unit: '', kind: 'number' },
  { key: 'tpsa', label: 'TPSA', unit: 'Å²', kind: 'number' },
  { key: 'hbd', label: 'H-bond donors', unit: '', kind: 'number' },
  { key: 'hba', label: 'H-bond acceptors', unit: '', kind: 'number' },
  { key: 'rotatable_bonds', label: 'Rotatable bonds', unit: '', kind: 'number' },
  { key: 'rings', label: 'Rings', unit: '', kind: 'number' },
  { key: 'aromatic_rings', label: 'Aromatic rings', unit: '', kind: 'number' },
  { key: 'fraction_csp3', label: 'Fraction sp3 C', unit: '', kind: 'number' },
  { key: 'heavy_atoms', label: 'Heavy atoms', unit: '', kind: 'number' },
];

function describeOne(structure: Structure): Prediction {
  const d = describeMolecule(structure);
  return {
    values: {
      canonical_smiles: d.canonicalSmiles,
      inchikey: d.inchiKey,
      formula: d.formula,
      molecular_weight: d.molecularWeight,
      exact_mass: d.exactMass,
      clogp: d.cLogP,
      tpsa: d.tpsa,
      hbd: d.hBondDonors,
      hba: d.hBondAcceptors,
      rotatable_bonds: d.rotatableBonds,
      rings: d.ringCount,
      aromatic_rings: d.aromaticRingCount,
      fraction_csp3: d.fractionSp3,
      heavy_atoms: d.heavyAtomCount,
    },
  };
}

function label(structure: Structure, index: number): string {
  const where = structure.provenance ? `${structure.provenance.file} record ${structure.provenance.record + 1}` : `structure ${index + 1}`;
  return structure.name ? `${where} (${structure.name})` : where;
}

export function createRdkitDescriptorPredictor(options: ToolkitOptions = {}): Predictor {
  return {
    id: 'rdkit-descriptors',
    description: 'RDKit descriptors: canonical SMILES, InChIKey, formula, MW, exact mass, cLogP, TPSA, HBD/HBA, rotatable bonds, rings',
    columns: RDKIT_DESCRIPTOR_COLUMNS,
    batchSize: 64,
    async prepare(): Promise<void> {
      await loadRDKit(options);
    },
    async predict(batch: readonly Structure[], signal?: AbortSignal): Promise<ReadonlyArray<Prediction | Error>> {
      await loadRDKit(options);
      const results: Array<Prediction | Error> = [];
      for (let i = 0; i < batch.length; i++) {
        signal?.throwIfAborted();
        const structure = batch[i]!;
        try {
          results.push(describeOne(structure));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          results.push(new Error(`${label(structure, i)}: ${message}`));
        }
      }
      return results;
    },
  };
}

export const rdkitDescriptorPredictor: Predictor = createRdkitDescriptorPredictor();

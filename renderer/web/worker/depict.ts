import { withPerceivedBonds } from '../../../core/chem/perceive-bonds';
import { rdkitModule } from '../../../core/chem/toolkits';
import { writeV2000 } from '../../../core/formats/sdf';
import type { Structure } from '../../../core/structure';

/** Atoms above which a 2D depiction is not attempted (proteins, big clusters). */
const MAX_DEPICTION_ATOMS = 250;

/**
 * RDKit 2D depiction of a molecule: bonds from the file (or perceived from distances), written as a V2000
 * molblock, read by RDKit (sanitised when possible), laid out in 2D, drawn as SVG. Null when it cannot.
 */
export async function depictWithRDKit(structure: Structure, options: { readonly width: number; readonly height: number }): Promise<string | null> {
  if (structure.cell || structure.numbers.length === 0 || structure.numbers.length > MAX_DEPICTION_ATOMS) return null;
  const withBonds = structure.bonds ? structure : withPerceivedBonds(structure);
  const molblock = writeV2000({ ...withBonds, properties: {} });
  const rdkit = rdkitModule();
  for (const details of [{ removeHs: true }, { sanitize: false, removeHs: false }]) {
    const mol = rdkit.get_mol(molblock, JSON.stringify(details));
    if (!mol) continue;
    try {
      if (!mol.is_valid()) continue;
      mol.set_new_coords();
      return mol.get_svg_with_highlights(JSON.stringify({ width: options.width, height: options.height, clearBackground: false, bondLineWidth: 1.5 }));
    } catch {
      continue;
    } finally {
      mol.delete();
    }
  }
  return null;
}

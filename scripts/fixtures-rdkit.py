#!/usr/bin/python3
"""Writes SDF / PDB / SMILES fixtures and reference JSON for Equimol's readers, using RDKit 2022.09 and
ASE 3.22 (Debian's /usr/bin/python3) as independent references.

Run from the repo root:  /usr/bin/python3 scripts/fixtures-rdkit.py
Outputs under test/fixtures/{sdf,pdb,smiles}/. The shared protein-ligand examples are read straight from
../shared/datasets/protein_ligand_examples/protein_ligand_examples.tar.gz; only reference JSON is written.
"""
import io
import json
import os
import tarfile

import ase.io
from rdkit import Chem
from rdkit.Chem import AllChem, Crippen, Descriptors, QED, rdMolDescriptors
from rdkit.Chem.rdMolDescriptors import CalcMolFormula

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SDF_DIR = os.path.join(ROOT, 'test', 'fixtures', 'sdf')
PDB_DIR = os.path.join(ROOT, 'test', 'fixtures', 'pdb')
SMI_DIR = os.path.join(ROOT, 'test', 'fixtures', 'smiles')
CHEM_DIR = os.path.join(ROOT, 'test', 'chem', 'fixtures')
SHARED_TAR = os.path.join(ROOT, '..', 'shared', 'datasets', 'protein_ligand_examples', 'protein_ligand_examples.tar.gz')

# Name, SMILES, SD properties. Charges, isotopes, radicals, aromatic rings on purpose.
MOLECULES = [
    ('aspirin', 'CC(=O)Oc1ccccc1C(=O)O', {'ID': 'MOL-001', 'activity': 7.25, 'note': 'analgesic'}),
    ('methylammonium', 'C[NH3+]', {'ID': 'MOL-002', 'activity': -1.5}),
    ('acetate', 'CC(=O)[O-]', {'ID': 'MOL-003', 'count': 42}),
    ('carbon-13 methanol', '[13CH3]O', {'ID': 'MOL-004'}),
    ('deuterated benzene', '[2H]c1ccccc1', {'ID': 'MOL-005'}),
    ('ethyl radical', 'C[CH2]', {'ID': 'MOL-006', 'multiline': 'first line\nsecond line'}),
    ('nitromethane', 'C[N+](=O)[O-]', {'ID': 'MOL-007'}),
    ('pyridinium chloride', 'c1cc[nH+]cc1.[Cl-]', {'ID': 'MOL-008'}),
    ('caffeine', 'Cn1cnc2c1c(=O)n(C)c(=O)n2C', {'ID': 'MOL-009', 'mp': 235}),
    ('ibuprofen', 'CC(C)Cc1ccc(cc1)C(C)C(=O)O', {'ID': 'MOL-010'}),
]


def descriptors(mol):
    """RDKit Python descriptors on the molecule as read from the file (hydrogens removed, the default)."""
    return {
        'amw': Descriptors.MolWt(mol),
        'exactmw': rdMolDescriptors.CalcExactMolWt(mol),
        'CrippenClogP': Crippen.MolLogP(mol),
        'tpsa': rdMolDescriptors.CalcTPSA(mol),
        'NumHBD': rdMolDescriptors.CalcNumHBD(mol),
        'NumHBA': rdMolDescriptors.CalcNumHBA(mol),
        'NumRotatableBonds': rdMolDescriptors.CalcNumRotatableBonds(mol),
        'NumRings': rdMolDescriptors.CalcNumRings(mol),
        'NumAromaticRings': rdMolDescriptors.CalcNumAromaticRings(mol),
        'FractionCSP3': rdMolDescriptors.CalcFractionCSP3(mol),
        'formula': CalcMolFormula(mol),
        'canonicalSmiles': Chem.MolToSmiles(mol),
        'inchiKey': Chem.MolToInchiKey(mol) if hasattr(Chem, 'MolToInchiKey') else None,  # Debian's build lacks InChI
        'qed': QED.qed(mol),
    }


def bond_order(bond):
    return {Chem.BondType.SINGLE: 1, Chem.BondType.DOUBLE: 2, Chem.BondType.TRIPLE: 3,
            Chem.BondType.AROMATIC: 1.5}.get(bond.GetBondType(), 0)


def mol_reference(mol, with_descriptors=True):
    """Everything the reader must reproduce, read back by RDKit with all hydrogens kept and no sanitising."""
    conf = mol.GetConformer()
    ref = {
        'name': mol.GetProp('_Name') if mol.HasProp('_Name') else '',
        'numbers': [a.GetAtomicNum() for a in mol.GetAtoms()],
        'positions': [list(conf.GetAtomPosition(i)) for i in range(mol.GetNumAtoms())],
        'charges': [a.GetFormalCharge() for a in mol.GetAtoms()],
        'isotopes': [a.GetIsotope() for a in mol.GetAtoms()],
        'radicalElectrons': [a.GetNumRadicalElectrons() for a in mol.GetAtoms()],
        'bonds': [[b.GetBeginAtomIdx(), b.GetEndAtomIdx(), bond_order(b)] for b in mol.GetBonds()],
        'properties': {k: mol.GetProp(k) for k in mol.GetPropNames()},
    }
    return ref


def read_all(path_or_text, is_text=False):
    supplier = Chem.SDMolSupplier() if is_text else Chem.SDMolSupplier(path_or_text, sanitize=False, removeHs=False)
    if is_text:
        supplier.SetData(path_or_text, sanitize=False, removeHs=False)
    return [m for m in supplier]


def descriptors_of_file(path):
    return [descriptors(m) for m in Chem.SDMolSupplier(path)]  # default: sanitize, remove Hs


def write_sdf_fixtures():
    os.makedirs(SDF_DIR, exist_ok=True)
    path = os.path.join(SDF_DIR, 'molecules.sdf')
    writer = Chem.SDWriter(path)
    writer.SetKekulize(False)  # keep aromatic bonds as type 4
    for k, (name, smiles, props) in enumerate(MOLECULES):
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        AllChem.EmbedMolecule(mol, randomSeed=1000 + k)
        mol.SetProp('_Name', name)
        for key, value in props.items():
            mol.SetProp(key, str(value))
        writer.write(mol)
    writer.close()
    refs = [mol_reference(m) for m in read_all(path)]
    with open(os.path.join(SDF_DIR, 'molecules.reference.json'), 'w') as f:
        json.dump({'generator': 'scripts/fixtures-rdkit.py', 'rdkit': Chem.rdBase.rdkitVersion,
                   'records': refs, 'descriptors': descriptors_of_file(path)}, f, indent=1)

    # V3000: a peptide big enough to be interesting, forced to V3000.
    pep = Chem.AddHs(Chem.MolFromSequence('ACDEFGHIK'))
    AllChem.EmbedMolecule(pep, randomSeed=7)
    pep.SetProp('_Name', 'peptide ACDEFGHIK')
    pep.SetProp('sequence', 'ACDEFGHIK')
    v3000 = os.path.join(SDF_DIR, 'peptide.v3000.sdf')
    w = Chem.SDWriter(v3000)
    w.SetForceV3000(True)
    w.write(pep)
    charged = Chem.AddHs(Chem.MolFromSmiles('[13CH3][NH3+].[O-]C(=O)C'))
    AllChem.EmbedMolecule(charged, randomSeed=8)
    charged.SetProp('_Name', 'ion pair')
    w.write(charged)
    w.close()
    with open(os.path.join(SDF_DIR, 'peptide.v3000.reference.json'), 'w') as f:
        json.dump({'generator': 'scripts/fixtures-rdkit.py', 'records': [mol_reference(m) for m in read_all(v3000)],
                   'descriptors': descriptors_of_file(v3000)}, f, indent=1)

    # Lone .mol with the legacy charge column only (no M  CHG): ammonium (code 3 = +1) and a chloride (5 = -1).
    legacy = '\n'.join([
        'legacy charges', '  handmade', '',
        '  2  0  0  0  0  0  0  0  0  0999 V2000',
        '    0.0000    0.0000    0.0000 N   0  3  0  0  0  0  0  0  0  0  0  0',
        '    3.0000    0.0000    0.0000 Cl  0  5  0  0  0  0  0  0  0  0  0  0',
        'M  END', ''])
    legacy_path = os.path.join(SDF_DIR, 'legacy-charges.mol')
    with open(legacy_path, 'w') as f:
        f.write(legacy)
    m = Chem.MolFromMolFile(legacy_path, sanitize=False, removeHs=False)
    with open(os.path.join(SDF_DIR, 'legacy-charges.reference.json'), 'w') as f:
        json.dump({'records': [mol_reference(m)]}, f, indent=1)


PDB_TEXT = """HEADER    TEST FIXTURE FOR EQUIMOL
CRYST1   20.000   25.000   30.000  90.00  95.00 120.00 P 1           1
MODEL        1
ATOM      1  N   ALA A   1       1.000   2.000   3.000  1.00 10.00           N
ATOM      2  CA  ALA A   1       2.458   2.000   3.000  1.00 11.00           C
ATOM      3  C   ALA A   1       3.009   3.420   3.000  1.00 12.00           C
ATOM      4  O   ALA A   1       2.249   4.389   3.000  1.00 13.00           O
ATOM      5  CB AALA A   1       2.980   1.250   1.790  0.60 14.00           C
ATOM      6  CB BALA A   1       2.900   1.150   4.200  0.40 14.50           C
HETATM    7 CA    CA A 101       8.000   8.000   8.000  1.00 20.00          CA+2
HETATM    8 ZN    ZN A 102      12.000   8.000   8.000  0.50 20.00          ZN2+
HETATM    9  O   HOH A 201      10.000  10.000  10.000  1.00 30.00           O
HETATM   10  C1  LIG B 301      14.000  14.000  14.000  1.00 15.00           C
HETATM   11  O1  LIG B 301      15.210  14.000  14.000  1.00 15.00           O
HETATM   12  N1  LIG B 301      13.300  15.200  14.000  1.00 15.00           N1-
ENDMDL
MODEL        2
ATOM      1  N   ALA A   1       1.100   2.000   3.000  1.00 10.00           N
ATOM      2  CA  ALA A   1       2.558   2.000   3.000  1.00 11.00           C
ATOM      3  C   ALA A   1       3.109   3.420   3.000  1.00 12.00           C
ATOM      4  O   ALA A   1       2.349   4.389   3.000  1.00 13.00           O
ATOM      5  CB AALA A   1       3.080   1.250   1.790  0.60 14.00           C
ATOM      6  CB BALA A   1       3.000   1.150   4.200  0.40 14.50           C
HETATM    7 CA    CA A 101       8.100   8.000   8.000  1.00 20.00          CA+2
HETATM    8 ZN    ZN A 102      12.100   8.000   8.000  0.50 20.00          ZN2+
HETATM    9  O   HOH A 201      10.100  10.000  10.000  1.00 30.00           O
HETATM   10  C1  LIG B 301      14.100  14.000  14.000  1.00 15.00           C
HETATM   11  O1  LIG B 301      15.310  14.000  14.000  1.00 15.00           O
HETATM   12  N1  LIG B 301      13.400  15.200  14.000  1.00 15.00           N1-
ENDMDL
CONECT   10   11   12
CONECT   11   10
CONECT   12   10
END
"""


def write_pdb_fixtures():
    os.makedirs(PDB_DIR, exist_ok=True)
    path = os.path.join(PDB_DIR, 'models-altloc.pdb')
    text = PDB_TEXT.replace('CA+2', 'CA2+')  # the formal-charge field is 'digit sign'
    with open(path, 'w') as f:
        f.write(text)
    # ASE 3.22 keeps every altloc and mislabels residue arrays across MODELs: only its coordinates,
    # symbols, cell, occupancy and B-factors are used as a reference.
    frames = [a for a in ase.io.read(path, index=':') if len(a) > 0]
    ref = {'generator': 'scripts/fixtures-rdkit.py (ASE %s)' % ase.__version__, 'models': []}
    for atoms in frames:
        ref['models'].append({
            'symbols': atoms.get_chemical_symbols(),
            'positions': atoms.get_positions().tolist(),
            'cell': atoms.cell.array.tolist(),
            'pbc': atoms.pbc.tolist(),
            'occupancy': atoms.arrays['occupancy'].tolist() if 'occupancy' in atoms.arrays else None,
            'bfactor': atoms.arrays['bfactor'].tolist() if 'bfactor' in atoms.arrays else None,
        })
    # RDKit's PDB reader: altloc handling (keeps the first), charges, residue info, CONECT bonds.
    per_model = []
    for model_text in text.split('ENDMDL')[:2]:
        block = model_text + 'ENDMDL\n' + ''.join(l + '\n' for l in text.splitlines() if l.startswith('CONECT'))
        m = Chem.MolFromPDBBlock(block, sanitize=False, removeHs=False, proximityBonding=False)
        per_model.append({
            'numbers': [a.GetAtomicNum() for a in m.GetAtoms()],
            'charges': [a.GetFormalCharge() for a in m.GetAtoms()],
            'atomNames': [a.GetPDBResidueInfo().GetName().strip() for a in m.GetAtoms()],
            'residueNames': [a.GetPDBResidueInfo().GetResidueName().strip() for a in m.GetAtoms()],
            'residueNumbers': [a.GetPDBResidueInfo().GetResidueNumber() for a in m.GetAtoms()],
            'chains': [a.GetPDBResidueInfo().GetChainId() for a in m.GetAtoms()],
            'occupancies': [a.GetPDBResidueInfo().GetOccupancy() for a in m.GetAtoms()],
            'bFactors': [a.GetPDBResidueInfo().GetTempFactor() for a in m.GetAtoms()],
            'altLocs': [a.GetPDBResidueInfo().GetAltLoc() for a in m.GetAtoms()],
            'positions': [list(m.GetConformer().GetAtomPosition(i)) for i in range(m.GetNumAtoms())],
            'bonds': sorted([sorted([b.GetBeginAtomIdx(), b.GetEndAtomIdx()]) for b in m.GetBonds()]),
        })
    ref['rdkit'] = per_model
    with open(os.path.join(PDB_DIR, 'models-altloc.reference.json'), 'w') as f:
        json.dump(ref, f, indent=1)


def write_shared_references():
    with tarfile.open(SHARED_TAR) as tar:
        members = {os.path.basename(m.name): m for m in tar.getmembers() if m.isfile()}
        sdf_text = tar.extractfile(members['ligands_1.sdf']).read().decode()
        pdb_text = tar.extractfile(members['receptor_1.pdb']).read().decode()
    ligands = read_all(sdf_text, is_text=True)
    supplier = Chem.SDMolSupplier()
    supplier.SetData(sdf_text)
    with open(os.path.join(SDF_DIR, 'shared-ligands_1.reference.json'), 'w') as f:
        json.dump({'source': 'protein_ligand_examples.tar.gz:ligands_1.sdf', 'records': [mol_reference(m) for m in ligands],
                   'descriptors': [descriptors(m) for m in supplier]}, f, indent=1)
    atoms = ase.io.read(io.StringIO(pdb_text), format='proteindatabank')
    m = Chem.MolFromPDBBlock(pdb_text, sanitize=False, removeHs=False)
    with open(os.path.join(PDB_DIR, 'shared-receptor_1.reference.json'), 'w') as f:
        json.dump({'source': 'protein_ligand_examples.tar.gz:receptor_1.pdb',
                   'ase': {'symbols': atoms.get_chemical_symbols(), 'positions': atoms.get_positions().tolist(),
                           'pbc': atoms.pbc.tolist()},
                   'rdkit': {'numbers': [a.GetAtomicNum() for a in m.GetAtoms()],
                             'residueNames': [a.GetPDBResidueInfo().GetResidueName().strip() for a in m.GetAtoms()],
                             'residueNumbers': [a.GetPDBResidueInfo().GetResidueNumber() for a in m.GetAtoms()],
                             'atomNames': [a.GetPDBResidueInfo().GetName().strip() for a in m.GetAtoms()],
                             'nBondsProximity': m.GetNumBonds()}}, f)


def write_smiles_fixtures():
    os.makedirs(SMI_DIR, exist_ok=True)
    with open(os.path.join(SMI_DIR, 'molecules.smi'), 'w') as f:
        f.write('# name-annotated SMILES list\n')
        for name, smiles, _ in MOLECULES[:6]:
            f.write('%s %s\n' % (smiles, name.replace(' ', '_')))
    with open(os.path.join(SMI_DIR, 'molecules.csv'), 'w') as f:
        f.write('id,canonical_smiles,logS,label\n')
        for k, (name, smiles, _) in enumerate(MOLECULES[:5]):
            f.write('m%d,%s,%.2f,"%s"\n' % (k, smiles, -1.0 - 0.5 * k, name))
    with open(os.path.join(SMI_DIR, 'no-header-name.tsv'), 'w') as f:
        f.write('cmpd\tstructure\tpIC50\n')
        for k, (name, smiles, _) in enumerate(MOLECULES[5:9]):
            f.write('c%d\t%s\t%.1f\n' % (k, smiles, 5.0 + k))
    ref = []
    for name, smiles, _ in MOLECULES:
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        ref.append({'smiles': smiles, 'name': name, 'numAtoms': mol.GetNumAtoms(),
                    'numHydrogens': sum(1 for a in mol.GetAtoms() if a.GetAtomicNum() == 1),
                    'numBonds': mol.GetNumBonds(), 'charge': Chem.GetFormalCharge(mol),
                    'charges': [a.GetFormalCharge() for a in mol.GetAtoms() if a.GetAtomicNum() != 1],
                    'formula': CalcMolFormula(mol)})
    with open(os.path.join(SMI_DIR, 'molecules.reference.json'), 'w') as f:
        json.dump({'generator': 'scripts/fixtures-rdkit.py', 'molecules': ref}, f, indent=1)


def write_perceive_bonds_reference():
    """Bonded pairs from ASE's NeighborList with cutoffs r_cov + 0.225 Å each (so r_i + r_j + 0.45 Å)."""
    from ase.build import bulk, fcc111, molecule
    from ase.data import covalent_radii
    from ase.neighborlist import NeighborList
    os.makedirs(CHEM_DIR, exist_ok=True)
    cases = {
        'si-conventional': bulk('Si', 'diamond', a=5.43, cubic=True),
        'si-primitive': bulk('Si', 'diamond', a=5.43),
        'cu-slab': fcc111('Cu', size=(2, 2, 3), vacuum=5.0),
        'nacl-rocksalt': bulk('NaCl', 'rocksalt', a=5.64),
        'ethanol': molecule('CH3CH2OH'),
        'benzene': molecule('C6H6'),
    }
    out = {}
    for name, atoms in cases.items():
        cutoffs = [covalent_radii[z] + 0.225 for z in atoms.numbers]
        nl = NeighborList(cutoffs, skin=0.0, self_interaction=False, bothways=True)
        nl.update(atoms)
        pairs = set()
        for i in range(len(atoms)):
            for j in nl.get_neighbors(i)[0]:
                if i != j:
                    pairs.add((min(i, int(j)), max(i, int(j))))
        out[name] = {'numbers': atoms.numbers.tolist(), 'positions': atoms.positions.tolist(),
                     'cell': atoms.cell.array.tolist(), 'pbc': atoms.pbc.tolist(), 'pairs': sorted(pairs)}
    with open(os.path.join(CHEM_DIR, 'perceive-bonds.reference.json'), 'w') as f:
        json.dump({'generator': 'scripts/fixtures-rdkit.py (ASE NeighborList)', 'tolerance': 0.45, 'cases': out}, f)


if __name__ == '__main__':
    write_sdf_fixtures()
    write_pdb_fixtures()
    write_shared_references()
    write_smiles_fixtures()
    write_perceive_bonds_reference()
    print('fixtures written')

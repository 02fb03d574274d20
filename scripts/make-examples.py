#!/usr/bin/python3
"""Writes the bundled example files in assets/examples/ (run with Debian's python: /usr/bin/python3 scripts/make-examples.py).

Everything is generated here from public knowledge with RDKit 2022.09 and ASE 3.22, seeded, so the files are
reproducible; nothing is copied from datasets.
  drugs.sdf         20 drug-like molecules, 3D (ETKDG, seed 42, MMFF-relaxed), SD fields NAME, SMILES, MW, CLOGP, HBD, HBA
  drugs.smi         the same molecules as a SMILES list ('SMILES name')
  cu13-md.extxyz    Cu13 cluster, 12 frames of velocity-Verlet MD with ASE's EMT potential (energy, forces, per-atom)
  nacl.cif          rock-salt NaCl, conventional cubic cell (a = 5.64 Å), written by ASE
  rutile.cif        TiO2 rutile (P4_2/mnm, a = 4.594, c = 2.959 Å, x = 0.305), written by ASE
  POSCAR            silicon, diamond structure, conventional cell (a = 5.431 Å), VASP 5 format, written by ASE
  peptide.pdb       the pentapeptide GAVLK, 3D (ETKDG, seed 7), residues and atom names from RDKit
"""
from pathlib import Path

import numpy as np
from ase import units
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.cluster import Icosahedron
from ase.io import write
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution
from ase.md.verlet import VelocityVerlet
from ase.spacegroup import crystal
from rdkit import Chem
from rdkit.Chem import AllChem, Crippen, Descriptors, Lipinski

OUT = Path(__file__).resolve().parent.parent / 'assets' / 'examples'
OUT.mkdir(parents=True, exist_ok=True)

DRUGS = [
    ('aspirin', 'CC(=O)Oc1ccccc1C(=O)O'),
    ('paracetamol', 'CC(=O)Nc1ccc(O)cc1'),
    ('ibuprofen', 'CC(C)Cc1ccc(cc1)C(C)C(=O)O'),
    ('caffeine', 'Cn1cnc2c1c(=O)n(C)c(=O)n2C'),
    ('naproxen', 'COc1ccc2cc(ccc2c1)C(C)C(=O)O'),
    ('diclofenac', 'OC(=O)Cc1ccccc1Nc1c(Cl)cccc1Cl'),
    ('metformin', 'CN(C)C(=N)NC(=N)N'),
    ('nicotine', 'CN1CCCC1c1cccnc1'),
    ('salbutamol', 'CC(C)(C)NCC(O)c1ccc(O)c(CO)c1'),
    ('lidocaine', 'CCN(CC)CC(=O)Nc1c(C)cccc1C'),
    ('diazepam', 'CN1C(=O)CN=C(c2ccccc2)c2cc(Cl)ccc21'),
    ('fluoxetine', 'CNCCC(Oc1ccc(cc1)C(F)(F)F)c1ccccc1'),
    ('sertraline', 'CNC1CCC(c2ccc(Cl)c(Cl)c2)c2ccccc21'),
    ('atenolol', 'CC(C)NCC(O)COc1ccc(CC(N)=O)cc1'),
    ('omeprazole', 'COc1ccc2[nH]c(nc2c1)S(=O)Cc1ncc(C)c(OC)c1C'),
    ('sildenafil', 'CCCc1nn(C)c2c1nc([nH]c2=O)-c1cc(ccc1OCC)S(=O)(=O)N1CCN(C)CC1'),
    ('penicillin G', 'CC1(C)SC2C(NC(=O)Cc3ccccc3)C(=O)N2C1C(=O)O'),
    ('glycine zwitterion', '[NH3+]CC(=O)[O-]'),
    ('theophylline', 'Cn1c2nc[nH]c2c(=O)n(C)c1=O'),
    ('warfarin', 'CC(=O)CC(c1ccccc1)c1c(O)c2ccccc2oc1=O'),
]


def drugs():
    writer = Chem.SDWriter(str(OUT / 'drugs.sdf'))
    smi_lines = []
    for name, smiles in DRUGS:
        mol = Chem.AddHs(Chem.MolFromSmiles(smiles))
        params = AllChem.ETKDGv3()
        params.randomSeed = 42
        assert AllChem.EmbedMolecule(mol, params) == 0, name
        AllChem.MMFFOptimizeMolecule(mol, maxIters=2000)
        mol.SetProp('_Name', name)
        mol.SetProp('NAME', name)
        canonical = Chem.MolToSmiles(Chem.RemoveHs(mol))
        mol.SetProp('SMILES', canonical)
        mol.SetProp('MW', f'{Descriptors.MolWt(mol):.3f}')
        mol.SetProp('CLOGP', f'{Crippen.MolLogP(mol):.3f}')
        mol.SetProp('HBD', str(Lipinski.NumHDonors(mol)))
        mol.SetProp('HBA', str(Lipinski.NumHAcceptors(mol)))
        writer.write(mol)
        smi_lines.append(f'{canonical} {name.replace(" ", "_")}')
    writer.close()
    (OUT / 'drugs.smi').write_text('\n'.join(smi_lines) + '\n')


def cu_md():
    atoms = Icosahedron('Cu', noshells=2)
    atoms.calc = EMT()
    MaxwellBoltzmannDistribution(atoms, temperature_K=600, rng=np.random.default_rng(3))
    dyn = VelocityVerlet(atoms, timestep=2.0 * units.fs)
    frames = []
    for step in range(12):
        snapshot = atoms.copy()
        snapshot.calc = None
        for key in ('tags', 'momenta'):
            if key in snapshot.arrays:
                del snapshot.arrays[key]
        snapshot.info['energy'] = float(atoms.get_potential_energy())
        snapshot.info['step'] = step
        snapshot.arrays['forces'] = atoms.get_forces().copy()
        frames.append(snapshot)
        dyn.run(5)
    write(OUT / 'cu13-md.extxyz', frames, format='extxyz')


def crystals():
    write(OUT / 'nacl.cif', bulk('NaCl', 'rocksalt', a=5.64, cubic=True), format='cif')
    rutile = crystal(['Ti', 'O'], basis=[(0, 0, 0), (0.305, 0.305, 0.0)], spacegroup=136, cellpar=[4.594, 4.594, 2.959, 90, 90, 90])
    write(OUT / 'rutile.cif', rutile, format='cif')
    write(OUT / 'POSCAR', bulk('Si', 'diamond', a=5.431, cubic=True), format='vasp', direct=True, vasp5=True, label='Si diamond')


def peptide():
    mol = Chem.AddHs(Chem.MolFromSequence('GAVLK'), addCoords=False)
    params = AllChem.ETKDGv3()
    params.randomSeed = 7
    assert AllChem.EmbedMolecule(mol, params) == 0
    AllChem.MMFFOptimizeMolecule(mol, maxIters=2000)
    (OUT / 'peptide.pdb').write_text(Chem.MolToPDBBlock(mol))


if __name__ == '__main__':
    drugs()
    cu_md()
    crystals()
    peptide()
    for path in sorted(OUT.iterdir()):
        print(f'{path.name}: {path.stat().st_size} bytes')

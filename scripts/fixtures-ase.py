#!/usr/bin/python3
"""Writes reference fixtures for the XYZ/extXYZ, POSCAR and CIF readers with ASE (the independent reader).

Run from the repository root with Debian's Python (it has ASE 3.22):  /usr/bin/python3 scripts/fixtures-ase.py

Outputs (all deterministic, seeded):
  test/fixtures/xyz/ase-written.extxyz      frames written by ase.io.write (cell, pbc, forces, charges, strings ...)
  test/fixtures/xyz/ase-written.json        what ase.io.read gives back for that file
  test/fixtures/poscar/*.vasp               POSCARs from ase.build (bulk, surfaces with selective dynamics, VASP 4)
  test/fixtures/poscar/ase-read.json        what ase.io.read gives for each POSCAR
  test/fixtures/cif/ase-written-*.cif       CIFs written by ase.io.write
  test/fixtures/cif/ase-read.json           ASE's reading of every CIF in ../shared/datasets/cif_fixtures_cgcnn
                                            (read from the tar.gz, not copied) and of the ASE-written CIFs
"""
import io
import json
import os
import tarfile
import warnings

import numpy as np
from ase import Atoms
from ase.build import bulk, fcc111, molecule, hcp0001
from ase.calculators.singlepoint import SinglePointCalculator
from ase.constraints import FixAtoms, FixScaled
import ase.io

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared', 'datasets')
rng = np.random.default_rng(20261121)


def out(*parts):
    path = os.path.join(ROOT, 'test', 'fixtures', *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def describe(atoms):
    """ASE's view of one structure, as plain JSON."""
    d = {
        'symbols': atoms.get_chemical_symbols(),
        'numbers': atoms.numbers.tolist(),
        'positions': atoms.positions.tolist(),
        'cell': atoms.cell.array.tolist(),
        'pbc': atoms.pbc.tolist(),
        'info': {k: jsonable(v) for k, v in atoms.info.items() if k not in ('spacegroup', 'occupancy')},
        'arrays': {k: jsonable(v) for k, v in atoms.arrays.items() if k not in ('numbers', 'positions')},
    }
    if 'spacegroup' in atoms.info:
        sg = atoms.info['spacegroup']
        d['spacegroup'] = {'number': int(sg.no), 'symbol': sg.symbol}
    if 'occupancy' in atoms.info:
        d['occupancy'] = jsonable(atoms.info['occupancy'])
    if atoms.calc is not None:
        results = {}
        for key in ('energy', 'free_energy', 'stress', 'dipole', 'magmom', 'forces', 'charges', 'magmoms', 'energies'):
            if key in atoms.calc.results:
                results[key] = jsonable(atoms.calc.results[key])
        d['calc'] = results
    if atoms.constraints:
        # move_mask: True where the atom may move along that axis (VASP selective dynamics T)
        mask = np.ones((len(atoms), 3), dtype=bool)
        for c in atoms.constraints:
            if isinstance(c, FixAtoms):
                mask[c.index] = False
            elif isinstance(c, FixScaled):
                mask[c.a] = ~np.asarray(c.mask)
        d['move_mask'] = mask.tolist()
    return d


def extxyz_fixtures():
    frames = []
    ethanol = molecule('CH3CH2OH')
    ethanol.info['energy_kcal_mol'] = -97123.5
    ethanol.info['config_type'] = 'gas phase'
    ethanol.info['step'] = 12
    ethanol.info['converged'] = True
    ethanol.info['dipole_vector'] = np.array([0.1, -0.25, 1.5])
    ethanol.info['name'] = 'ethanol'
    ethanol.set_initial_charges(rng.normal(0, 0.3, len(ethanol)))
    ethanol.new_array('labels', np.array([f'a{i}' for i in range(len(ethanol))]))
    ethanol.new_array('ring_index', np.arange(len(ethanol), dtype=int) % 3)
    ethanol.new_array('is_heavy', ethanol.numbers > 1)
    ethanol.calc = SinglePointCalculator(ethanol, energy=-4209.123456789, forces=rng.normal(0, 1, (len(ethanol), 3)))
    frames.append(ethanol)

    cu = bulk('Cu', 'fcc', a=3.61, cubic=True).repeat((2, 1, 1))
    cu.rattle(0.05, seed=7)
    cu.calc = SinglePointCalculator(cu, energy=-29.5, forces=rng.normal(0, 0.2, (len(cu), 3)),
                                    stress=rng.normal(0, 0.01, 6))
    frames.append(cu)

    slab = fcc111('Pt', size=(2, 2, 3), vacuum=7.5)
    slab.pbc = (True, True, False)
    slab.info['description'] = 'Pt(111) "slab" 2x2x3'
    slab.info['miller'] = np.array([1, 1, 1])
    frames.append(slab)

    tri = bulk('Si', 'diamond', a=5.43)  # primitive, non-orthogonal cell
    tri.info['energy_per_atom'] = -5.4231
    tri.new_array('magmoms_custom', rng.normal(0, 1, (len(tri), 2)))
    frames.append(tri)

    path = out('xyz', 'ase-written.extxyz')
    ase.io.write(path, frames, format='extxyz')
    back = ase.io.read(path, index=':', format='extxyz')
    with open(out('xyz', 'ase-written.json'), 'w') as f:
        json.dump([describe(a) for a in back], f, indent=1)


def poscar_fixtures():
    cases = {}
    si = bulk('Si', 'diamond', a=5.43)
    cases['si-primitive-direct.vasp'] = (si, dict(direct=True, vasp5=True))
    nacl = bulk('NaCl', 'rocksalt', a=5.64, cubic=True)
    cases['nacl-cubic-cartesian.vasp'] = (nacl, dict(direct=False, vasp5=True))
    slab = fcc111('Pt', size=(2, 2, 4), vacuum=8.0)
    slab.set_constraint(FixAtoms(indices=[a.index for a in slab if a.tag >= 3]))
    cases['pt111-selective-dynamics.vasp'] = (slab, dict(direct=True, vasp5=True))
    mg = hcp0001('Mg', size=(2, 2, 3), vacuum=6.0)
    mg.set_constraint([FixAtoms(indices=[0, 1]), FixScaled(mg.cell, 4, [False, False, True])])
    cases['mg0001-fixscaled-cartesian.vasp'] = (mg, dict(direct=False, vasp5=True))
    mixed = bulk('Cu', 'fcc', a=3.6, cubic=True)
    mixed.symbols[1] = 'Au'
    mixed.rattle(0.02, seed=3)
    cases['cuau-vasp4.vasp'] = (mixed, dict(direct=True, vasp5=False))
    tio2 = bulk('Ti', 'hcp', a=2.95, c=4.68)
    tio2.cell[1] += [0.3, 0.0, 0.1]
    cases['ti-skewed-cell.vasp'] = (tio2, dict(direct=True, vasp5=True))

    results = {}
    for name, (atoms, opts) in cases.items():
        path = out('poscar', name)
        ase.io.write(path, atoms, format='vasp', **opts)
        results[name] = describe(ase.io.read(path, format='vasp'))
    with open(out('poscar', 'ase-read.json'), 'w') as f:
        json.dump(results, f, indent=1)


def strip_symmetry_operations(text):
    """The CIF without its _symmetry_equiv_pos loop (same rule as the TypeScript test): tests the space-group table path."""
    lines = text.split('\n')
    out = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == 'loop_' and i + 1 < len(lines) and lines[i + 1].startswith('_symmetry_equiv_pos'):
            i += 1
            while i < len(lines) and not (lines[i].startswith('loop_') or (lines[i].startswith('_') and not lines[i].startswith('_symmetry_equiv_pos'))):
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return '\n'.join(out)


def cif_fixtures():
    results = {}
    tar_path = os.path.join(SHARED, 'cif_fixtures_cgcnn', 'cgcnn_cod_cifs.tar.gz')
    with tarfile.open(tar_path) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if not member.name.endswith('.cif'):
                continue
            text = tar.extractfile(member).read().decode('utf-8')
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                atoms = ase.io.read(io.StringIO(text), format='cif')
            results['cgcnn/' + os.path.basename(member.name)] = describe(atoms)
            stripped = strip_symmetry_operations(text)
            assert '_symmetry_equiv_pos_as_xyz' not in stripped
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                atoms = ase.io.read(io.StringIO(stripped), format='cif')
            results['cgcnn-without-symops/' + os.path.basename(member.name)] = describe(atoms)

    written = {}
    from ase.spacegroup import crystal
    written['ase-written-rutile.cif'] = crystal(['Ti', 'O'], basis=[(0, 0, 0), (0.3, 0.3, 0.0)], spacegroup=136,
                                                cellpar=[4.6, 4.6, 2.95, 90, 90, 90])
    written['ase-written-triclinic.cif'] = Atoms('SiO2', scaled_positions=[(0.1, 0.2, 0.3), (0.4, 0.1, 0.7), (0.8, 0.6, 0.2)],
                                                 cell=[4.1, 5.2, 6.3, 81, 97.5, 110], pbc=True)
    written['ase-written-diamond.cif'] = bulk('C', 'diamond', a=3.567, cubic=True)
    for name, atoms in written.items():
        path = out('cif', name)
        ase.io.write(path, atoms, format='cif')
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            results[name] = describe(ase.io.read(path, format='cif'))
    # Hand-written CIF (committed beside this script): every data block as ASE reads it.
    handwritten = 'handwritten-rutile-mixed.cif'
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        blocks = ase.io.read(out('cif', handwritten), index=':', format='cif')
    results[handwritten] = [describe(a) for a in blocks]
    with open(out('cif', 'ase-read.json'), 'w') as f:
        json.dump(results, f, indent=1)


def cell_fixtures():
    from ase.geometry import cellpar_to_cell, cell_to_cellpar, wrap_positions
    cases = []
    for cellpar in ([5.43, 5.43, 5.43, 90, 90, 90], [4.916, 4.916, 5.405, 90, 90, 120], [4.1, 5.2, 6.3, 81, 97.5, 110],
                    [3.0, 3.0, 3.0, 60, 60, 60], [10.0, 12.0, 7.0, 90, 113.2, 90], [2.5, 7.0, 9.0, 45.0, 70.0, 88.0]):
        cell = cellpar_to_cell(cellpar)
        positions = rng.uniform(-15, 25, (6, 3))
        cases.append({
            'cellpar': cellpar,
            'cell': cell.tolist(),
            'cellpar_back': cell_to_cellpar(cell).tolist(),
            'volume': float(np.linalg.det(cell)),
            'positions': positions.tolist(),
            'wrapped': wrap_positions(positions, cell, pbc=True, eps=0).tolist(),
            'wrapped_pbc_TTF': wrap_positions(positions, cell, pbc=[True, True, False], eps=0).tolist(),
            'scaled': np.linalg.solve(cell.T, positions.T).T.tolist(),
        })
    with open(out('cif', 'ase-cell.json'), 'w') as f:
        json.dump(cases, f, indent=1)


if __name__ == '__main__':
    extxyz_fixtures()
    poscar_fixtures()
    cif_fixtures()
    cell_fixtures()
    print('fixtures written under test/fixtures/{xyz,poscar,cif}')

"""GFN2-xTB labelling helpers shared by make-xtb-generated.py and test/fixtures/ood-drugs/make-ood-drugs.py.

Every call runs the `xtb` 6.5 executable (single thread, in a fresh temporary folder) and returns labels in the
units of ../shared/datasets/qm9_xtb: energy eV, forces eV/A, charges e, HOMO/LUMO/gap eV, dipole Debye.
A run that fails (non-zero exit, no SCF convergence, missing output) returns None; callers count and skip it.
"""
import gzip
import json
import math
import os
import shutil
import subprocess
import tempfile

import numpy as np
from rdkit import Chem
from rdkit.Chem import AllChem

HARTREE_IN_EV = 27.211386245988
BOHR_IN_ANGSTROM = 0.529177210903
EBOHR_IN_DEBYE = 2.541746473
AMU_IN_ME = 1822.888486209  # atomic mass unit in electron masses
KB_IN_HARTREE = 3.166811563e-6  # Boltzmann constant, Eh/K
MASS = {'H': 1.00794, 'C': 12.0107, 'N': 14.0067, 'O': 15.9994, 'F': 18.9984}
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1', 'OMP_STACKSIZE': '500M'}
SP_ACCURACY = '0.2'  # as qm9_xtb (its README: accuracy 0.2)


def round_positions(positions):
    """Positions rounded to the 8 decimals written to the extXYZ file, so labels belong to the stored geometry."""
    return np.round(np.asarray(positions, dtype=float), 8)


def write_xyz(path, symbols, positions, comment='equimol'):
    lines = [str(len(symbols)), comment]
    lines += [f'{s} {x:.8f} {y:.8f} {z:.8f}' for s, (x, y, z) in zip(symbols, positions)]
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def read_xyz_frames(path):
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines) and lines[i].strip():
        n = int(lines[i])
        block = lines[i + 2:i + 2 + n]
        frames.append(([l.split()[0] for l in block], np.array([[float(v) for v in l.split()[1:4]] for l in block])))
        i += n + 2
    return frames


def run_xtb(symbols, positions, args, inp=None, extra_files=None):
    """Runs xtb in a temporary folder; returns (returncode, stdout, folder contents {name: text}) and cleans up."""
    work = tempfile.mkdtemp(prefix='equimol-xtb-')
    try:
        write_xyz(os.path.join(work, 'mol.xyz'), symbols, positions)
        if inp is not None:
            with open(os.path.join(work, 'md.inp'), 'w') as f:
                f.write(inp)
        for name, text in (extra_files or {}).items():
            with open(os.path.join(work, name), 'w') as f:
                f.write(text)
        run = subprocess.run(['xtb', 'mol.xyz', *args], cwd=work, env=ENV, capture_output=True, text=True)
        files = {}
        for name in ('gradient', 'xtbout.json', 'xtbopt.xyz', 'xtb.trj'):
            p = os.path.join(work, name)
            if os.path.exists(p):
                with open(p) as f:
                    files[name] = f.read()
        return run.returncode, run.stdout + run.stderr, files
    finally:
        shutil.rmtree(work, ignore_errors=True)


def single_point(symbols, positions):
    """GFN2-xTB energy, forces, charges, HOMO/LUMO/gap, dipole at `positions` (A), or None when xtb fails."""
    code, out, files = run_xtb(symbols, positions, ['--gfn', '2', '--chrg', '0', '--uhf', '0', '--acc', SP_ACCURACY, '--grad', '--json'])
    if code != 0 or 'gradient' not in files or 'xtbout.json' not in files or 'not converge' in out.lower():
        return None
    n = len(symbols)
    grad_lines = files['gradient'].splitlines()
    energy_eh = float(grad_lines[1].split('SCF energy =')[1].split()[0])
    gradient = np.array([[float(v.replace('D', 'E')) for v in l.split()] for l in grad_lines[2 + n:2 + 2 * n]])
    data = json.loads(files['xtbout.json'])
    occupation = data['fractional occupation']
    orbitals = data['orbital energies/eV']
    homo_index = max(i for i, occ in enumerate(occupation) if occ >= 0.5)  # as main/calc/xtb frontierOrbitals
    homo, lumo = orbitals[homo_index], orbitals[homo_index + 1]
    dipole = np.array(data['dipole']) * EBOHR_IN_DEBYE
    result = {
        'energy': energy_eh * HARTREE_IN_EV,
        'forces': -gradient * HARTREE_IN_EV / BOHR_IN_ANGSTROM,
        'charges': np.array(data['partial charges']),
        'homo': homo, 'lumo': lumo, 'gap': lumo - homo,
        'dipole': dipole, 'dipole_norm': float(np.linalg.norm(dipole)),
    }
    if gradient.shape != (n, 3) or len(result['charges']) != n or not all(np.isfinite(v).all() for v in (result['forces'], result['charges'], dipole)):
        return None
    return result


def optimize(symbols, positions):
    """`xtb --opt` (GFN2, default 'normal' level); relaxed positions (A) or None when it does not converge."""
    code, out, files = run_xtb(symbols, positions, ['--gfn', '2', '--chrg', '0', '--uhf', '0', '--opt'])
    if code != 0 or 'GEOMETRY OPTIMIZATION CONVERGED' not in out or 'xtbopt.xyz' not in files:
        return None
    with tempfile.NamedTemporaryFile('w', suffix='.xyz', delete=False) as f:
        f.write(files['xtbopt.xyz'])
    try:
        return read_xyz_frames(f.name)[0][1]
    finally:
        os.unlink(f.name)


def fortran_d(value):
    """A number as Fortran's D22.14 edit descriptor writes it (xtb reads mdrestart with a fixed format)."""
    if value == 0:
        return ' 0.00000000000000D+00'.rjust(22)
    exponent = math.floor(math.log10(abs(value))) + 1
    mantissa = value / 10 ** exponent
    if abs(round(mantissa, 14)) >= 1:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f'{mantissa:.14f}D{exponent:+03d}'.replace('0.', '0.', 1).rjust(22)


def md_frames(symbols, positions, temperature, time_ps, dump_fs, seed):
    """`xtb --md` (GFN2, NVT Berendsen, 1 fs steps, no SHAKE, real H mass) started from seeded Maxwell-Boltzmann
    velocities written to mdrestart (xtb's own start velocities are not seeded); frames every dump_fs, or None."""
    rng = np.random.default_rng(seed)
    masses = np.array([MASS[s] for s in symbols]) * AMU_IN_ME
    velocities = rng.normal(size=(len(symbols), 3)) * np.sqrt(KB_IN_HARTREE * temperature / masses)[:, None]
    velocities -= (masses[:, None] * velocities).sum(0) / masses.sum()
    restart = [' -1.0'] + [''.join(fortran_d(v) for v in (*(p / BOHR_IN_ANGSTROM), *u)) for p, u in zip(positions, velocities)]
    inp = (f'$md\n   temp={temperature}\n   time={time_ps}\n   dump={dump_fs}\n   step=1.0\n   shake=0\n   hmass=1\n'
           f'   nvt=true\n   restart=true\n   sccacc=2.0\n$end\n')
    code, out, files = run_xtb(symbols, positions, ['--gfn', '2', '--chrg', '0', '--uhf', '0', '--md', '--input', 'md.inp'],
                               inp=inp, extra_files={'mdrestart': '\n'.join(restart) + '\n'})
    if code != 0 or 'xtb.trj' not in files:
        return None
    with tempfile.NamedTemporaryFile('w', suffix='.xyz', delete=False) as f:
        f.write(files['xtb.trj'])
    try:
        return [p for _, p in read_xyz_frames(f.name)][1:]  # the first frame is the start geometry
    finally:
        os.unlink(f.name)


def embed(smiles, seed):
    """RDKit molecule with H and one ETKDG (seeded) conformer relaxed with MMFF94, or raises ValueError."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f'RDKit cannot parse {smiles}')
    mol = Chem.AddHs(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    if AllChem.EmbedMolecule(mol, params) != 0:
        raise ValueError(f'ETKDG could not embed {smiles}')
    AllChem.MMFFOptimizeMolecule(mol, maxIters=2000)
    return mol


def same_bonds(symbols, a, b, scale=1.25):
    """True when the distance-based bond graph (covalent radii x scale) of geometries a and b is the same."""
    radius = {'H': 0.31, 'C': 0.76, 'N': 0.71, 'O': 0.66, 'F': 0.57}
    r = np.array([radius[s] for s in symbols])
    cut = (r[:, None] + r[None, :]) * scale
    bonds = lambda p: (np.linalg.norm(p[:, None] - p[None, :], axis=-1) < cut) & ~np.eye(len(symbols), dtype=bool)
    return bool((bonds(np.asarray(a)) == bonds(np.asarray(b))).all())


def quote(text):
    """extXYZ value quoting as core/formats/xyz/writer.ts does it."""
    if text == '' or any(c in text for c in ' \t"\'{}[]=\\'):
        return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'
    return text


def frame_text(symbols, positions, labels, info):
    """One extXYZ frame in the layout of qm9_xtb (same Properties and info keys, plus any extra info)."""
    head = ['Properties=species:S:1:pos:R:3:forces:R:3:charges:R:1']
    head += [f'{k}={quote(str(v))}' for k, v in info.items()]
    d = labels['dipole']
    head += [f'energy={labels["energy"]:.8f}', f'homo={labels["homo"]:.6f}', f'lumo={labels["lumo"]:.6f}', f'gap={labels["gap"]:.6f}',
             f'dipole="{d[0]:.6f} {d[1]:.6f} {d[2]:.6f}"', f'dipole_norm={labels["dipole_norm"]:.6f}', 'method=GFN2-xTB', 'pbc="F F F"']
    lines = [str(len(symbols)), ' '.join(head)]
    for s, p, f, q in zip(symbols, positions, labels['forces'], labels['charges']):
        lines.append(f'{s} {p[0]:.8f} {p[1]:.8f} {p[2]:.8f} {f[0]:.6f} {f[1]:.6f} {f[2]:.6f} {q:.5f}')
    return '\n'.join(lines) + '\n'


def write_gz(path, texts):
    """Writes frames to a gzip file with a fixed mtime, so the same frames give the same bytes."""
    with open(path, 'wb') as raw, gzip.GzipFile(fileobj=raw, mode='wb', compresslevel=9, mtime=0, filename='') as f:
        f.write(''.join(texts).encode())


def rattle(positions, sigma, rng):
    return positions + rng.normal(scale=sigma, size=positions.shape)


def heavy_rmsd_kabsch(symbols, a, b):
    """Heavy-atom RMSD (A) after optimal superposition (same atom order)."""
    idx = [i for i, s in enumerate(symbols) if s != 'H']
    p, q = np.asarray(a)[idx], np.asarray(b)[idx]
    p, q = p - p.mean(0), q - q.mean(0)
    u, _, vt = np.linalg.svd(p.T @ q)
    d = np.sign(np.linalg.det(u @ vt))
    rot = u @ np.diag([1, 1, d]) @ vt
    return float(math.sqrt(((p @ rot - q) ** 2).sum(1).mean()))

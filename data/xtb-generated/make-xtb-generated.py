#!/usr/bin/python3
"""Makes hcnof-xtb-generated.extxyz.gz (+ manifest.json): GFN2-xTB training frames for the H, C, N, O, F potential.

Three parts, every molecule embedded or taken as stated, relaxed with `xtb --opt` (GFN2, default level), then
labelled with GFN2-xTB single points (accuracy 0.2, as ../shared/datasets/qm9_xtb) on
  qm9f   fluorinated QM9 molecules: QM9 geometries (../shared/datasets/qm9_ppqm) with 1 or 2 C-H hydrogens replaced
         by F (C-F 1.35 A along the C-H bond), seeded choice; frames: relaxed + 4 rattled (sigma 0.05 A) + 2 rattled
         (sigma 0.10 A).
  fdrug  F-containing drugs and F building blocks (f-molecules.smi), none in the OOD test set;
  drug   H/C/N/O drug-like molecules (hcno-drugs.smi), none in the OOD test set;
         for both: ETKDGv3 (seed 42) + MMFF94 start, frames: relaxed + 2 rattled (sigma 0.05 A) + 10 frames of xtb MD
         (0.15 ps, 1 fs steps, no SHAKE, NVT at 300/400/500/600 K by list order, every 15 fs after the start,
         seeded start velocities).
A failed xtb run (SCF or optimisation) is skipped and counted in manifest.json.
Run from the repository root:  nice -n 5 /usr/bin/python3 data/xtb-generated/make-xtb-generated.py [--workers 2]
"""
import argparse
import gzip
import json
import os
import sys
import time
import zlib
from multiprocessing import Pool

import numpy as np
from rdkit import Chem

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xtb_label as X  # noqa: E402

QM9 = os.path.join(HERE, '..', '..', '..', 'shared', 'datasets', 'qm9_ppqm', 'qm9_geometries_128744.extxyz.gz')
OOD_LIST = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'ood-drugs', 'ood-drugs.smi')
N_QM9F = 400
QM9F_SEED = 2024
TEMPERATURES = (300, 400, 500, 600)
CF_BOND = 1.35  # A
MD_PS = 0.15
MD_DUMP_FS = 15.0


def read_smi(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            fields = line.rstrip('\n').split('\t')
            rows.append((fields[0], fields[1]))
    return rows


def canonical(smiles):
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f'RDKit cannot parse {smiles}')
    return Chem.MolToSmiles(mol)


def qm9_fluorinated(count, seed):
    """`count` QM9 molecules (seeded choice among those with a C-H) with 1 or 2 C-H hydrogens replaced by F."""
    frames = []
    with gzip.open(QM9, 'rt') as f:
        while True:
            head = f.readline()
            if not head.strip():
                break
            n = int(head)
            comment = f.readline()
            name = comment.split('name=')[1].split()[0]
            atoms = [f.readline().split() for _ in range(n)]
            frames.append((name, [a[0] for a in atoms], np.array([[float(v) for v in a[1:4]] for a in atoms])))
    rng = np.random.default_rng(seed)
    picked = []
    for index in rng.permutation(len(frames)):
        name, symbols, positions = frames[index]
        d = np.linalg.norm(positions[:, None] - positions[None, :], axis=-1)
        ch = [i for i, s in enumerate(symbols) if s == 'H' and symbols[int(np.argsort(d[i])[1])] == 'C' and np.sort(d[i])[1] < 1.2]
        if not ch:
            continue
        k = 1 if rng.random() < 0.6 or len(ch) < 2 else 2
        chosen = sorted(rng.choice(ch, size=k, replace=False).tolist())
        new_symbols, new_positions = list(symbols), positions.copy()
        for h in chosen:
            c = int(np.argsort(d[h])[1])
            bond = positions[h] - positions[c]
            new_symbols[h] = 'F'
            new_positions[h] = positions[c] + bond / np.linalg.norm(bond) * CF_BOND
        picked.append((f'qm9f_{name.split("_")[1]}_' + '_'.join(f'h{h + 1}' for h in chosen), name, new_symbols, X.round_positions(new_positions)))
        if len(picked) == count:
            return picked
    return picked


def label_frames(name, symbols, geometries, info_base, out):
    for kind, positions, extra in geometries:
        labels = X.single_point(symbols, positions)
        if labels is None:
            out['failures'].append(f'{name} {kind}: GFN2 single point failed')
            continue
        out['frames'].append(X.frame_text(symbols, positions, labels, {'tag': f'{name}_{kind}', 'name': name, **info_base, **extra}))


def work(task):
    part, index, name, payload = task
    cpu0 = os.times()
    out = {'name': name, 'part': part, 'frames': [], 'failures': []}
    if part == 'qm9f':
        parent, symbols, start = payload
        info_base = {'parent': parent, 'source': 'qm9f'}
    else:
        smiles = payload
        mol = X.embed(smiles, 42)
        symbols = [a.GetSymbol() for a in mol.GetAtoms()]
        start = X.round_positions(mol.GetConformer().GetPositions())
        info_base = {'smiles': canonical(smiles), 'source': part}
    out['symbols'] = symbols
    relaxed = X.optimize(symbols, start)
    if relaxed is None:
        out['failures'].append(f'{name}: xtb --opt did not converge')
    elif not X.same_bonds(symbols, start, relaxed):
        out['failures'].append(f'{name}: bonds changed during xtb --opt (skipped)')
        relaxed = None
    if relaxed is not None:
        relaxed = X.round_positions(relaxed)
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        geometries = [('opt', relaxed, {'frame': 'xtb_opt'})]
        sigmas = (0.05, 0.05, 0.05, 0.05, 0.10, 0.10) if part == 'qm9f' else (0.05, 0.05)
        geometries += [(f'r{k}', X.round_positions(X.rattle(relaxed, s, rng)), {'frame': 'rattled', 'rattle': f'{s:.3f}'}) for k, s in enumerate(sigmas)]
        md = None
        temperature = TEMPERATURES[index % 4]
        if part != 'qm9f':
            md = X.md_frames(symbols, relaxed, temperature, MD_PS, MD_DUMP_FS, zlib.crc32(name.encode()) + 1)
            if md is None:
                out['failures'].append(f'{name}: xtb --md failed')
        for k, positions in enumerate(md or []):
            geometries.append((f'md{k}', X.round_positions(positions), {'frame': 'md', 'temperature': temperature}))
        label_frames(name, symbols, geometries, info_base, out)
    cpu1 = os.times()
    out['xtb_cpu_s'] = (cpu1.children_user + cpu1.children_system) - (cpu0.children_user + cpu0.children_system)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--qm9f', type=int, default=N_QM9F)
    parser.add_argument('--drugs', type=int, default=0, help='first N of each drug list only (timing); 0 = all')
    parser.add_argument('--out', default=HERE)
    args = parser.parse_args()
    ood = {canonical(s) for _, s in read_smi(OOD_LIST)}
    tasks = []
    for part, file in (('fdrug', 'f-molecules.smi'), ('drug', 'hcno-drugs.smi')):
        rows = read_smi(os.path.join(HERE, file))
        rows = rows[:args.drugs] if args.drugs else rows
        for index, (name, smiles) in enumerate(rows):
            if canonical(smiles) in ood:
                raise ValueError(f'{file}: {name} is in the OOD test set')
            elements = {a.GetSymbol() for a in Chem.MolFromSmiles(smiles).GetAtoms()}
            if not elements <= set('HCNOF') or Chem.GetFormalCharge(Chem.MolFromSmiles(smiles)) != 0:
                raise ValueError(f'{file}: {name} is charged or has elements beyond H C N O F')
            tasks.append((part, index, f'gen_{name}', smiles))
    for index, (name, parent, symbols, positions) in enumerate(qm9_fluorinated(args.qm9f, QM9F_SEED)):
        tasks.append(('qm9f', index, name, (parent, symbols, positions)))
    names = [t[2] for t in tasks]
    if len(set(names)) != len(names):
        raise ValueError('duplicate molecule names')
    wall = time.time()
    with Pool(args.workers) as pool:
        results = list(pool.imap(work, tasks))
    frames = [f for r in results for f in r['frames']]
    os.makedirs(args.out, exist_ok=True)
    X.write_gz(os.path.join(args.out, 'hcnof-xtb-generated.extxyz.gz'), frames)
    ok = [r for r in results if r['frames']]
    parts = {}
    for r in results:
        p = parts.setdefault(r['part'], {'molecules': 0, 'labelled': 0, 'frames': 0, 'atoms_over_frames': 0, 'xtb_cpu_s': 0.0})
        p['molecules'] += 1
        p['labelled'] += bool(r['frames'])
        p['frames'] += len(r['frames'])
        p['atoms_over_frames'] += len(r['symbols']) * len(r['frames'])
        p['xtb_cpu_s'] = round(p['xtb_cpu_s'] + r['xtb_cpu_s'], 1)
    manifest = {
        'molecules': len(results), 'molecules_labelled': len(ok), 'frames': len(frames),
        'frames_with_fluorine': sum(len(r['frames']) for r in ok if 'F' in r['symbols']),
        'atoms_per_molecule_min_max': [min(len(r['symbols']) for r in ok), max(len(r['symbols']) for r in ok)],
        'elements': sorted({s for r in ok for s in r['symbols']}), 'parts': parts,
        'failures': [f for r in results for f in r['failures']],
        'xtb_cpu_s': round(sum(r['xtb_cpu_s'] for r in results), 1), 'wall_s': round(time.time() - wall, 1),
    }
    with open(os.path.join(args.out, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    print(json.dumps(manifest, indent=1))


if __name__ == '__main__':
    main()

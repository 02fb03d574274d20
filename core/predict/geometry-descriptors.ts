import { elementOf, symbolOf } from '../structure/elements';
import { hillFormula, type Structure } from '../structure/structure';
import type { Prediction, PredictionColumn, Predictor } from './predictor';

/**
 * Cheap geometric descriptors of any structure, no toolkit needed: formula, atom count, molar mass, centre of
 * mass, mass-weighted radius of gyration, principal moments of inertia and, for periodic cells, volume and
 * density. Masses are the element table's (ASE's standard atomic weights); dummy atoms (Z = 0) weigh nothing.
 */

/** 1 u in g (CODATA 2018), so u/Å³ -> g/cm³ is this factor times 1e24. */
const GRAMS_PER_DALTON = 1.6605390666e-24;
const CM3_PER_A3 = 1e-24;

export const GEOMETRY_COLUMNS: readonly PredictionColumn[] = [
  { key: 'formula', label: 'Formula', unit: '', kind: 'string' },
  { key: 'n_atoms', label: 'Atoms', unit: '', kind: 'number' },
  { key: 'molar_mass', label: 'Molar mass', unit: 'g/mol', kind: 'number' },
  { key: 'center_of_mass', label: 'Centre of mass', unit: 'Å', kind: 'vector', width: 3 },
  { key: 'radius_of_gyration', label: 'Radius of gyration (mass-weighted)', unit: 'Å', kind: 'number' },
  { key: 'principal_moments', label: 'Principal moments of inertia (ascending)', unit: 'u·Å²', kind: 'vector', width: 3 },
  { key: 'cell_volume', label: 'Cell volume', unit: 'Å³', kind: 'number' },
  { key: 'density', label: 'Density', unit: 'g/cm³', kind: 'number' },
];

/** Eigenvalues of a symmetric 3x3 matrix (row-major), ascending, by cyclic Jacobi rotations. */
export function symmetricEigenvalues3(m: ArrayLike<number>): [number, number, number] {
  const a = [
    [m[0]!, m[1]!, m[2]!],
    [m[3]!, m[4]!, m[5]!],
    [m[6]!, m[7]!, m[8]!],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0]![1]! ** 2 + a[0]![2]! ** 2 + a[1]![2]! ** 2;
    const scale = a[0]![0]! ** 2 + a[1]![1]! ** 2 + a[2]![2]! ** 2 + off;
    if (off <= 1e-30 * Math.max(scale, 1e-300)) break;
    for (let p = 0; p < 2; p++) {
      for (let q = p + 1; q < 3; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 3; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < 3; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
      }
    }
  }
  const values = [a[0]![0]!, a[1]![1]!, a[2]![2]!].sort((x, y) => x - y);
  return [values[0]!, values[1]!, values[2]!];
}

/** |det| of the cell rows a, b, c (Å³). */
export function cellVolume(cell: ArrayLike<number>): number {
  const [ax, ay, az, bx, by, bz, cx, cy, cz] = Array.from(cell);
  return Math.abs(ax! * (by! * cz! - bz! * cy!) - ay! * (bx! * cz! - bz! * cx!) + az! * (bx! * cy! - by! * cx!));
}

export function geometryDescriptors(structure: Structure): Prediction['values'] {
  const n = structure.numbers.length;
  const p = structure.positions;
  let mass = 0;
  let cx = 0;
  let cy = 0;
  let cz = 0;
  const masses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = structure.numbers[i]!;
    const m = z === 0 ? 0 : elementOf(z).mass;
    masses[i] = m;
    mass += m;
    cx += m * p[3 * i]!;
    cy += m * p[3 * i + 1]!;
    cz += m * p[3 * i + 2]!;
  }
  const values: Record<string, number | string | readonly number[] | null> = {
    formula: hillFormula(structure.numbers, (z) => (z === 0 ? 'X' : symbolOf(z))),
    n_atoms: n,
    molar_mass: mass,
    center_of_mass: null,
    radius_of_gyration: null,
    principal_moments: null,
    cell_volume: null,
    density: null,
  };
  if (mass > 0) {
    cx /= mass;
    cy /= mass;
    cz /= mass;
    // Inertia tensor about the centre of mass: I = Σ m (r² 1 − r rᵀ)   [u·Å²]
    let xx = 0, yy = 0, zz = 0, xy = 0, xz = 0, yz = 0, mr2 = 0;
    for (let i = 0; i < n; i++) {
      const m = masses[i]!;
      const x = p[3 * i]! - cx;
      const y = p[3 * i + 1]! - cy;
      const z = p[3 * i + 2]! - cz;
      xx += m * x * x;
      yy += m * y * y;
      zz += m * z * z;
      xy += m * x * y;
      xz += m * x * z;
      yz += m * y * z;
      mr2 += m * (x * x + y * y + z * z);
    }
    const inertia = [yy + zz, -xy, -xz, -xy, xx + zz, -yz, -xz, -yz, xx + yy];
    values.center_of_mass = [cx, cy, cz];
    values.radius_of_gyration = Math.sqrt(mr2 / mass);
    values.principal_moments = symmetricEigenvalues3(inertia);
  }
  if (structure.cell && structure.pbc.some((x) => x)) {
    const volume = cellVolume(structure.cell);
    values.cell_volume = volume;
    values.density = volume > 0 ? (mass * GRAMS_PER_DALTON) / (volume * CM3_PER_A3) : null;
  }
  return values;
}

export function createGeometryPredictor(): Predictor {
  return {
    id: 'geometry',
    description: 'Formula, atom count, molar mass, centre of mass, radius of gyration, principal moments of inertia; cell volume and density for crystals',
    columns: GEOMETRY_COLUMNS,
    batchSize: 512,
    async predict(batch) {
      return batch.map((structure) => {
        try {
          return { values: geometryDescriptors(structure) };
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      });
    },
  };
}

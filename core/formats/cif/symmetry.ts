/**
 * Space-group symmetry operations as CIF writes them ('x,y,z', '-x+1/2,y,-z', '1/2+x,-y,z+0.25', 'x-y,x,z')
 * and the expansion of an asymmetric unit to the full cell, as ASE does it (ase.spacegroup: each site in
 * order, each operation in order, position wrapped into [0, 1), duplicates within `symprec` per fractional
 * component under periodic wrap dropped).
 */

export interface SymmetryOperation {
  /** Rotation, row-major 3x3 acting on fractional column vectors: x' = R x + t. */
  readonly rotation: readonly number[];
  readonly translation: readonly number[];
}

/** ASE's default tolerance in crystal(): sites closer than this in every fractional component are one site. */
export const DEFAULT_SYMPREC = 1e-3;

function parseNumber(text: string): number | undefined {
  if (text.includes('/')) {
    const [a, b, ...rest] = text.split('/');
    if (rest.length > 0 || !/^\d*\.?\d+$/.test(a ?? '') || !/^\d*\.?\d+$/.test(b ?? '')) return undefined;
    const value = Number(a) / Number(b);
    return Number.isFinite(value) ? value : undefined;
  }
  if (!/^(?:\d+\.?\d*|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}

/** Parses one operation; throws Error with a message when it is not of the x,y,z form. */
export function parseSymmetryOperation(text: string): SymmetryOperation {
  const cleaned = text.replace(/['"\s]/g, '').toLowerCase();
  const parts = cleaned.split(',');
  if (parts.length !== 3) throw new Error(`symmetry operation '${text}' does not have three comma-separated parts`);
  const rotation = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const translation = [0, 0, 0];
  parts.forEach((part, row) => {
    if (part === '') throw new Error(`symmetry operation '${text}' has an empty part`);
    const terms = part.match(/[+-]?[^+-]+/g);
    if (!terms || terms.join('') !== part) throw new Error(`cannot read '${part}' in symmetry operation '${text}'`);
    for (const term of terms) {
      const sign = term.startsWith('-') ? -1 : 1;
      const body = term.replace(/^[+-]/, '');
      const variable = body.search(/[xyz]/);
      if (variable >= 0) {
        if (variable !== body.length - 1) throw new Error(`cannot read '${term}' in symmetry operation '${text}'`);
        const coefficientText = body.slice(0, variable).replace(/\*$/, '');
        const coefficient = coefficientText === '' ? 1 : parseNumber(coefficientText);
        if (coefficient === undefined) throw new Error(`cannot read '${term}' in symmetry operation '${text}'`);
        rotation[3 * row + 'xyz'.indexOf(body[variable]!)]! += sign * coefficient;
      } else {
        const value = parseNumber(body);
        if (value === undefined) throw new Error(`cannot read '${term}' in symmetry operation '${text}'`);
        translation[row]! += sign * value;
      }
    }
  });
  return { rotation, translation };
}

export const IDENTITY: SymmetryOperation = { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] };

function wrap(x: number): number {
  // numpy's np.mod(x, 1.0): result in [0, 1); guard the rounding case that gives exactly 1.
  const w = x - Math.floor(x);
  return w >= 1 ? 0 : w;
}

/**
 * Expands fractional sites by the operations. Returns the wrapped fractional positions and, for each, the
 * index of the input site it came from. Sites closer than `symprec` in every component (mod 1) to an
 * earlier site are dropped, whichever input site that came from (ASE's onduplicates='keep').
 */
export function expandSites(
  sites: Float64Array,
  operations: readonly SymmetryOperation[],
  symprec = DEFAULT_SYMPREC,
): { positions: Float64Array; kinds: Int32Array } {
  const nSites = sites.length / 3;
  const out: number[] = [];
  const kinds: number[] = [];
  // Spatial hash of accepted sites on a periodic grid with bins wider than symprec.
  const bins = Math.max(1, Math.min(1024, Math.floor(1 / (2 * symprec))));
  const grid = new Map<number, number[]>();
  const key = (a: number, b: number, c: number) => (((a + bins) % bins) * bins + ((b + bins) % bins)) * bins + ((c + bins) % bins);
  const p = [0, 0, 0];
  for (let s = 0; s < nSites; s++) {
    const x = sites[3 * s]!;
    const y = sites[3 * s + 1]!;
    const z = sites[3 * s + 2]!;
    for (const op of operations) {
      const r = op.rotation;
      const t = op.translation;
      p[0] = wrap(r[0]! * x + r[1]! * y + r[2]! * z + t[0]!);
      p[1] = wrap(r[3]! * x + r[4]! * y + r[5]! * z + t[1]!);
      p[2] = wrap(r[6]! * x + r[7]! * y + r[8]! * z + t[2]!);
      const ba = Math.min(bins - 1, Math.floor(p[0] * bins));
      const bb = Math.min(bins - 1, Math.floor(p[1] * bins));
      const bc = Math.min(bins - 1, Math.floor(p[2] * bins));
      let duplicate = false;
      search: for (let da = -1; da <= 1; da++) {
        for (let db = -1; db <= 1; db++) {
          for (let dc = -1; dc <= 1; dc++) {
            const bucket = grid.get(key(ba + da, bb + db, bc + dc));
            if (!bucket) continue;
            for (const j of bucket) {
              let same = true;
              for (let k = 0; k < 3; k++) {
                const d = Math.abs(p[k]! - out[3 * j + k]!);
                if (!(d < symprec || Math.abs(d - 1) < symprec)) {
                  same = false;
                  break;
                }
              }
              if (same) {
                duplicate = true;
                break search;
              }
            }
          }
        }
      }
      if (duplicate) continue;
      const index = kinds.length;
      out.push(p[0], p[1], p[2]);
      kinds.push(s);
      const k = key(ba, bb, bc);
      const bucket = grid.get(k);
      if (bucket) bucket.push(index);
      else grid.set(k, [index]);
    }
  }
  return { positions: Float64Array.from(out), kinds: Int32Array.from(kinds) };
}

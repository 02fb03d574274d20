/**
 * Irreducible representations of O(3) as value objects, with e3nn's string form.
 *
 * An irrep `(l, p)` is the (2l+1)-dimensional representation of SO(3) with degree l, together with its parity
 * p = ±1 under inversion: "0e" is a scalar, "1o" a vector, "1e" a pseudovector, "2e" a rank-2 traceless
 * symmetric tensor. `Irreps` is a direct sum of multiplicities `mul x (l, p)` in e3nn's order and layout:
 * a feature vector of `Irreps("8x0e+4x1o")` has 8 scalars followed by 4 vectors, each vector's 3 components
 * contiguous (`[mul, 2l+1]` per block).
 */

export type Parity = 1 | -1;

export class Irrep {
  readonly l: number;
  readonly p: Parity;

  constructor(l: number, p: Parity) {
    if (!Number.isInteger(l) || l < 0) throw new Error(`Irrep: degree l must be a non-negative integer, got ${l}`);
    if (p !== 1 && p !== -1) throw new Error(`Irrep: parity must be 1 or -1, got ${String(p)}`);
    this.l = l;
    this.p = p;
  }

  /** Parses "1o", "2e", "0y" (y = (-1)^l, spherical-harmonic parity). */
  static parse(text: string): Irrep {
    const m = /^\s*(\d+)([eoy])\s*$/.exec(text);
    if (!m) throw new Error(`Irrep: cannot parse "${text}" (expected e.g. "0e", "1o", "2y")`);
    const l = Number(m[1]);
    const p: Parity = m[2] === 'e' ? 1 : m[2] === 'o' ? -1 : l % 2 === 0 ? 1 : -1;
    return new Irrep(l, p);
  }

  /** Irrep of the degree-l spherical harmonics: parity (-1)^l. */
  static sh(l: number): Irrep {
    return new Irrep(l, l % 2 === 0 ? 1 : -1);
  }

  get dim(): number {
    return 2 * this.l + 1;
  }

  equals(other: Irrep): boolean {
    return this.l === other.l && this.p === other.p;
  }

  /** Irreps contained in the tensor product self ⊗ other: |l1-l2| ≤ l ≤ l1+l2, parity p1·p2. */
  times(other: Irrep): Irrep[] {
    const p = (this.p * other.p) as Parity;
    const out: Irrep[] = [];
    for (let l = Math.abs(this.l - other.l); l <= this.l + other.l; l++) out.push(new Irrep(l, p));
    return out;
  }

  /** e3nn sort order: by l, then odd before even ("1o" < "1e"). */
  compare(other: Irrep): number {
    return this.l !== other.l ? this.l - other.l : this.p - other.p;
  }

  toString(): string {
    return `${this.l}${this.p === 1 ? 'e' : 'o'}`;
  }
}

export interface MulIrrep {
  readonly mul: number;
  readonly ir: Irrep;
}

export class Irreps {
  readonly items: readonly MulIrrep[];

  constructor(items: ReadonlyArray<MulIrrep | readonly [number, Irrep | string]> = []) {
    this.items = items.map((item) => {
      const mul = Array.isArray(item) ? (item as readonly [number, Irrep | string])[0] : (item as MulIrrep).mul;
      const irRaw = Array.isArray(item) ? (item as readonly [number, Irrep | string])[1] : (item as MulIrrep).ir;
      const ir = typeof irRaw === 'string' ? Irrep.parse(irRaw) : irRaw;
      if (!Number.isInteger(mul) || mul < 0) throw new Error(`Irreps: multiplicity must be a non-negative integer, got ${mul}`);
      return Object.freeze({ mul, ir });
    });
    Object.freeze(this.items);
  }

  /** Parses e3nn's string form "32x0e + 16x1o + 2e" (multiplicity 1 may be omitted; "" is the empty sum). */
  static parse(text: string): Irreps {
    const trimmed = text.trim();
    if (trimmed === '') return new Irreps([]);
    return new Irreps(
      trimmed.split('+').map((part) => {
        const m = /^\s*(?:(\d+)\s*x\s*)?(\d+[eoy])\s*$/.exec(part);
        if (!m) throw new Error(`Irreps: cannot parse "${part.trim()}" in "${text}" (expected e.g. "32x0e+16x1o")`);
        return { mul: m[1] === undefined ? 1 : Number(m[1]), ir: Irrep.parse(m[2]!) };
      }),
    );
  }

  static of(value: Irreps | string): Irreps {
    return typeof value === 'string' ? Irreps.parse(value) : value;
  }

  /** Spherical-harmonic irreps "1x0e+1x1o+1x2e+..." up to lmax. */
  static sphericalHarmonics(lmax: number): Irreps {
    return new Irreps(Array.from({ length: lmax + 1 }, (_, l) => ({ mul: 1, ir: Irrep.sh(l) })));
  }

  /** Total dimension Σ mul·(2l+1). */
  get dim(): number {
    return this.items.reduce((s, { mul, ir }) => s + mul * ir.dim, 0);
  }

  /** Number of irreps counted with multiplicity. */
  get numIrreps(): number {
    return this.items.reduce((s, { mul }) => s + mul, 0);
  }

  get lmax(): number {
    return this.items.reduce((m, { ir }) => Math.max(m, ir.l), -1);
  }

  get length(): number {
    return this.items.length;
  }

  /** Start offsets of each block in a flat feature vector, plus the total dim at the end. */
  get offsets(): number[] {
    const out = [0];
    for (const { mul, ir } of this.items) out.push(out[out.length - 1]! + mul * ir.dim);
    return out;
  }

  /** Merges neighbouring blocks with the same irrep ("2x1o+3x1o" -> "5x1o"), drops zero multiplicities. */
  simplify(): Irreps {
    const out: MulIrrep[] = [];
    for (const { mul, ir } of this.items) {
      if (mul === 0) continue;
      const last = out[out.length - 1];
      if (last && last.ir.equals(ir)) out[out.length - 1] = { mul: last.mul + mul, ir };
      else out.push({ mul, ir });
    }
    return new Irreps(out);
  }

  /** Stable sort by irrep; `inv[i]` is the new position of block i, `perm[j]` the old index of new block j. */
  sort(): { irreps: Irreps; perm: number[]; inv: number[] } {
    const perm = this.items.map((_, i) => i).sort((a, b) => this.items[a]!.ir.compare(this.items[b]!.ir) || a - b);
    const inv = new Array<number>(perm.length);
    perm.forEach((old, j) => (inv[old] = j));
    return { irreps: new Irreps(perm.map((i) => this.items[i]!)), perm, inv };
  }

  concat(other: Irreps): Irreps {
    return new Irreps([...this.items, ...other.items]);
  }

  /** Keeps blocks whose irrep is in `keep`. */
  filter(keep: (ir: Irrep) => boolean): Irreps {
    return new Irreps(this.items.filter(({ ir }) => keep(ir)));
  }

  count(ir: Irrep): number {
    return this.items.reduce((s, item) => s + (item.ir.equals(ir) ? item.mul : 0), 0);
  }

  equals(other: Irreps): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    return this.items.map(({ mul, ir }) => `${mul}x${ir}`).join('+');
  }
}

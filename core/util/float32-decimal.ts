/**
 * Values that come from float32 arithmetic (a tfjs model's energy, forces, stress) widened to double print with
 * float noise: the float32 nearest 1.3506 is 1.35059998..., and String() of that double is 1.3505999898910522.
 * `float32Decimal` returns instead the double of the shortest decimal that reads back as the same float32
 * (Math.fround), so String() prints '1.3506'. This is the float32 analogue of JavaScript's shortest round-trip
 * Number-to-String (ECMA-262 Number::toString), found by trying 1 to 9 significant digits: 9 always suffice
 * for a float32 (IEEE 754-2008 §5.12.2). It loses nothing the float32 held. Non-finite values are returned as is.
 */
export function float32Decimal(x: number): number {
  if (!Number.isFinite(x)) return x;
  const single = Math.fround(x);
  if (single === 0 || !Number.isFinite(single)) return single === 0 ? 0 : x;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return Number(single.toPrecision(9));
}

/** `float32Decimal` of every element, in a new array. */
export function float32Decimals(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32Decimal(values[i]!);
  return out;
}

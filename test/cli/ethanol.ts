/** Ethanol near its rMD17 geometry (Å) as extended-XYZ frames, each shifted along x for atom 1 by `dx` Å. */
const ETHANOL: ReadonlyArray<readonly [string, number, number, number]> = [
  ['C', 0.0072, -0.5687, 0.0],
  ['C', -1.2854, 0.2499, 0.0],
  ['O', 1.1304, 0.3128, 0.0],
  ['H', 0.0392, -1.1977, 0.8894],
  ['H', 0.0392, -1.1977, -0.8894],
  ['H', -1.3175, 0.8895, 0.882],
  ['H', -1.3175, 0.8895, -0.882],
  ['H', -2.1405, -0.4262, 0.0],
  ['H', 1.9256, -0.2283, 0.0],
];

export function ethanolFrames(...shifts: number[]): string {
  return shifts
    .map(
      (dx) =>
        `9\nProperties=species:S:1:pos:R:3 pbc="F F F"\n` +
        ETHANOL.map(([symbol, x, y, z], i) => `${symbol} ${i === 0 ? x + dx : x} ${y} ${z}`).join('\n') +
        '\n',
    )
    .join('');
}

/**
 * Trains a GeoBFN generator (Song et al., ICLR 2024; core/generative/geobfn) on the QM9 geometries with hydrogens of
 * ../shared/datasets/qm9_xtb on the CPU under a time budget: `equimol train --family geobfn` on QM9 (generator-recipe.ts).
 *
 *   nice -n 19 node --import tsx scripts/train-geobfn-qm9.ts --minutes 120 --features 64 --layers 4 --out tmp/runs/geobfn-qm9/geobfn-qm9
 *
 * GeoBFN's own options: --sigma1-positions (0.001), --sigma1-charges (0.15) (`equimol train --help`).
 */
import { runQm9GeneratorRecipe } from './generator-recipe';

await runQm9GeneratorRecipe('geobfn');

/**
 * Trains an EDM generator (Hoogeboom et al. 2022; core/generative/edm) on the QM9 geometries with hydrogens of
 * ../shared/datasets/qm9_xtb on the CPU under a time budget: `equimol train --family edm` on QM9 (generator-recipe.ts).
 *
 *   nice -n 19 node --import tsx scripts/train-edm-qm9.ts --minutes 120 --features 64 --layers 4 --out tmp/runs/edm-qm9/edm-qm9
 *   nice -n 19 node --import tsx scripts/train-edm-qm9.ts --minutes 60 --init data/checkpoints/edm-qm9/edm-qm9.generator.json --out tmp/runs/edm-qm9b/edm-qm9
 *
 * EDM's own options: --noise-schedule polynomial|cosine, --timesteps T, --condition PROPERTY (`equimol train --help`).
 */
import { runQm9GeneratorRecipe } from './generator-recipe';

await runQm9GeneratorRecipe('edm');

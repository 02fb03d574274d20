/**
 * Re-expresses a trained message-passing model for another `avgNumNeighbors` without changing its function.
 *
 * In the pipeline of equivariant-model.ts the neighbour sum enters once per interaction, as
 * A_i = Linear(Σ_j m_ij / avgNumNeighbors), and that linear map (`interaction<k>/aggregate`) has no bias, so
 * Linear_W(s / a) = Linear_{W·b/a}(s / b): scaling the aggregate weights by b / a gives the same energies and forces
 * with the normaliser b. Ensembles need it: the file stores one architecture, and members trained on different
 * samples of a dataset estimate the average neighbour count slightly differently.
 */

/** The families built on EquivariantMessagePassingModel, whose aggregate maps are bias-free linear maps. */
export const AVERAGE_NEIGHBOUR_FAMILIES: readonly string[] = ['mace', 'tdn', 'escn'];

const AGGREGATE_WEIGHT = /^interaction\d+\/aggregate\/w\d+_\d+$/;

/**
 * The weights of a `family` model trained with `avgNumNeighbors = from`, for `to` (same function); the inputs are
 * not modified. Throws when the family's neighbour sum is not a bias-free aggregate map, or no such weight is found.
 */
export function rescaleForAverageNeighbours(
  family: string,
  weights: ReadonlyMap<string, Float32Array>,
  from: number,
  to: number,
): Map<string, Float32Array> {
  if (!AVERAGE_NEIGHBOUR_FAMILIES.includes(family)) throw new Error(`a ${family} model cannot be re-expressed for another avgNumNeighbors`);
  if (!(from > 0 && to > 0 && Number.isFinite(from) && Number.isFinite(to))) throw new RangeError(`avgNumNeighbors must be positive and finite (${from} → ${to})`);
  if ([...weights.keys()].some((name) => /^interaction\d+\/aggregate\/b/.test(name))) throw new Error('the aggregate maps have biases, so they are not linear');
  const factor = to / from;
  const out = new Map<string, Float32Array>();
  let scaled = 0;
  for (const [name, values] of weights) {
    if (AGGREGATE_WEIGHT.test(name)) {
      out.set(name, values.map((v) => v * factor));
      scaled++;
    } else out.set(name, values);
  }
  if (scaled === 0) throw new Error('no interaction aggregate weights found');
  return out;
}

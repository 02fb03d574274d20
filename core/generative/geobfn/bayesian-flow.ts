/**
 * The Bayesian flow of continuous and discretised variables (Graves, Srivastava, Atkinson & Gomez 2023, "Bayesian
 * Flow Networks", arXiv:2308.07037, §4 and §5), as GeoBFN uses it for 3D molecules (Song, Gong, Zhou, Liu, Xie,
 * Ma & Zhou, ICLR 2024, "Unified Generative Modeling of 3D Molecules via Bayesian Flow Networks").
 *
 * Continuous variable x ∈ ℝ^D, input distribution θ = {μ, ρ} (independent Gaussians), prior μ = 0, ρ = 1:
 *   accuracy schedule    β(t) = σ₁^{−2t} − 1                                   (eq. 72)
 *   sender               p_S(y | x; α) = N(x, α⁻¹ I)                           (eq. 51)
 *   Bayesian update      ρ' = ρ + α,  μ' = (ρ μ + α y) / ρ'                   (eqs. 49–50)
 *   Bayesian flow        p_F(μ | x; t) = N(γ(t) x, γ(t)(1 − γ(t)) I),  γ(t) = β/(1+β) = 1 − σ₁^{2t}   (eqs. 77, 80)
 *   output               x̂(θ, t) = μ/γ − √((1 − γ)/γ) ε̂(θ, t)                (eq. 84)
 *   continuous-time loss L∞(x) = −ln σ₁ E_{t∼U(0,1), p_F} ‖x − x̂(θ, t)‖² / σ₁^{2t}   (eq. 101)
 *   sampling step i of n (grid 0 = t_0 < … < t_n = 1; uniform: α_i = σ₁^{−2i/n}(1 − σ₁^{2/n}), Algorithm 3):
 *     α_i = β(t_i) − β(t_{i−1}),  y ∼ N(x̂(θ, t_{i−1}), α_i⁻¹ I),  θ ← update(θ, y, α_i)
 * Positions (GeoBFN §3): x, ε and y live in the zero centre-of-mass subspace of each molecule; the flow and the
 * update are linear in them, so μ stays CoM-free.
 *
 * Discretised variable (§5) with K bins on [−1, 1]: centres k_c = (2k − 1)/K − 1, edges k_c ∓ 1/K (eq. 102). GeoBFN
 * encodes an atom's type as its atomic number Z on K = max Z bins: c = (2Z − 1)/K − 1 (its `NormalizerCallback`,
 * QM9 K = 9). The flow and update are those of a continuous variable with its own σ₁; the output is a Gaussian
 * N(μ_x, σ_x²) binned on the K intervals (eqs. 104–108):
 *   μ_x = μ/γ − √((1 − γ)/γ) μ_ε,  σ_x = √((1 − γ)/γ) exp(ln σ_ε),
 *   p_O(k) = F(k_r) − F(k_l),  F(z) = ½(1 + erf((z − μ_x)/(σ_x √2))) with F = 0 for z ≤ −1, 1 for z ≥ 1,
 *   k̂ = Σ_k p_O(k) k_c,  L∞ = −ln σ₁ E (c − k̂)² / σ₁^{2t}   (eq. 121).
 * Sampling draws y ∼ N(k_c, α⁻¹) for a bin k: k ∼ p_O (Graves, Algorithm 6) or, as GeoBFN's code, the centre
 * nearest to k̂ ("mode-seeking").
 */

/** β(t) = σ₁^{−2t} − 1. */
export function accuracy(sigma1: number, t: number): number {
  return Math.expm1(-2 * t * Math.log(sigma1));
}

/** γ(t) = β/(1 + β) = 1 − σ₁^{2t}. */
export function flowGamma(sigma1: number, t: number): number {
  return -Math.expm1(2 * t * Math.log(sigma1));
}

/** Weight of the continuous-time loss at t: −ln σ₁ · σ₁^{−2t} (eq. 101). */
export function lossWeight(sigma1: number, t: number): number {
  return -Math.log(sigma1) * Math.exp(-2 * t * Math.log(sigma1));
}

/** The sender accuracies α_i = β(t_i) − β(t_{i−1}) of a time grid t_0 < … < t_n. */
export function accuracyIncrements(sigma1: number, grid: ArrayLike<number>): Float64Array {
  const out = new Float64Array(grid.length - 1);
  for (let i = 1; i < grid.length; i++) out[i - 1] = accuracy(sigma1, grid[i]!) - accuracy(sigma1, grid[i - 1]!);
  return out;
}

/** BFN's noise level σ(t) = β(t)^{−1/2} of μ/γ as an estimate of x (for the step schedules). */
export function bfnNoiseLevel(sigma1: number): (t: number) => number {
  return (t) => (t <= 0 ? Number.POSITIVE_INFINITY : 1 / Math.sqrt(accuracy(sigma1, t)));
}

/**
 * A draw of the Bayesian flow p_F(μ | x; t) = N(γ x, γ(1 − γ)) for each row of x, in place into `out`:
 * μ = γ x + √(γ(1 − γ)) ε, with ε given (CoM-free for positions). `gammaOfRow(r)` is γ of row r's molecule.
 */
export function sampleFlow(x: ArrayLike<number>, noise: ArrayLike<number>, width: number, gammaOfRow: (row: number) => number, out: Float64Array): Float64Array {
  for (let r = 0; r * width < x.length; r++) {
    const g = gammaOfRow(r);
    const s = Math.sqrt(g * (1 - g));
    for (let k = 0; k < width; k++) out[r * width + k] = g * x[r * width + k]! + s * noise[r * width + k]!;
  }
  return out;
}

/** The Bayesian update of μ with accuracy ρ by y of accuracy α, in place: μ ← (ρ μ + α y)/(ρ + α). Returns ρ + α. */
export function bayesianUpdate(mu: Float64Array, rho: number, y: ArrayLike<number>, alpha: number): number {
  const next = rho + alpha;
  for (let i = 0; i < mu.length; i++) mu[i] = (rho * mu[i]! + alpha * y[i]!) / next;
  return next;
}

/** K bins on [−1, 1]: centres (2k − 1)/K − 1 and edges centre ∓ 1/K, k = 1..K (eq. 102). */
export function discretisedBins(bins: number): { centres: Float64Array; left: Float64Array; right: Float64Array } {
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`discretised variable: bins must be an integer ≥ 2, got ${bins}`);
  const centres = Float64Array.from({ length: bins }, (_, k) => (2 * (k + 1) - 1) / bins - 1);
  return { centres, left: centres.map((c) => c - 1 / bins), right: centres.map((c) => c + 1 / bins) };
}

/** GeoBFN's charge value of atomic number Z on K bins: the centre of bin Z, (2Z − 1)/K − 1. */
export function chargeValue(z: number, bins: number): number {
  if (!Number.isInteger(z) || z < 1 || z > bins) throw new RangeError(`atomic number ${z} does not fit ${bins} charge bins`);
  return (2 * z - 1) / bins - 1;
}

/** Index of the centre nearest to v. */
export function nearestCentre(centres: ArrayLike<number>, v: number): number {
  let best = 0;
  for (let k = 1; k < centres.length; k++) if (Math.abs(v - centres[k]!) < Math.abs(v - centres[best]!)) best = k;
  return best;
}

/** The species whose charge value is nearest to v (GeoBFN `charge_decode`: argmin over the dataset's types). */
export function decodeCharge(v: number, species: readonly number[], bins: number): number {
  let best = species[0]!;
  for (const z of species) if (Math.abs(v - chargeValue(z, bins)) < Math.abs(v - chargeValue(best, bins))) best = z;
  return best;
}

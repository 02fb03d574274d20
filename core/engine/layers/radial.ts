/**
 * Radial embeddings of interatomic distances with smooth cutoffs.
 *
 * - Bessel basis (DimeNet, Gasteiger et al. 2020, eq. 7; NequIP eq. 7):
 *     e_n(r) = √(2/r_c) · sin(nπ r / r_c) / r,   n = 1..N
 * - Gaussian basis (SchNet, Schütt et al. 2017): e_n(r) = exp(-γ (r - μ_n)²), μ_n evenly spaced on [0, r_c].
 * - Polynomial envelope (DimeNet eq. 8, NequIP): u(d) = 1 - (p+1)(p+2)/2 d^p + p(p+2) d^{p+1} - p(p+1)/2 d^{p+2},
 *   d = r / r_c, zero with p-1 vanishing derivatives at d = 1 (p = 6 by default).
 * - Cosine cutoff (Behler 2011): f(r) = ½ (cos(π r / r_c) + 1).
 * Both cutoffs are 0 for r ≥ r_c. Distances in Å.
 */
import * as tf from '@tensorflow/tfjs';

export type CutoffKind = 'polynomial' | 'cosine';
export type RadialBasisKind = 'bessel' | 'gaussian';

/** Polynomial envelope u(r / r_c) (DimeNet eq. 8), [nEdges] -> [nEdges]. */
export function polynomialCutoff(r: tf.Tensor1D, cutoff: number, p = 6): tf.Tensor1D {
  return tf.tidy(() => {
    const d = tf.div(r, cutoff);
    const dp = tf.pow(d, p);
    const u = tf.add(
      tf.sub(1, tf.mul(((p + 1) * (p + 2)) / 2, dp)),
      tf.sub(tf.mul(p * (p + 2), tf.mul(dp, d)), tf.mul((p * (p + 1)) / 2, tf.mul(dp, tf.square(d)))),
    );
    // tf.step (zero gradient) rather than tf.where(tf.less(...)): Less has no gradient on the tape.
    return tf.mul(u, tf.step(tf.sub(1, d))) as tf.Tensor1D;
  });
}

/** Cosine cutoff ½(cos(π r/r_c) + 1) for r < r_c, else 0. [nEdges] -> [nEdges] */
export function cosineCutoff(r: tf.Tensor1D, cutoff: number): tf.Tensor1D {
  return tf.tidy(() => {
    const f = tf.mul(0.5, tf.add(tf.cos(tf.mul(r, Math.PI / cutoff)), 1));
    return tf.mul(f, tf.step(tf.sub(cutoff, r))) as tf.Tensor1D;
  });
}

export function smoothCutoff(kind: CutoffKind, r: tf.Tensor1D, cutoff: number, p = 6): tf.Tensor1D {
  return kind === 'polynomial' ? polynomialCutoff(r, cutoff, p) : cosineCutoff(r, cutoff);
}

/** Bessel basis √(2/r_c) sin(nπr/r_c)/r, n = 1..nBasis. [nEdges] (Å) -> [nEdges, nBasis] */
export function besselBasis(r: tf.Tensor1D, nBasis: number, cutoff: number): tf.Tensor2D {
  return tf.tidy(() => {
    const n = tf.range(1, nBasis + 1, 1, 'float32').reshape([1, nBasis]); // [1, nBasis]
    const rr = tf.expandDims(r, 1); // [nEdges, 1]
    const numerator = tf.sin(tf.mul(tf.mul(rr, n), Math.PI / cutoff));
    return tf.mul(Math.sqrt(2 / cutoff), tf.div(numerator, rr)) as tf.Tensor2D;
  });
}

/** Gaussian basis exp(-γ (r - μ_n)²), μ_n on [0, r_c], γ = 1/(2 Δμ²). [nEdges] (Å) -> [nEdges, nBasis] */
export function gaussianBasis(r: tf.Tensor1D, nBasis: number, cutoff: number): tf.Tensor2D {
  return tf.tidy(() => {
    const spacing = cutoff / (nBasis - 1);
    const mu = tf.linspace(0, cutoff, nBasis).reshape([1, nBasis]);
    const diff = tf.sub(tf.expandDims(r, 1), mu);
    return tf.exp(tf.mul(-1 / (2 * spacing * spacing), tf.square(diff))) as tf.Tensor2D;
  });
}

export interface RadialEmbeddingConfig {
  readonly basis: RadialBasisKind;
  readonly nBasis: number;
  /** Å */
  readonly cutoff: number;
  readonly cutoffKind: CutoffKind;
  /** Polynomial envelope exponent p (default 6). */
  readonly envelopeExponent?: number;
}

/** Basis times envelope: the edge radial embedding of NequIP/MACE. [nEdges] (Å) -> [nEdges, nBasis] */
export function radialEmbedding(r: tf.Tensor1D, config: RadialEmbeddingConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const basis = config.basis === 'bessel' ? besselBasis(r, config.nBasis, config.cutoff) : gaussianBasis(r, config.nBasis, config.cutoff);
    const envelope = smoothCutoff(config.cutoffKind, r, config.cutoff, config.envelopeExponent ?? 6);
    return tf.mul(basis, tf.expandDims(envelope, 1)) as tf.Tensor2D;
  });
}

/**
 * PCA frames for frame averaging (Puny et al. 2022, "Frame Averaging for Invariant and Equivariant Network
 * Design", §3.1; FAENet: Duval et al. 2023, §3.2).
 *
 * For each graph, the covariance Σ = (1/n) Σ_i (x_i − c)(x_i − c)ᵀ of the centred positions has eigenvectors
 * u1, u2, u3 (λ1 ≥ λ2 ≥ λ3) that rotate with the structure, up to sign. The frames are
 *   O(3):  F = [s1 u1, s2 u2, s3 (u1 × u2)],  s ∈ {±1}³        (8 frames)
 *   SO(3): F = [s1 u1, s2 u2, (s1 u1) × (s2 u2)], s ∈ {±1}²     (4 proper frames)
 * and canonical coordinates x Fᵀ-projections x·f_k are invariant up to the frame's sign pattern, which the
 * average over the frame set removes. Everything is tfjs ops (closed-form 3x3 eigen-decomposition, Smith 1961),
 * so forces differentiate through the frames. Degenerate spectra (linear, planar-symmetric or highly symmetric
 * molecules, fewer than 3 atoms) make the frame ill-defined — a known limitation of PCA frame averaging.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from '../../graph/graph-context';

export type FrameGroup = 'O3' | 'SO3';

/** Sign patterns of the frames, [K][3] (third entry multiplies u1 × u2). */
export function frameSigns(group: FrameGroup): number[][] {
  const out: number[][] = [];
  for (const s1 of [1, -1])
    for (const s2 of [1, -1]) {
      if (group === 'SO3') out.push([s1, s2, s1 * s2]);
      else for (const s3 of [1, -1]) out.push([s1, s2, s3]);
    }
  return out;
}

const cross = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => {
  const [ax, ay, az] = tf.split(a, 3, 1);
  const [bx, by, bz] = tf.split(b, 3, 1);
  return tf.concat(
    [tf.sub(tf.mul(ay!, bz!), tf.mul(az!, by!)), tf.sub(tf.mul(az!, bx!), tf.mul(ax!, bz!)), tf.sub(tf.mul(ax!, by!), tf.mul(ay!, bx!))],
    1,
  ) as tf.Tensor2D;
};
const dot = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.sum(tf.mul(a, b), 1, true); // [G, 1]
const normalize = (a: tf.Tensor2D) => tf.div(a, tf.sqrt(tf.add(tf.sum(tf.square(a), 1, true), 1e-20))) as tf.Tensor2D;

/** Eigenvector of symmetric A [G,3,3] (rows as [G,3] each) for eigenvalue λ [G,1], via cross products of rows of A − λI. */
function eigenvector(rows: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D], lambda: tf.Tensor): tf.Tensor2D {
  const eye = [tf.tensor2d([[1, 0, 0]]), tf.tensor2d([[0, 1, 0]]), tf.tensor2d([[0, 0, 1]])];
  const m = rows.map((r, i) => tf.sub(r, tf.mul(lambda, eye[i]!))) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const c01 = cross(m[0], m[1]);
  const c02 = cross(m[0], m[2]);
  const c12 = cross(m[1], m[2]);
  // All three are parallel to the eigenvector; align their signs (tf.sign has zero gradient) and add, so the
  // result is well conditioned whichever pair of rows is degenerate.
  const v = tf.add(tf.add(c01, tf.mul(tf.sign(dot(c01, c02)), c02)), tf.mul(tf.sign(dot(tf.add(c01, c02), c12)), c12)) as tf.Tensor2D;
  return normalize(v);
}

/**
 * Principal axes per graph: [G, 3, 3] with rows u1, u2, u1×u2 (λ1 ≥ λ2 ≥ λ3), and the centroids [G, 3].
 * @param positions [nAtoms, 3] Å
 */
export function principalAxes(ctx: GraphContext, positions: tf.Tensor2D): { axes: tf.Tensor3D; centroids: tf.Tensor2D } {
  return tf.tidy(() => {
    const g = ctx.nGraphs;
    const counts = tf.unsortedSegmentSum(tf.ones([ctx.nAtoms, 1]), ctx.batch, g); // [G, 1]
    const centroids = tf.div(tf.unsortedSegmentSum(positions, ctx.batch, g), counts) as tf.Tensor2D; // [G, 3]
    const centred = tf.sub(positions, tf.gather(centroids, ctx.batch)); // [N, 3]
    const outer = tf.reshape(tf.mul(tf.expandDims(centred, 2), tf.expandDims(centred, 1)), [ctx.nAtoms, 9]);
    const cov = tf.div(tf.unsortedSegmentSum(outer, ctx.batch, g), counts); // [G, 9] Å²
    const a = tf.split(cov, 9, 1) as tf.Tensor2D[]; // a[3i+j] : [G, 1]
    const [a00, a01, a02, a11, a12, a22] = [a[0]!, a[1]!, a[2]!, a[4]!, a[5]!, a[8]!];
    const q = tf.div(tf.add(tf.add(a00, a11), a22), 3);
    const p1 = tf.add(tf.add(tf.square(a01), tf.square(a02)), tf.square(a12));
    const p2 = tf.add(tf.add(tf.add(tf.square(tf.sub(a00, q)), tf.square(tf.sub(a11, q))), tf.square(tf.sub(a22, q))), tf.mul(2, p1));
    const p = tf.sqrt(tf.add(tf.div(p2, 6), 1e-12));
    const b = (x: tf.Tensor, diagonal: boolean) => tf.div(diagonal ? tf.sub(x, q) : x, p);
    const [b00, b01, b02, b11, b12, b22] = [b(a00, true), b(a01, false), b(a02, false), b(a11, true), b(a12, false), b(a22, true)];
    const detB = tf.add(
      tf.sub(tf.mul(b00, tf.sub(tf.mul(b11, b22), tf.square(b12))), tf.mul(b01, tf.sub(tf.mul(b01, b22), tf.mul(b12, b02)))),
      tf.mul(b02, tf.sub(tf.mul(b01, b12), tf.mul(b11, b02))),
    );
    const r = tf.clipByValue(tf.div(detB, 2), -1 + 1e-6, 1 - 1e-6);
    const phi = tf.div(tf.acos(r), 3);
    const lambda1 = tf.add(q, tf.mul(tf.mul(2, p), tf.cos(phi)));
    const lambda3 = tf.add(q, tf.mul(tf.mul(2, p), tf.cos(tf.add(phi, (2 * Math.PI) / 3))));
    const lambda2 = tf.sub(tf.sub(tf.mul(3, q), lambda1), lambda3);
    const rows: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] = [
      tf.concat([a00, a01, a02], 1) as tf.Tensor2D,
      tf.concat([a01, a11, a12], 1) as tf.Tensor2D,
      tf.concat([a02, a12, a22], 1) as tf.Tensor2D,
    ];
    const u1 = eigenvector(rows, lambda1);
    let u2 = eigenvector(rows, lambda2);
    u2 = normalize(tf.sub(u2, tf.mul(dot(u1, u2), u1)) as tf.Tensor2D); // re-orthogonalise
    const u3 = cross(u1, u2);
    return { axes: tf.stack([u1, u2, u3], 1) as tf.Tensor3D, centroids };
  });
}

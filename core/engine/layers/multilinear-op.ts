/**
 * Derivatives of every order of a fused multilinear kernel. A kernel computing out = F(x, y, w), linear in each of
 * x, y, w, defines with a cotangent g the 4-linear form T(x, y, w, g) = Σ g·F(x, y, w); each partial derivative of
 * T w.r.t. one operand is a function of the other three, and ∂/∂s of (∂T/∂r with cotangent a) is ∂T/∂s with
 * operand r replaced by a. So a kernel that computes "∂T/∂(operand role) from the other three" for role 0..3
 * (role 3, ∂T/∂g, is F itself) serves the forward, the gradients (forces) and the gradients of gradients (force
 * training) alike: `multilinearPartial` is one tf.customGrad per role whose gradient calls it again.
 *
 * Used by the fused CG message + scatter (fused-cg-scatter.ts) and the fused product-basis step
 * (fused-channel-product.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { FusedKernelRole } from '../backend/wasm-heap-kernel';

/** Which operand (x, y, w, g) a partial derivative is taken with respect to: the fused kernels' role. */
export type MultilinearRole = FusedKernelRole;

/** The four operands x, y, w, g; the one being differentiated (the role's own) is undefined. */
export type MultilinearOperands = readonly [tf.Tensor | undefined, tf.Tensor | undefined, tf.Tensor | undefined, tf.Tensor | undefined];

/** Runs the kernel for `role` on the other three operands, in x, y, w, g order. */
export type MultilinearKernel = (role: MultilinearRole, inputs: readonly tf.Tensor[]) => tf.Tensor;

const ROLES: readonly MultilinearRole[] = [0, 1, 2, 3];

/** ∂T/∂(operand `role`) from the other three operands, differentiable to any order through `kernel`. */
export function multilinearPartial(role: MultilinearRole, operands: MultilinearOperands, kernel: MultilinearKernel): tf.Tensor {
  const others = ROLES.filter((r) => r !== role);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, 3) as tf.Tensor[];
    (args[3] as tf.GradSaveFunc)(inputs);
    const value = kernel(role, inputs);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] =>
      others.map((s) => {
        const next: (tf.Tensor | undefined)[] = [undefined, undefined, undefined, undefined];
        others.forEach((r, k) => (next[r] = saved[k]));
        next[s] = undefined;
        next[role] = dy as tf.Tensor;
        return multilinearPartial(s, next as unknown as MultilinearOperands, kernel);
      });
    return { value, gradFunc };
  });
  return op(...others.map((r) => operands[r]!));
}

/**
 * Derivatives of every order of a fused multilinear kernel. A kernel computing out = F(x, y, w), linear in each of
 * x, y, w, defines with a cotangent g the 4-linear form T(x, y, w, g) = Σ g·F(x, y, w); each partial derivative of
 * T w.r.t. one operand is a function of the other three, and ∂/∂s of (∂T/∂r with cotangent a) is ∂T/∂s with
 * operand r replaced by a. So a kernel that computes "∂T/∂(operand role) from the others" for every role (the last
 * role, ∂T/∂g, is F itself) serves the forward, the gradients (forces) and the gradients of gradients (force
 * training) alike: `multilinearPartial` is one tf.customGrad per role whose gradient calls it again. The same holds
 * for any number of operands: a linear map F(x, W) gives the trilinear T(x, W, g).
 *
 * Used by the fused CG message + scatter (fused-cg-scatter.ts), the fused product-basis step
 * (fused-channel-product.ts), both with four operands, and the fused equivariant linear map (fused-linear.ts), three.
 */
import * as tf from '@tensorflow/tfjs';
import type { FusedKernelRole } from '../backend/wasm-heap-kernel';

/** Which operand a partial derivative is taken with respect to (x, y, w, g; or x, W, g): the fused kernels' role. */
export type MultilinearRole = FusedKernelRole;

/** The operands, the cotangent g last; the one being differentiated (the role's own) is undefined. */
export type MultilinearOperands = readonly (tf.Tensor | undefined)[];

const NONE: ReadonlySet<MultilinearRole> = new Set();

/** Runs the kernel for `role` on the other operands, in operand order. */
export type MultilinearKernel = (role: MultilinearRole, inputs: readonly tf.Tensor[]) => tf.Tensor;

/**
 * ∂T/∂(operand `role`) from the other operands, differentiable to any order through `kernel`. Operands listed in
 * `constants` (a fixed input such as a column of ones) get a zero gradient without a kernel call.
 */
export function multilinearPartial(role: MultilinearRole, operands: MultilinearOperands, kernel: MultilinearKernel, constants: ReadonlySet<MultilinearRole> = NONE): tf.Tensor {
  const count = operands.length;
  const others = operands.map((_, r) => r).filter((r) => r !== role);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, count - 1) as tf.Tensor[];
    (args[count - 1] as tf.GradSaveFunc)(inputs);
    const value = kernel(role, inputs);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] =>
      others.map((s, k) => {
        if (constants.has(s)) return tf.zerosLike(saved[k]!);
        const next: (tf.Tensor | undefined)[] = new Array<tf.Tensor | undefined>(count).fill(undefined);
        others.forEach((r, q) => (next[r] = saved[q]));
        next[s] = undefined;
        next[role] = dy as tf.Tensor;
        return multilinearPartial(s, next, kernel, constants);
      });
    return { value, gradFunc };
  });
  return op(...others.map((r) => operands[r]!));
}

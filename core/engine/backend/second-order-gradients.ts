/**
 * Correct higher-order gradients for tfjs (tfjs issue #3252).
 *
 * Stock tfjs gradients of Sigmoid, Exp, Tanh, Pow, Elu, Softmax and LogSoftmax reuse the op's saved OUTPUT.
 * Inside a second differentiation (force training: d/dθ of dE/dr) that saved output is not connected to the
 * op's input on the outer tape, so the derivative of the gradient w.r.t. the input is silently dropped:
 * grad(grad(x·sigmoid(x))) comes out 0.470 instead of 0.441 at x = 0.5. These replacements recompute the
 * derivative from the saved INPUT with differentiable ops, so every order is exact.
 *
 * The same install also replaces the UnsortedSegmentSum gradient, for speed only: stock tfjs masks negative segment
 * ids with logicalAnd(mask, ones(shape, 'bool')) + where, and the broadcast LogicalAnd alone took ~110 of the ~280 ms
 * of a MACE training step on tfjs-wasm. The replacement keeps TensorFlow's semantics (rows with a negative id get a
 * zero gradient) with one broadcast multiply by a float mask.
 *
 * `installSecondOrderGradients()` is idempotent and global (gradients are backend-independent);
 * `restoreStockGradients()` puts the stock ones back (tests and benchmarks use it to show the difference).
 */
import * as tf from '@tensorflow/tfjs';

type GradConfig = tf.GradConfig;

/** Gradients recomputed from inputs; every op used here is itself differentiable. */
const fixedGradients: readonly GradConfig[] = [
  {
    kernelName: 'Sigmoid',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as tf.Tensor[];
      return { x: () => { const s = tf.sigmoid(x!); return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(1, s))); } };
    },
  },
  {
    kernelName: 'Exp',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as tf.Tensor[];
      return { x: () => tf.mul(dy as tf.Tensor, tf.exp(x!)) };
    },
  },
  {
    kernelName: 'Tanh',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as tf.Tensor[];
      return { x: () => tf.mul(dy as tf.Tensor, tf.sub(1, tf.square(tf.tanh(x!)))) };
    },
  },
  {
    kernelName: 'Elu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as tf.Tensor[];
      // d elu/dx = 1 (x > 0), exp(x) otherwise. Masks use Step (zero gradient, unlike Greater which has none).
      return {
        x: () => {
          const positive = tf.step(x!);
          return tf.mul(dy as tf.Tensor, tf.add(positive, tf.mul(tf.sub(1, positive), tf.exp(tf.minimum(x!, 0)))));
        },
      };
    },
  },
  {
    kernelName: 'Pow',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [base, exponent] = saved as tf.Tensor[];
      const outShape = tf.broadcast_util.assertAndGetBroadcastShape(base!.shape, exponent!.shape);
      const reduceTo = (value: tf.Tensor, shape: number[]) => {
        const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
        return tf.reshape(axes.length > 0 ? tf.sum(value, axes) : value, shape);
      };
      return {
        a: () => {
          const e = tf.cast(exponent!, 'float32');
          return reduceTo(tf.mul(dy as tf.Tensor, tf.mul(e, tf.pow(base!, tf.sub(e, 1)))), base!.shape);
        },
        b: () => {
          const positive = tf.step(base!); // 1 where base > 0
          const safeBase = tf.add(tf.mul(base!, positive), tf.sub(1, positive));
          const logBase = tf.mul(tf.log(safeBase), positive);
          return reduceTo(tf.mul(dy as tf.Tensor, tf.mul(tf.pow(base!, exponent!), logBase)), exponent!.shape);
        },
      };
    },
  },
  {
    kernelName: 'Softmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => {
      const [logits] = saved as tf.Tensor[];
      const { dim } = attrs as unknown as { dim: number };
      return {
        logits: () => {
          const y = tf.softmax(logits!, dim);
          const dyTimesY = tf.mul(dy as tf.Tensor, y);
          return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
        },
      };
    },
  },
  {
    kernelName: 'LogSoftmax',
    inputsToSave: ['logits'],
    gradFunc: (dy, saved, attrs) => {
      const [logits] = saved as tf.Tensor[];
      const { axis } = attrs as unknown as { axis: number };
      return {
        logits: () => {
          const softmax = tf.softmax(logits!, axis);
          return tf.sub(dy as tf.Tensor, tf.mul(tf.sum(dy as tf.Tensor, axis, true), softmax));
        },
      };
    },
  },
  {
    kernelName: 'UnsortedSegmentSum',
    inputsToSave: ['segmentIds'],
    gradFunc: (dy, saved) => {
      const [segmentIds] = saved as tf.Tensor[];
      return {
        x: () => {
          const ids = segmentIds!; // [nRows] int32
          const gathered = tf.gather(dy as tf.Tensor, tf.maximum(ids, tf.scalar(0, 'int32'))); // [nRows, ...]
          let keep = tf.cast(tf.greaterEqual(ids, tf.scalar(0, 'int32')), gathered.dtype); // [nRows]
          keep = tf.reshape(keep, [ids.shape[0]!, ...gathered.shape.slice(1).map(() => 1)]); // [nRows, 1, ...]
          return tf.mul(gathered, keep);
        },
      };
    },
  },
];

let stockGradients: Map<string, GradConfig> | undefined;

/** Replaces the output-reusing gradients by input-recomputing ones (idempotent). */
export function installSecondOrderGradients(): void {
  if (stockGradients) return;
  stockGradients = new Map();
  for (const config of fixedGradients) {
    const stock = tf.getGradient(config.kernelName);
    if (stock) stockGradients.set(config.kernelName, stock);
    tf.registerGradient(config);
  }
}

/** Puts the stock tfjs gradients back (only to demonstrate or benchmark the stock behaviour). */
export function restoreStockGradients(): void {
  if (!stockGradients) return;
  for (const [, stock] of stockGradients) tf.registerGradient(stock);
  stockGradients = undefined;
}

export function secondOrderGradientsInstalled(): boolean {
  return stockGradients !== undefined;
}

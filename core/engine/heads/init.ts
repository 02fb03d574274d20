/**
 * Seeded parameter initialisation (identical on every backend: values are generated on the host).
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../util/seeded-random';

let instanceCounter = 0;

/**
 * Creates trainable variables from shapes: rank-2 weights Glorot-uniform (times `gain` when the name matches
 * a key of `gains`), rank-1 biases zero. Names become the variables' names (made unique per model instance).
 */
export function initialiseParams(
  shapes: Readonly<Record<string, readonly number[]>>,
  seed: number,
  gains: Readonly<Record<string, number>> = {},
): Record<string, tf.Variable> {
  const random = seededRandom(seed);
  const instance = ++instanceCounter;
  const params: Record<string, tf.Variable> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (shape.length >= 2) {
      const limit = Math.sqrt(6 / (shape[0]! + shape[shape.length - 1]!)) * (gains[name] ?? 1);
      for (let k = 0; k < size; k++) values[k] = (2 * random() - 1) * limit;
    }
    params[name] = tf.tidy(() => tf.variable(tf.tensor(values, [...shape]), true, `${name}#${instance}`));
  }
  return params;
}

/**
 * Parameter declarations shared by all equivariant layers. A layer is a pure function of a flat parameter
 * record (see core/engine/model.ts `ModelParams`): it declares `ParamSpec`s under a '/'-separated name prefix,
 * `initParams` creates seeded tf.Variables for them, and `apply(params, ...)` reads them back by name.
 * The biased dense layers of EGNN and EDM's denoiser (./dense.ts) declare plain shapes and use `initGlorotParams`.
 */
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../../util/seeded-random';

export type ParamInit =
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'uniform'; readonly limit: number }
  | { readonly kind: 'constant'; readonly value: number };

export interface ParamSpec {
  /** Stable '/'-separated name, e.g. 'interaction0/tp/radialMlp/w0'. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParamInit;
}

export type ParamRecord = Readonly<Record<string, tf.Tensor>>;

/** tfjs variable names are global: a counter keeps them unique across models. */
let variableCounter = 0;

/** Creates trainable variables for `specs`, reproducible from `seed` (each spec gets its own derived seed). */
export function initParams(specs: readonly ParamSpec[], seed: number): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  specs.forEach((spec, i) => {
    if (out[spec.name]) throw new Error(`initParams: duplicate parameter name "${spec.name}"`);
    const s = (seed * 1000003 + i * 7919) % 2147483647;
    const value = tf.tidy(() => {
      const shape = [...spec.shape];
      switch (spec.init.kind) {
        case 'normal':
          return tf.mul(tf.randomNormal(shape, 0, 1, 'float32', s), spec.init.std);
        case 'uniform':
          return tf.randomUniform(shape, -spec.init.limit, spec.init.limit, 'float32', s);
        default:
          return tf.fill(shape, spec.init.value);
      }
    });
    variableCounter += 1;
    out[spec.name] = tf.variable(value, true, `${spec.name}#${variableCounter}`);
    value.dispose();
  });
  return out;
}

/**
 * Creates trainable variables from plain shapes, seeded on the host (identical values on every backend): rank ≥ 2
 * weights Glorot-uniform, limit √(6 / (fan_in + fan_out)) times `gains[name]` (default 1); rank-1 biases zero.
 */
export function initGlorotParams(
  shapes: Readonly<Record<string, readonly number[]>>,
  seed: number,
  gains: Readonly<Record<string, number>> = {},
): Record<string, tf.Variable> {
  const random = seededRandom(seed);
  const out: Record<string, tf.Variable> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (shape.length >= 2) {
      const limit = Math.sqrt(6 / (shape[0]! + shape[shape.length - 1]!)) * (gains[name] ?? 1);
      for (let k = 0; k < size; k++) values[k] = (2 * random() - 1) * limit;
    }
    variableCounter += 1;
    out[name] = tf.tidy(() => tf.variable(tf.tensor(values, [...shape]), true, `${name}#${variableCounter}`));
  }
  return out;
}

/** Reads a parameter by name with a clear error when a model file or caller lacks it. */
export function param(params: ParamRecord, name: string): tf.Tensor {
  const t = params[name];
  if (!t) throw new Error(`missing parameter "${name}"`);
  return t;
}

/** Number of scalars in a parameter list. */
export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Copies stored values into a model's variables by name (model files, EMA swaps). Every variable must be
 * present with the same shape; extra stored tensors are an error too (a file for a different architecture).
 */
export function assignParams(
  variables: Readonly<Record<string, tf.Variable>>,
  stored: ReadonlyMap<string, { readonly shape: readonly number[]; readonly values: Float32Array }>,
): void {
  for (const name of stored.keys()) if (!variables[name]) throw new Error(`stored tensor "${name}" is not a parameter of this model`);
  for (const [name, variable] of Object.entries(variables)) {
    const t = stored.get(name);
    if (!t) throw new Error(`parameter "${name}" is missing from the stored tensors`);
    if (t.shape.join('x') !== variable.shape.join('x'))
      throw new Error(`parameter "${name}" has shape [${t.shape}] in the file but [${variable.shape}] in the model`);
    const value = tf.tensor(t.values, [...t.shape]);
    variable.assign(value);
    value.dispose();
  }
}

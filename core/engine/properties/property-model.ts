/**
 * A property model: a trunk (any family exposing node features, see trunks.ts) plus declared output heads, built
 * from the engine's one kit of layers (EquivariantLinear, ScalarMlp, ChargeDipoleHead in core/engine/layers):
 *
 *   features      h_i = trunk(ctx)                                         [nAtoms, hidden]  (e.g. 'Cx0e+Cx1o')
 *   graph scalar  s_i = MLP(Linear(h_i → Hx0e)) → (v_i, a_i)               per-atom value and attention score
 *                 y_g = μ + σ · Σ_{i∈g} softmax_g(a)_i v_i                 (eV; 'mean'/'sum' pooling also offered)
 *   charges       q_i = q̃_i − (Σ_{j∈g} q̃_j − Q_g)/n_g                     (e; exactly Σ q = Q_g)   ChargeDipoleHead
 *   dipole        μ_g = [Σ_i q_i (r_i − c_g) + Σ_i Linear(h_i → 1x1o)] · 4.8032   (Debye; PaiNN eq. 13)
 *   energy        E_g = trunk readout (E0 + scale · e_i), forces through energyAndForces(trunk)
 *
 * Attention pooling (Vinyals et al. 2016 set pooling, one head) is the default for HOMO, LUMO and gap: these are
 * intensive and set by the frontier orbital, which sits on a part of the molecule; a sum would grow with size and
 * a mean dilutes the responsible atoms among the hydrogens. μ, σ are the training set's mean and std of the target.
 *
 * Parameters are one flat record (trunk names + `head/<output>/…`, `chargeDipole/…`), so the same code evaluates
 * trainable variables, an EMA copy or weights from a file.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphContext } from '../graph/graph-context';
import { energyAndForces, type ModelParams } from '../model';
import { ChargeDipoleHead, DEBYE_PER_E_ANGSTROM } from '../layers/heads';
import { EquivariantLinear, ScalarMlp } from '../layers/linear';
import { initParams, type ParamRecord, type ParamSpec } from '../layers/params';
import { validateOutputs, type OutputDeclaration, type TargetStatistics } from './outputs';
import { createTrunk, type Trunk } from './trunks';

export interface PropertyModelConfig {
  /** Trunk family: mace, tdn, escn, egnn. */
  readonly trunk: string;
  /** The trunk's own config (species, cutoff, channels ...); factory defaults fill gaps. */
  readonly trunkConfig: Readonly<Record<string, unknown>> & { readonly species: readonly number[] };
  readonly outputs: readonly OutputDeclaration[];
  /** Hidden width H of the scalar heads. */
  readonly headHidden: number;
  /** Seed of the head weights (the trunk uses trunkConfig.seed). */
  readonly seed: number;
}

/** Output tensors of one forward pass, physical units; present for the declared outputs only. */
export interface PropertyOutputs {
  /** Graph scalars by name, [nGraphs] each. */
  readonly scalars: Readonly<Record<string, tf.Tensor1D>>;
  /** [nAtoms] e. */
  readonly charges?: tf.Tensor1D;
  /** [nGraphs, 3] Debye. */
  readonly dipole?: tf.Tensor2D;
  /** [nGraphs] eV. */
  readonly energy?: tf.Tensor1D;
  /** [nAtoms, 3] eV/Å (when requested and an energy is declared). */
  readonly forces?: tf.Tensor2D;
}

interface ScalarHead {
  readonly output: OutputDeclaration;
  readonly linear: EquivariantLinear;
  readonly mlp: ScalarMlp;
}

export class PropertyModel {
  readonly config: PropertyModelConfig;
  readonly trunk: Trunk;
  readonly outputs: readonly OutputDeclaration[];
  readonly species: readonly number[];
  readonly cutoff: number;
  /** Target mean/std by output name (fitted on training data by the trainer, stored in the file). */
  targets: Record<string, TargetStatistics>;
  readonly params: Readonly<Record<string, tf.Variable>>;
  private readonly scalarHeads: ScalarHead[];
  private readonly chargeDipole: ChargeDipoleHead | undefined;

  constructor(config: PropertyModelConfig) {
    validateOutputs(config.outputs);
    this.config = config;
    this.outputs = config.outputs;
    this.trunk = createTrunk(config.trunk, { ...config.trunkConfig });
    this.species = this.trunk.model.species;
    this.cutoff = this.trunk.model.cutoff;
    const h = config.headHidden;
    this.scalarHeads = config.outputs.filter((o) => o.kind === 'graph-scalar').map((output) => ({
      output,
      linear: new EquivariantLinear(`head/${output.name}/linear`, this.trunk.featureIrreps, `${h}x0e`),
      // Attention pooling needs a second per-atom number (the score).
      mlp: new ScalarMlp(`head/${output.name}/mlp`, [h, h, (output.pooling ?? 'attention') === 'attention' ? 2 : 1]),
    }));
    const wantsCharges = config.outputs.some((o) => o.kind === 'atom-scalar' || o.kind === 'graph-vector');
    this.chargeDipole = wantsCharges ? new ChargeDipoleHead('chargeDipole', this.trunk.featureIrreps) : undefined;
    const hasEnergy = config.outputs.some((o) => o.kind === 'energy');
    const trunkParams: Record<string, tf.Variable> = { ...this.trunk.model.params };
    if (!hasEnergy) {
      for (const name of this.trunk.readoutNames) {
        trunkParams[name]!.dispose();
        delete trunkParams[name];
      }
    }
    this.params = { ...trunkParams, ...initParams(this.headSpecs(), config.seed) };
    this.targets = Object.fromEntries(config.outputs.map((o) => [o.name, { mean: 0, std: 1 }]));
  }

  /**
   * Head parameters. The last layer of each scalar MLP starts at zero, so a fresh head predicts the training mean
   * with uniform attention (mean pooling) instead of noise of one target std; it trains out of that point at once.
   */
  headSpecs(): ParamSpec[] {
    const zeroLast = (specs: ParamSpec[]): ParamSpec[] => specs.map((p, i) => (i === specs.length - 1 ? { ...p, init: { kind: 'constant', value: 0 } } : p));
    return [...this.scalarHeads.flatMap((hd) => [...hd.linear.paramSpecs(), ...zeroLast(hd.mlp.paramSpecs())]), ...(this.chargeDipole?.paramSpecs() ?? [])];
  }

  output(name: string): OutputDeclaration | undefined {
    return this.outputs.find((o) => o.name === name);
  }

  /**
   * One forward pass. `totalCharges` [nGraphs] (e) defaults to neutral. With `forces`, an energy output is
   * differentiated through energyAndForces. Tensors are new: dispose them (or call inside tf.tidy).
   */
  apply(ctx: GraphContext, options: { params?: ModelParams; totalCharges?: readonly number[]; forces?: boolean } = {}): PropertyOutputs {
    const params = (options.params ?? this.params) as ParamRecord;
    const energyOutput = this.outputs.find((o) => o.kind === 'energy');
    const kept = tf.tidy(() => {
      const features = this.trunk.features(ctx, params); // [nAtoms, hidden]
      const scalars: Record<string, tf.Tensor1D> = {};
      for (const head of this.scalarHeads) scalars[head.output.name] = this.graphScalar(ctx, params, head, features);
      const out: Record<string, tf.Tensor> = { ...Object.fromEntries(Object.entries(scalars).map(([k, v]) => [`scalar:${k}`, v])) };
      if (this.chargeDipole) {
        const totals = tf.tensor1d(options.totalCharges ? [...options.totalCharges] : new Array<number>(ctx.nGraphs).fill(0));
        const { charges, dipoles } = this.chargeDipole.apply(params, ctx, features, totals); // [nAtoms] e, [nGraphs, 3] e·Å
        out['charges'] = charges;
        out['dipole'] = tf.mul(dipoles, DEBYE_PER_E_ANGSTROM); // [nGraphs, 3] D
      }
      if (energyOutput && options.forces) {
        const { energy, forces } = energyAndForces(this.trunk.model, ctx, { params });
        out['energy'] = energy; // [nGraphs] eV
        out['forces'] = forces; // [nAtoms, 3] eV/Å
      } else if (energyOutput) {
        out['energy'] = this.trunk.model.energy(ctx, params);
      }
      return out;
    });
    const scalars: Record<string, tf.Tensor1D> = {};
    for (const [k, v] of Object.entries(kept)) if (k.startsWith('scalar:')) scalars[k.slice(7)] = v as tf.Tensor1D;
    return {
      scalars,
      ...(kept['charges'] ? { charges: kept['charges'] as tf.Tensor1D } : {}),
      ...(kept['dipole'] ? { dipole: kept['dipole'] as tf.Tensor2D } : {}),
      ...(kept['energy'] ? { energy: kept['energy'] as tf.Tensor1D } : {}),
      ...(kept['forces'] ? { forces: kept['forces'] as tf.Tensor2D } : {}),
    };
  }

  /** y_g = μ + σ · pool_g(v), [nGraphs] in the output's unit. */
  private graphScalar(ctx: GraphContext, params: ParamRecord, head: ScalarHead, features: tf.Tensor2D): tf.Tensor1D {
    const { mean, std } = this.targets[head.output.name] ?? { mean: 0, std: 1 };
    const perAtom = head.mlp.apply(params, head.linear.apply(params, features)); // [nAtoms, 1 or 2]
    const pooling = head.output.pooling ?? 'attention';
    let pooled: tf.Tensor1D;
    const value = tf.reshape(tf.slice(perAtom, [0, 0], [ctx.nAtoms, 1]), [ctx.nAtoms]) as tf.Tensor1D; // [nAtoms]
    if (pooling === 'attention') {
      // Scores bounded to ±10 so exp() cannot overflow; softmax over the atoms of each graph.
      const score = tf.mul(tf.tanh(tf.div(tf.reshape(tf.slice(perAtom, [0, 1], [ctx.nAtoms, 1]), [ctx.nAtoms]), 10)), 10); // [nAtoms]
      const weight = tf.exp(score);
      const norm = tf.unsortedSegmentSum(weight, ctx.batch, ctx.nGraphs); // [nGraphs]
      pooled = tf.div(tf.unsortedSegmentSum(tf.mul(weight, value), ctx.batch, ctx.nGraphs), tf.maximum(norm, 1e-30)) as tf.Tensor1D;
    } else {
      pooled = tf.unsortedSegmentSum(value, ctx.batch, ctx.nGraphs) as tf.Tensor1D;
      if (pooling === 'mean') pooled = tf.div(pooled, tf.maximum(tf.unsortedSegmentSum(tf.onesLike(value), ctx.batch, ctx.nGraphs), 1)) as tf.Tensor1D;
    }
    return tf.add(tf.mul(pooled, std), mean) as tf.Tensor1D;
  }

  parameterCount(): number {
    return Object.values(this.params).reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
  }
}

/** Default head width. */
export const DEFAULT_HEAD_HIDDEN = 32;

export function createPropertyModel(config: Omit<PropertyModelConfig, 'headHidden' | 'seed'> & Partial<Pick<PropertyModelConfig, 'headHidden' | 'seed'>>): PropertyModel {
  return new PropertyModel({ headHidden: DEFAULT_HEAD_HIDDEN, seed: 1, ...config });
}

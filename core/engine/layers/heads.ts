/**
 * Readout heads on a model's node features, each stating its irreps in and out.
 *
 * Energy (per-element reference energies E0 and a scale/shift normalisation, as in NequIP and MACE):
 *   E_g = Σ_{i∈g} (E0[s_i] + shift + scale · e_i)          e_i: the model's per-atom output, '1x0e' per atom → '1x0e' per graph (eV)
 *
 * Charges and dipole (PhysNet: Unke & Meuwly 2019, eqs. 13–14; PaiNN: Schütt et al. 2021, eq. 13 for the dipole
 * with atomic dipoles):
 *   charges   q_i = q̃_i − (Σ_{j∈g} q̃_j − Q_g)/n_g         q̃ = Linear(h → 1x0e), total charge Q_g conserved (e)
 *   dipole    μ_g = Σ_{i∈g} q_i (r_i − c_g) + Σ_{i∈g} Linear(h → 1x1o)_i     (e·Å; × 4.80320 for Debye)
 *
 * Charges are invariant per atom; the dipole is a '1o' vector per graph. With Σ q_i = Q_g and the centroid c_g
 * subtracted, μ is translation invariant for neutral and charged graphs alike.
 */
import * as tf from '@tensorflow/tfjs';
import { Irreps } from '../../o3/irreps';
import type { GraphContext } from '../graph/graph-context';
import type { EnergyNormalisation } from '../model';
import { sumPerGraph } from '../model';
import { EquivariantLinear } from './linear';
import type { ParamRecord, ParamSpec } from './params';

/** Per-atom energies (eV) [nAtoms] from the network's per-atom output e_i [nAtoms] ('1x0e'): E0[s_i] + shift + scale · e_i. */
export function atomicEnergies(ctx: GraphContext, networkOutput: tf.Tensor1D, normalisation: EnergyNormalisation): tf.Tensor1D {
  const e0 = tf.gather(tf.tensor1d([...normalisation.referenceEnergies]), ctx.species); // [nAtoms] eV
  return tf.add(tf.add(e0, normalisation.shift), tf.mul(networkOutput, normalisation.scale)) as tf.Tensor1D;
}

/** Total energy per graph (eV) [nGraphs] ('1x0e' per graph) from the per-atom output e_i [nAtoms]. */
export function graphEnergy(ctx: GraphContext, networkOutput: tf.Tensor1D, normalisation: EnergyNormalisation): tf.Tensor1D {
  return sumPerGraph(ctx, atomicEnergies(ctx, networkOutput, normalisation)) as tf.Tensor1D;
}

/** e·Å -> Debye. */
export const DEBYE_PER_E_ANGSTROM = 4.80320471;

export class ChargeDipoleHead {
  readonly irrepsIn: Irreps;
  readonly irrepsOut = Irreps.parse('1x0e+1x1o');
  private readonly charge: EquivariantLinear;
  private readonly atomicDipole: EquivariantLinear | undefined;

  constructor(readonly name: string, irrepsIn: Irreps | string) {
    this.irrepsIn = Irreps.of(irrepsIn);
    this.charge = new EquivariantLinear(`${name}/charge`, this.irrepsIn, '1x0e');
    this.atomicDipole = this.irrepsIn.count(Irreps.parse('1x1o').items[0]!.ir) > 0 ? new EquivariantLinear(`${name}/atomicDipole`, this.irrepsIn, '1x1o') : undefined;
  }

  paramSpecs(): ParamSpec[] {
    return [...this.charge.paramSpecs(), ...(this.atomicDipole?.paramSpecs() ?? [])];
  }

  /**
   * @param features [nAtoms, irrepsIn.dim]
   * @param totalCharges [nGraphs] total charge per graph (e); zeros when omitted
   * @returns charges [nAtoms] (e) and dipoles [nGraphs, 3] (e·Å)
   */
  apply(params: ParamRecord, ctx: GraphContext, features: tf.Tensor2D, totalCharges?: tf.Tensor1D): { charges: tf.Tensor1D; dipoles: tf.Tensor2D } {
    return tf.tidy(() => {
      const raw = this.charge.apply(params, features); // [nAtoms, 1]
      const counts = tf.unsortedSegmentSum(tf.ones([ctx.nAtoms, 1]), ctx.batch, ctx.nGraphs); // [nGraphs, 1]
      const excess = tf.sub(tf.unsortedSegmentSum(raw, ctx.batch, ctx.nGraphs), totalCharges ? tf.reshape(totalCharges, [ctx.nGraphs, 1]) : 0);
      const charges = tf.sub(raw, tf.gather(tf.div(excess, counts), ctx.batch)); // [nAtoms, 1] e
      const centroids = tf.div(tf.unsortedSegmentSum(ctx.positions, ctx.batch, ctx.nGraphs), counts); // [nGraphs, 3] Å
      const relative = tf.sub(ctx.positions, tf.gather(centroids, ctx.batch)); // [nAtoms, 3]
      let perAtom = tf.mul(charges, relative); // [nAtoms, 3] e·Å
      if (this.atomicDipole) perAtom = tf.add(perAtom, this.atomicDipole.apply(params, features));
      return {
        charges: tf.reshape(charges, [ctx.nAtoms]) as tf.Tensor1D,
        dipoles: tf.unsortedSegmentSum(perAtom, ctx.batch, ctx.nGraphs) as tf.Tensor2D,
      };
    });
  }
}

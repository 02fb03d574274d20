/**
 * Adam (Kingma & Ba, ICLR 2015, Algorithm 1) with optional global-norm gradient clipping and an exponential moving
 * average of the weights, on plain Float32Arrays: one loop over all parameters per step.
 *
 * Why not tensor ops: written per variable with tf ops, one step is ~15 kernel launches per variable (clip, two
 * moments, bias correction, update, EMA). A 2-layer MACE has 43 weight tensors, so that is ~650 tiny kernels and
 * 28 ms per step on tfjs-wasm, against ~150 ms for the whole energy+force gradient. The loop below does the same
 * arithmetic (in float64, stored as float32) in about a millisecond for 140k parameters.
 *
 * State is host memory, so it never shows in tf.memory(); the trainer copies `values` into its tf.Variables after
 * each step and builds EMA tensors only when it validates.
 */
export interface FlatAdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** Scale all gradients down to this global L2 norm when it is exceeded (0/undefined: no clipping). */
  readonly clipNorm?: number;
  /** EMA decay per step; 0 disables the average. Warm start: the decay used is min(decay, (1+t)/(10+t)). */
  readonly emaDecay?: number;
}

/** Everything a FlatAdam holds, for resuming a run exactly (arrays are copies). */
export interface FlatAdamState {
  readonly steps: number;
  /** Steps each tensor took (fewer than `steps` for a tensor that was frozen for a while). */
  readonly tensorSteps: readonly number[];
  readonly values: Float32Array[];
  readonly average: Float32Array[];
  readonly firstMoment: Float32Array[];
  readonly secondMoment: Float32Array[];
}

export class FlatAdam {
  /** Current weights, one array per parameter tensor (same order as given). */
  readonly values: Float32Array[];
  /** EMA of the weights (equal to `values` when the EMA is off). */
  readonly average: Float32Array[];
  private readonly firstMoment: Float32Array[];
  private readonly secondMoment: Float32Array[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly clipNorm: number;
  private readonly emaDecay: number;
  private stepCount = 0;
  /** Steps per tensor: bias correction counts a tensor's own steps, so a tensor unfrozen late starts like a new one. */
  private readonly tensorSteps: number[];

  constructor(initial: readonly Float32Array[], options: FlatAdamOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.clipNorm = options.clipNorm ?? 0;
    this.emaDecay = options.emaDecay ?? 0;
    if (!(this.beta1 >= 0 && this.beta1 < 1 && this.beta2 >= 0 && this.beta2 < 1)) throw new Error(`Adam betas must lie in [0, 1): got ${this.beta1}, ${this.beta2}`);
    if (!(this.emaDecay >= 0 && this.emaDecay < 1)) throw new Error(`EMA decay must lie in [0, 1): got ${this.emaDecay}`);
    this.values = initial.map((a) => Float32Array.from(a));
    this.firstMoment = initial.map((a) => new Float32Array(a.length));
    this.secondMoment = initial.map((a) => new Float32Array(a.length));
    this.average = this.emaDecay > 0 ? initial.map((a) => Float32Array.from(a)) : this.values;
    this.tensorSteps = initial.map(() => 0);
  }

  /** A copy of the whole state (weights, EMA, moments, step count). */
  exportState(): FlatAdamState {
    const copy = (arrays: readonly Float32Array[]) => arrays.map((a) => a.slice());
    return { steps: this.stepCount, tensorSteps: [...this.tensorSteps], values: copy(this.values), average: copy(this.average), firstMoment: copy(this.firstMoment), secondMoment: copy(this.secondMoment) };
  }

  /** Puts back a state from `exportState` of an optimiser over the same tensors (same order and sizes). */
  restoreState(state: FlatAdamState): void {
    const put = (into: Float32Array[], from: readonly Float32Array[], what: string) => {
      if (from.length !== into.length) throw new Error(`optimiser state: ${from.length} ${what} tensors, expected ${into.length}`);
      from.forEach((a, k) => {
        if (a.length !== into[k]!.length) throw new Error(`optimiser state: ${what} tensor ${k} has ${a.length} values, expected ${into[k]!.length}`);
        into[k]!.set(a);
      });
    };
    put(this.values, state.values, 'weight');
    if (this.average !== this.values) put(this.average, state.average, 'EMA');
    put(this.firstMoment, state.firstMoment, 'first-moment');
    put(this.secondMoment, state.secondMoment, 'second-moment');
    if (state.tensorSteps.length !== this.tensorSteps.length) throw new Error(`optimiser state: ${state.tensorSteps.length} step counts, expected ${this.tensorSteps.length}`);
    this.stepCount = state.steps;
    state.tensorSteps.forEach((t, k) => { this.tensorSteps[k] = t; });
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.stepCount;
  }

  /**
   * One Adam step with learning rate `learningRate`. `gradients[k]` matches `values[k]` in length; undefined means
   * the loss does not reach that tensor (zero gradient: its moments still decay, as with an explicit zero).
   * Returns the global gradient norm before clipping. `frozen[k]` true leaves tensor k out of the step entirely:
   * its weights, EMA and moments stay as they are (the optimiser runs over the trainable subset only).
   */
  step(gradients: ReadonlyArray<ArrayLike<number> | undefined>, learningRate: number, frozen?: readonly boolean[]): number {
    if (gradients.length !== this.values.length) throw new Error(`expected ${this.values.length} gradients, got ${gradients.length}`);
    let squaredNorm = 0;
    gradients.forEach((g, k) => {
      if (!g || frozen?.[k]) return;
      if (g.length !== this.values[k]!.length) throw new Error(`gradient ${k} has ${g.length} entries, the weights ${this.values[k]!.length}`);
      for (let i = 0; i < g.length; i++) squaredNorm += g[i]! * g[i]!;
    });
    const norm = Math.sqrt(squaredNorm);
    if (!Number.isFinite(norm)) return norm; // the caller refuses the step (diverged); state stays as it was
    const scale = this.clipNorm > 0 ? Math.min(1, this.clipNorm / (norm + 1e-12)) : 1;
    const t = ++this.stepCount;
    const { beta1, beta2, epsilon } = this;
    const decay = Math.min(this.emaDecay, (1 + t) / (10 + t));
    for (let k = 0; k < this.values.length; k++) {
      if (frozen?.[k]) continue;
      const tk = ++this.tensorSteps[k]!;
      const correction1 = 1 - beta1 ** tk;
      const correction2 = 1 - beta2 ** tk;
      const g = gradients[k];
      const w = this.values[k]!, m = this.firstMoment[k]!, v = this.secondMoment[k]!, a = this.average[k]!;
      for (let i = 0; i < w.length; i++) {
        const gi = g ? g[i]! * scale : 0;
        const mi = beta1 * m[i]! + (1 - beta1) * gi;
        const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i]! - learningRate * ((mi / correction1) / (Math.sqrt(vi / correction2) + epsilon));
        if (a !== w) a[i] = decay * a[i]! + (1 - decay) * w[i]!;
      }
    }
    return norm;
  }
}

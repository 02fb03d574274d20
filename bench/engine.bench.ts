/**
 * Engine benchmarks (tfjs-wasm in Node): one EGNN layer forward, forward+backward, energy+forces and the
 * force-loss gradient (second order), Equimol's wasm kernels vs stock tfjs-wasm kernels (stock wasm has no
 * UnsortedSegmentSum at all, so the stock run gets ours for that one op; its gather and transposed matMuls are
 * stock); and energy+forces throughput of every model family (EGNN, MACE, TDN, eSCN, FAENet) on 100 QM9 molecules,
 * graph building included, plus MACE at ~150k parameters (the size of the e3nn/PyTorch reference figure: 92
 * molecules/s on 2 threads). Both runs have the replacement UnsortedSegmentSum gradient (a gradient, not a kernel).
 * Input: the first 100 molecules of ../shared/datasets/qm9_ppqm/qm9_geometries_128744.extxyz.gz, cutoff 5 Å.
 * When the native addon is built (npm run build:native), also the native OpenBLAS matMul (1 and 2 threads) against
 * the equimol wasm kernels: matMul [19392,128]·[128,128] and its two backward forms, the one-EGNN-layer timings, and
 * (1 thread) every family's energy+forces throughput; and MACE energy+forces throughput at 100 and at 1 molecule per
 * batch with the fused channelwise CG message + scatter kernel (layers/fused-cg-scatter.ts) against the same model
 * unfused, native matMul in both (`fusedMessagePassingFigures`).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BenchFigure, BenchSuite } from './harness';
import { initBackend } from '../core/engine/backend/backend';
import { setNativeMatMul, setWasmGraphKernels } from '../core/engine/backend/wasm-graph-kernels';
import { hasCgScatter } from '../core/engine/backend/native-cg-scatter';
import { fusedMessagePassingActive, setFusedMessagePassing } from '../core/engine/layers/fused-cg-scatter';
import type { Structure } from '../core/structure/structure';
import type { NativeKernels } from '../core/engine/backend/native-kernels';
import { loadNativeKernels } from '../main/native/load-native-kernels';
import { buildGraphContext } from '../core/engine/geometry/batch';
import { disposeGraphContext, type GraphContext } from '../core/engine/graph/graph-context';
import { energyAndForces } from '../core/engine/model';
import { createEgnn, type EgnnModel } from '../core/engine/models/egnn/egnn';
import { createMaceModel } from '../core/engine/models/mace/mace-model';
import { createTdnModel } from '../core/engine/models/tdn/tdn-model';
import { createEscnModel } from '../core/engine/models/escn/escn-model';
import { createFaenetModel } from '../core/engine/models/faenet/faenet-model';
import type { EnergyModel } from '../core/engine/model';
import { readText } from '../core/formats/read-text';
import { extxyzFormat } from '../core/formats/xyz/index';

/** Median of `repeats` timed runs (ms) after one warm-up. */
export function medianMs(run: () => void, repeats: number): number {
  run(); // warm-up
  const times: number[] = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function layerTimings(model: EgnnModel, ctx: GraphContext, repeats: number): Record<string, number> {
  const variables = Object.values(model.params);
  const sync = (t: tf.Tensor) => t.dataSync();
  return {
    forward: medianMs(() => tf.tidy(() => { sync(model.energy(ctx)); }), repeats),
    'forward+backward': medianMs(() => tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(model.energy(ctx)) as tf.Scalar, variables);
      sync(Object.values(grads)[0]!);
    }), repeats),
    'energy+forces': medianMs(() => tf.tidy(() => { const r = energyAndForces(model, ctx); sync(r.forces); }), repeats),
    'force-loss gradient': medianMs(() => tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(energyAndForces(model, ctx).forces)) as tf.Scalar, variables);
      sync(Object.values(grads)[0]!);
    }), repeats),
  };
}

/** The native OpenBLAS matMul vs the equimol wasm kernels (XNNPACK), same shapes, same run; [] without the addon. */
async function loadNative(log: (line: string) => void): Promise<NativeKernels | undefined> {
  const native = await loadNativeKernels({}).catch((error: unknown) => {
    log(`native matMul figures skipped: the addon does not load (${String(error)})`);
    return undefined;
  });
  if (!native) log('native matMul figures skipped: main/native is not built (npm run build:native)');
  return native;
}

function nativeName(wasmName: string, native: NativeKernels, threads: number): string {
  return wasmName.replace(/\)$/, `, ${native.blas ?? 'native'} matMul ${threads} thread${threads === 1 ? '' : 's'})`);
}

function nativeMatMulFigures(native: NativeKernels, layer: EgnnModel, ctx: GraphContext, wasmLayer: Record<string, number>, wasmName: string, repeats: number): BenchFigure[] {
  const figures: BenchFigure[] = [];
  const rows = 19392; // the edge count of the measurement (EGNN edge MLP, 128 features)
  const products: Array<{ label: string; a: [number, number]; b: [number, number]; transA: boolean; transB: boolean }> = [
    { label: 'matMul [19392,128]·[128,128] (edge MLP forward)', a: [rows, 128], b: [128, 128], transA: false, transB: false },
    { label: 'matMul [19392,128]·[128,128]ᵀ (its input gradient)', a: [rows, 128], b: [128, 128], transA: false, transB: true },
    { label: 'matMul [19392,128]ᵀ·[19392,128] (its weight gradient)', a: [rows, 128], b: [rows, 128], transA: true, transB: false },
  ];
  const wasmMs: number[] = [];
  for (const product of products) {
    const a = tf.randomNormal(product.a, 0, 1, 'float32', 1);
    const b = tf.randomNormal(product.b, 0, 1, 'float32', 2);
    const run = () => tf.tidy(() => { tf.matMul(a, b, product.transA, product.transB).dataSync(); });
    setNativeMatMul(undefined);
    wasmMs.push(medianMs(run, repeats));
    for (const threads of [1, 2]) {
      native.setThreads(threads);
      setNativeMatMul(native);
      figures.push({
        name: product.label, value: medianMs(run, repeats), unit: 'ms', better: 'lower', backend: nativeName(wasmName, native, threads),
        baseline: { name: wasmName, value: wasmMs[wasmMs.length - 1]! },
      });
    }
    tf.dispose([a, b]);
  }
  for (const threads of [1, 2]) {
    native.setThreads(threads);
    setNativeMatMul(native);
    const timings = layerTimings(layer, ctx, repeats);
    for (const key of Object.keys(timings)) {
      figures.push({
        name: `one EGNN layer ${key} (128 features, ${ctx.nEdges} edges)`,
        value: timings[key]!, unit: 'ms', better: 'lower', backend: nativeName(wasmName, native, threads),
        baseline: { name: wasmName, value: wasmLayer[key]! },
      });
    }
  }
  setNativeMatMul(undefined);
  native.setThreads(1);
  return figures;
}

/** Energy+forces over all `molecules`, `perBatch` per forward pass (graph building included): median ms. */
function energyAndForcesMs(model: EnergyModel, molecules: readonly Structure[], species: readonly number[], perBatch: number, repeats: number): number {
  return medianMs(() => {
    for (let start = 0; start < molecules.length; start += perBatch) {
      const c = buildGraphContext(molecules.slice(start, start + perBatch), { cutoff: 5, species });
      const r = energyAndForces(model, c);
      r.forces.dataSync();
      tf.dispose([r.energy, r.forces]);
      disposeGraphContext(c);
    }
  }, repeats);
}

/**
 * MACE energy+forces throughput with the fused CG message + scatter kernel on vs off (the in-run baseline), native
 * matMul (1 thread) in both, at 100 and at 1 molecule per batch; [] when the addon has no cgScatter.
 */
export function fusedMessagePassingFigures(native: NativeKernels, molecules: readonly Structure[], species: readonly number[], description: string, repeats: number, log: (line: string) => void): BenchFigure[] {
  if (!hasCgScatter(native)) {
    log('fused message-passing figures skipped: the native addon has no cgScatter (rebuild: npm run build:native)');
    return [];
  }
  native.setThreads(1);
  setNativeMatMul(native);
  const backend = nativeName(description, native, 1);
  const base = { species, cutoff: 5, nInteractions: 2, avgNumNeighbors: 15, seed: 1 };
  const models = [
    { label: 'MACE (24 channels, L ≤ 1, SH ≤ 2, correlation 2)', config: { ...base, channels: 24, lmax: 1, shLmax: 2, correlation: 2 } },
    { label: 'MACE (32 channels, L ≤ 1, SH ≤ 3, correlation 3)', config: { ...base, channels: 32, lmax: 1, shLmax: 3, correlation: 3 } },
  ];
  const figures: BenchFigure[] = [];
  for (const { label, config } of models) {
    const model = createMaceModel(config);
    for (const perBatch of [100, 1]) {
      const used = molecules.slice(0, perBatch === 1 ? Math.min(molecules.length, 50) : molecules.length);
      setFusedMessagePassing(false);
      const unfusedMs = energyAndForcesMs(model, used, species, perBatch, repeats);
      setFusedMessagePassing(true);
      if (!fusedMessagePassingActive()) throw new Error('the fused message-passing kernel did not switch on');
      const fusedMs = energyAndForcesMs(model, used, species, perBatch, repeats);
      setFusedMessagePassing(false);
      figures.push({
        name: `${label}: energy+forces throughput, fused CG message + scatter (${used.length} QM9 molecules, ${Math.min(perBatch, used.length)} per batch)`,
        value: (1000 * used.length) / fusedMs, unit: 'molecules/s', better: 'higher', backend,
        baseline: { name: `${backend}, unfused`, value: (1000 * used.length) / unfusedMs },
      });
    }
    model.dispose();
  }
  setNativeMatMul(undefined);
  return figures;
}

export const suite: BenchSuite = {
  name: 'engine',
  async run(options) {
    const info = await initBackend({ prefer: 'wasm' });
    const text = gunzipSync(readFileSync(join(options.datasetsDir, 'qm9_ppqm', 'qm9_geometries_128744.extxyz.gz'))).toString('utf8');
    const firstRecords = text.split('\n').slice(0, 4000).join('\n'); // enough lines for > 100 molecules
    const molecules = readText(firstRecords, 'qm9', extxyzFormat).structures.slice(0, options.quick ? 20 : 100);
    const species = [1, 6, 7, 8, 9];
    const ctx = buildGraphContext(molecules, { cutoff: 5, species });
    options.log(`${molecules.length} QM9 molecules: ${ctx.nAtoms} atoms, ${ctx.nEdges} edges (cutoff 5 Å)`);
    const figures: BenchFigure[] = [];
    const repeats = options.quick ? 2 : 5;
    const layer = createEgnn({ species, features: 128, layers: 1, cutoff: 5, seed: 1 });
    setWasmGraphKernels(true, { segmentSumOnly: true });
    const stockName = 'tfjs-wasm (SIMD, 1 thread, stock gather/matMul; segment sum supplied)';
    const stock = layerTimings(layer, ctx, repeats);
    setWasmGraphKernels(true);
    const ours = layerTimings(layer, ctx, repeats);
    for (const key of Object.keys(ours)) {
      figures.push({
        name: `one EGNN layer ${key} (128 features, ${ctx.nEdges} edges)`,
        value: ours[key]!, unit: 'ms', better: 'lower', backend: info.description,
        baseline: { name: stockName, value: stock[key]! },
      });
    }
    const native = await loadNative(options.log);
    if (native) figures.push(...nativeMatMulFigures(native, layer, ctx, ours, info.description, repeats));
    layer.dispose();
    const equivariant = { species, cutoff: 5, lmax: 1, shLmax: 2, nInteractions: 2, correlation: 2, avgNumNeighbors: 15, seed: 1 };
    // perBatch: molecules per forward pass (the 250k-parameter MACE does not fit 100 molecules in the 4 GiB wasm heap
    // with stock kernels); the throughput still covers all the molecules.
    const families: Array<{ label: string; create: () => EnergyModel; perBatch?: number }> = [
      { label: 'EGNN (3 layers, 64 features)', create: () => createEgnn({ species, features: 64, layers: 3, cutoff: 5, seed: 1 }) },
      { label: 'MACE (24 channels, L ≤ 1, 2 interactions, correlation 2)', create: () => createMaceModel({ ...equivariant, channels: 24 }) },
      { label: 'MACE (64 channels, L ≤ 2, 2 interactions, correlation 3)', create: () => createMaceModel({ ...equivariant, channels: 64, lmax: 2, correlation: 3 }), perBatch: 25 },
      { label: 'TDN (24 channels, L ≤ 1, CP tensor products)', create: () => createTdnModel({ ...equivariant, channels: 24 }) },
      { label: 'eSCN (24 channels, L ≤ 1, SO(2) convolutions)', create: () => createEscnModel({ ...equivariant, channels: 24 }) },
      { label: 'FAENet (64 hidden, 2 interactions, full frame averaging)', create: () => createFaenetModel({ species, cutoff: 5, hidden: 64, nInteractions: 2, avgNumNeighbors: 15, seed: 1 }) },
    ];
    for (const family of options.quick ? families.slice(0, 2) : families) {
      const model = family.create();
      const parameters = Object.values(model.params).reduce((sum, v) => sum + v.size, 0);
      const perBatch = family.perBatch ?? molecules.length;
      const throughput = (): number => medianMs(() => {
        for (let start = 0; start < molecules.length; start += perBatch) {
          const c = buildGraphContext(molecules.slice(start, start + perBatch), { cutoff: 5, species }); // graph building included
          const r = energyAndForces(model, c);
          r.forces.dataSync();
          tf.dispose([r.energy, r.forces]);
          disposeGraphContext(c);
        }
      }, repeats);
      setWasmGraphKernels(true, { segmentSumOnly: true });
      const stockMs = throughput();
      setWasmGraphKernels(true);
      const oursMs = throughput();
      figures.push({
        name: `${family.label}, ${parameters} parameters: energy+forces throughput (${molecules.length} QM9 molecules, ${perBatch} per batch)`,
        value: (1000 * molecules.length) / oursMs, unit: 'molecules/s', better: 'higher', backend: info.description,
        baseline: { name: stockName, value: (1000 * molecules.length) / stockMs },
      });
      figures.push({
        name: `${family.label}: the same in atoms`,
        value: (1000 * ctx.nAtoms) / oursMs, unit: 'atoms/s', better: 'higher', backend: info.description,
        baseline: { name: stockName, value: (1000 * ctx.nAtoms) / stockMs },
      });
      if (native) {
        native.setThreads(1);
        setNativeMatMul(native);
        const nativeMs = throughput();
        setNativeMatMul(undefined);
        figures.push({
          name: `${family.label}, ${parameters} parameters: energy+forces throughput (${molecules.length} QM9 molecules, ${perBatch} per batch)`,
          value: (1000 * molecules.length) / nativeMs, unit: 'molecules/s', better: 'higher', backend: nativeName(info.description, native, 1),
          baseline: { name: info.description, value: (1000 * molecules.length) / oursMs },
        });
      }
      model.dispose();
    }
    if (native) figures.push(...fusedMessagePassingFigures(native, molecules, species, info.description, repeats, options.log));
    disposeGraphContext(ctx);
    return figures;
  },
};

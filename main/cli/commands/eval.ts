/**
 * `equimol eval MODEL DATA`: energy and force errors of a model file on labelled structures.
 * Also exports the Node-side helpers for model files (JSON + weights pair) and the tfjs backend loader.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { basename } from 'node:path';
// tfjs and the engine are imported on first use (dynamic import) so other commands start fast.
import type { BackendInfo, BackendLoader, BackendPreference } from '../../../core/engine/backend/backend';
import type { EnergyModel } from '../../../core/engine/model';
import { detectFormat } from '../../../core/formats/registry';
import { readText } from '../../../core/formats/read-text';
import type { Structure } from '../../../core/structure/structure';
import { parseCommandLine, positiveInteger } from '../args';
import { EXIT, UsageError, writeLine, type Command } from '../command';

/**
 * Loads optional Node packages (tfjs-node, tfjs-node-gpu) when installed, and the native matMul addon when built
 * (main/native; EQUIMOL_NATIVE=0 disables it, EQUIMOL_NATIVE_THREADS=n sets its threads, default 1).
 */
export const nodeBackendLoader: BackendLoader = {
  async importOptional(packageName: string) {
    try {
      return await import(packageName);
    } catch {
      return undefined;
    }
  },
  async nativeKernels() {
    const { loadNativeKernels } = await import('../../native/load-native-kernels');
    return loadNativeKernels();
  },
};

export async function initNodeBackend(prefer: BackendPreference = 'auto'): Promise<BackendInfo> {
  const { initBackend } = await import('../../../core/engine/backend/backend');
  return initBackend({ prefer, loader: nodeBackendLoader });
}

/** `x.model.json` -> `x.weights.bin` beside it. */
export function weightsPathFor(modelPath: string): string {
  return modelPath.replace(/\.model\.json$/, '').replace(/\.json$/, '') + '.weights.bin';
}

export async function readModelFile(modelPath: string): Promise<EnergyModel> {
  const { decodeModelFile } = await import('../../../core/engine/model-file/model-file');
  const { modelFromFile } = await import('../../../core/engine/model-file/families');
  const [json, weights] = await Promise.all([readFile(modelPath, 'utf8'), readFile(weightsPathFor(modelPath))]);
  return modelFromFile(decodeModelFile(json, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength), basename(modelPath)));
}

export async function writeModelFile(modelPath: string, file: { json: string; weights: Uint8Array }): Promise<void> {
  if (!modelPath.endsWith('.model.json')) throw new Error(`model file names end in .model.json: ${modelPath}`);
  await writeFile(weightsPathFor(modelPath), file.weights);
  await writeFile(modelPath, file.json);
}

/** Reads every structure of a (possibly gzipped) structure file; throws on records that fail to parse. */
export async function readStructures(path: string): Promise<Structure[]> {
  let bytes: Buffer = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8');
  const format = detectFormat(path.replace(/\.gz$/, ''), text.slice(0, 4096));
  await format.prepare?.();
  const { structures, errors } = readText(text, path, format);
  if (errors.length > 0) throw new Error(`${path}: ${errors.length} records could not be read (first: ${errors[0]!.message})`);
  return structures;
}

const HELP = `Usage: equimol eval [options] MODEL DATA

Predicts energies and forces for every structure in DATA (extXYZ or any readable format with energy and
forces labels, gzip detected) with the model file MODEL (*.model.json with *.weights.bin beside it) and
reports the errors.

Options:
  --json              one JSON object: {"structures", "energyMAE_meV", "forceMAE_meV_per_A", "energyMAE_meV_per_atom",
                      "energyRMSE_meV", "forceRMSE_meV_per_A", "backend"}
  --batch-size N      structures per batch (default 32)
  --backend NAME      auto (default), tensorflow, webgpu, wasm, cpu
  --energy-key KEY    property with the reference energy in eV (default energy)
  --forces-key KEY    per-atom array with reference forces in eV/Å (default forces)
  -h, --help          this text
`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'energy and force errors of a model file on labelled structures',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      json: { type: 'boolean' },
      'batch-size': { type: 'string' },
      backend: { type: 'string' },
      'energy-key': { type: 'string' },
      'forces-key': { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError('eval needs MODEL and DATA');
    const backends = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
    if (values.backend !== undefined && !backends.includes(values.backend)) throw new UsageError(`--backend must be one of ${backends.join(', ')}`);
    const batchSize = positiveInteger(values['batch-size'], '--batch-size') ?? 32;
    const backend = await initNodeBackend((values.backend ?? 'auto') as BackendPreference);
    let model: EnergyModel;
    let structures: Structure[];
    try {
      model = await readModelFile(positionals[0]!);
      structures = await readStructures(positionals[1]!);
    } catch (error) {
      writeLine(io.stderr, `equimol eval: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.unreadable;
    }
    const { evaluateModel } = await import('../../../core/engine/eval');
    const result = await evaluateModel(model, structures, {
      batchSize,
      signal: io.signal,
      ...(values['energy-key'] ? { energyKey: values['energy-key'] } : {}),
      ...(values['forces-key'] ? { forcesKey: values['forces-key'] } : {}),
    });
    model.dispose();
    const round = (x: number) => (Number.isNaN(x) ? null : Math.round(x * 1000) / 1000);
    const report = {
      structures: result.structures,
      energyMAE_meV: round(result.energyMAE_meV),
      forceMAE_meV_per_A: round(result.forceMAE_meV_per_A),
      energyMAE_meV_per_atom: round(result.energyMAE_meV_per_atom),
      energyRMSE_meV: round(result.energyRMSE_meV),
      forceRMSE_meV_per_A: round(result.forceRMSE_meV_per_A),
      backend: backend.description,
    };
    if (values.json) writeLine(io.stdout, JSON.stringify(report));
    else {
      writeLine(io.stdout, `structures           ${report.structures}`);
      writeLine(io.stdout, `energy MAE           ${report.energyMAE_meV} meV (${report.energyMAE_meV_per_atom} meV/atom)`);
      writeLine(io.stdout, `force MAE            ${report.forceMAE_meV_per_A} meV/Å`);
      writeLine(io.stdout, `backend              ${report.backend}`);
    }
    return EXIT.ok;
  },
};

/**
 * Streaming I/O throughput. Inputs are generated from the shared QM9 geometries (128,744 molecules) by our own
 * readers and writers into bench/results/tmp (git-ignored): an extended XYZ and an SDF of >= 100 MB each
 * (bonds perceived from covalent radii so the SDF is a real connection table).
 *
 * Figures (each with a baseline measured in the same run on the same bytes):
 *  - parse throughput in MB/s of the file's bytes: fs stream -> lines -> splitter -> parseRecord -> Structure,
 *    baseline: raw line splitting of the same bytes (lineBatches only), so the ratio is the parser's overhead;
 *  - gzip inflate through the web-standard DecompressionStream vs Node's zlib.createGunzip on the QM9 .gz.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { formatById } from '../core/formats/registry';
import type { StructureFormat } from '../core/formats/format';
import { lineBatches, decompressed, type ByteSource } from '../core/io/lines';
import type { Structure } from '../core/structure/structure';
import type { BenchFigure, BenchOptions, BenchSuite } from './harness';

export const QM9_GZ = ['qm9_ppqm', 'qm9_geometries_128744.extxyz.gz'] as const;
const MB = 1e6;

function fileSource(path: string): ByteSource {
  return createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
}

export function requireFormat(id: string): StructureFormat {
  const format = formatById(id);
  if (!format) throw new Error(`format '${id}' is not in core/formats/registry.ts yet`);
  return format;
}

/** Every structure of a (possibly gzipped) file, streamed. */
export async function* readStructures(source: ByteSource, format: StructureFormat, file: string): AsyncGenerator<Structure> {
  const splitter = format.createSplitter();
  for await (const batch of lineBatches(source)) {
    for (const line of batch.lines) {
      const chunk = splitter.push(line);
      if (chunk) yield format.parseRecord(chunk, file);
    }
  }
  const last = splitter.end();
  if (last) yield format.parseRecord(last, file);
}

async function addBonds(structure: Structure): Promise<Structure> {
  const chem = (await import('../core/perception/perceive-bonds')) as { withPerceivedBonds(s: Structure): Structure };
  return chem.withPerceivedBonds(structure);
}

export interface BenchInputs {
  readonly extxyz: string;
  readonly sdf: string;
  /** Structures in each file (each is written until it passes the size target, so the counts differ). */
  readonly extxyzRecords: number;
  readonly sdfRecords: number;
}

async function writeText(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Writes qm9-bench-*.extxyz and qm9-bench-*.sdf: QM9 passed through our extXYZ reader and our writers (bonds
 * perceived for the SDF), QM9 repeated until each file passes `minBytes`; reused when already there.
 */
export async function benchInputs(options: BenchOptions): Promise<BenchInputs> {
  const minBytes = options.quick ? 12 * MB : 100 * MB;
  const tag = options.quick ? 'quick' : 'full';
  const extxyzPath = join(options.scratchDir, `qm9-bench-${tag}.extxyz`);
  const sdfPath = join(options.scratchDir, `qm9-bench-${tag}.sdf`);
  const countPath = join(options.scratchDir, `qm9-bench-${tag}.json`);
  if (existsSync(extxyzPath) && existsSync(sdfPath) && existsSync(countPath)) {
    const counts = JSON.parse(readFileSync(countPath, 'utf8')) as BenchInputs;
    if (statSync(extxyzPath).size >= minBytes && statSync(sdfPath).size >= minBytes) return counts;
  }
  const extxyz = requireFormat('extxyz');
  const sdf = requireFormat('sdf');
  const xyzWriter = extxyz.createWriter!();
  const sdfWriter = sdf.createWriter!();
  const xyzOut = createWriteStream(extxyzPath);
  const sdfOut = createWriteStream(sdfPath);
  let xyzBytes = 0;
  let sdfBytes = 0;
  let extxyzRecords = 0;
  let sdfRecords = 0;
  const source = join(options.datasetsDir, ...QM9_GZ);
  const t0 = performance.now();
  for (let pass = 0; xyzBytes < minBytes || sdfBytes < minBytes; pass++) {
    for await (const structure of readStructures(fileSource(source), extxyz, source)) {
      if (xyzBytes >= minBytes && sdfBytes >= minBytes) break;
      if (xyzBytes < minBytes) {
        const text = xyzWriter.write(structure, extxyzRecords++);
        xyzBytes += Buffer.byteLength(text);
        await writeText(xyzOut, text);
      }
      if (sdfBytes < minBytes) {
        const text = sdfWriter.write(await addBonds(structure), sdfRecords++);
        sdfBytes += Buffer.byteLength(text);
        await writeText(sdfOut, text);
      }
    }
    options.log(`generated pass ${pass + 1}: extxyz ${extxyzRecords} records ${(xyzBytes / MB).toFixed(0)} MB, sdf ${sdfRecords} records ${(sdfBytes / MB).toFixed(0)} MB`);
  }
  xyzOut.end();
  sdfOut.end();
  await Promise.all([once(xyzOut, 'finish'), once(sdfOut, 'finish')]);
  const result: BenchInputs = { extxyz: extxyzPath, sdf: sdfPath, extxyzRecords, sdfRecords };
  writeFileSync(countPath, JSON.stringify(result));
  options.log(`bench inputs written in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return result;
}

async function rawLineSplit(path: string): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  let lines = 0;
  for await (const batch of lineBatches(fileSource(path))) lines += batch.lines.length;
  return { ms: performance.now() - t0, lines };
}

async function parseAll(path: string, format: StructureFormat): Promise<{ ms: number; structures: number; atoms: number }> {
  const t0 = performance.now();
  let structures = 0;
  let atoms = 0;
  for await (const s of readStructures(fileSource(path), format, path)) {
    structures++;
    atoms += s.numbers.length;
  }
  return { ms: performance.now() - t0, structures, atoms };
}

async function inflateWebStream(path: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  let bytes = 0;
  for await (const chunk of decompressed(fileSource(path))) bytes += chunk.byteLength;
  return { ms: performance.now() - t0, bytes };
}

async function inflateZlib(path: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip()) as AsyncIterable<Buffer>) bytes += chunk.byteLength;
  return { ms: performance.now() - t0, bytes };
}

export const suite: BenchSuite = {
  name: 'streaming I/O',
  async run(options) {
    const inputs = await benchInputs(options);
    const figures: BenchFigure[] = [];
    for (const [id, path] of [['extxyz', inputs.extxyz], ['sdf', inputs.sdf]] as const) {
      const format = requireFormat(id);
      const bytes = statSync(path).size;
      await rawLineSplit(path); // warm the page cache and the JIT
      const raw = await rawLineSplit(path);
      const parsed = await parseAll(path, format);
      const records = id === 'extxyz' ? inputs.extxyzRecords : inputs.sdfRecords;
      if (parsed.structures !== records) throw new Error(`${id}: parsed ${parsed.structures} of ${records} structures`);
      options.log(`${id}: ${(bytes / MB).toFixed(0)} MB, ${raw.lines} lines, ${parsed.structures} structures, ${parsed.atoms} atoms in ${(parsed.ms / 1000).toFixed(1)} s`);
      figures.push({
        name: `${id} parse throughput (${(bytes / MB).toFixed(0)} MB, ${parsed.structures} QM9 structures)`,
        value: bytes / MB / (parsed.ms / 1000),
        unit: 'MB/s',
        backend: `node ${process.versions.node}`,
        baseline: { name: 'raw line splitting of the same bytes', value: bytes / MB / (raw.ms / 1000) },
        better: 'higher',
        note: `${((parsed.structures / parsed.ms) * 1000).toFixed(0)} structures/s; ratio < 1 is the parser's cost over reading lines`,
      });
    }
    const gz = join(options.datasetsDir, ...QM9_GZ);
    await inflateZlib(gz);
    const web = await inflateWebStream(gz);
    const zlib = await inflateZlib(gz);
    figures.push({
      name: 'gzip inflate, DecompressionStream (QM9 .gz, output MB/s)',
      value: web.bytes / MB / (web.ms / 1000),
      unit: 'MB/s',
      backend: `node ${process.versions.node}`,
      baseline: { name: 'node:zlib createGunzip stream', value: zlib.bytes / MB / (zlib.ms / 1000) },
      better: 'higher',
      note: `${(web.bytes / MB).toFixed(0)} MB inflated; core uses the web API so it also runs in the browser`,
    });
    return figures;
  },
};

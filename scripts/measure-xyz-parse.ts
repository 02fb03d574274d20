// Measures extended-XYZ parse throughput (CPU time, MB of uncompressed text per second) of our splitter +
// parseRecord against a naive split(/\s+/)-and-Number() reader on the same text, in the same run, and the
// extxyz writer against String(x) of the positions alone.
// Usage: node --import tsx scripts/measure-xyz-parse.ts [path.extxyz.gz] (default: ../shared/datasets/qm9_xtb/qm9_xtb_rattled_0.05.extxyz.gz)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readText, splitLines } from '../core/formats/read-text';
import { extxyzFormat } from '../core/formats/xyz/index';

const root = fileURLToPath(new URL('..', import.meta.url));
const path = process.argv[2] ?? join(root, '..', 'shared', 'datasets', 'qm9_xtb', 'qm9_xtb_rattled_0.05.extxyz.gz');
const text = gunzipSync(readFileSync(path)).toString('utf8');
const megabytes = text.length / 1e6;
const lines = splitLines(text);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function ours(): number {
  const splitter = extxyzFormat.createSplitter();
  let atoms = 0;
  for (const line of lines) {
    const chunk = splitter.push(line);
    if (chunk) atoms += extxyzFormat.parseRecord(chunk, 'bench').numbers.length;
  }
  const last = splitter.end();
  if (last) atoms += extxyzFormat.parseRecord(last, 'bench').numbers.length;
  return atoms;
}

/** Baseline: what a straightforward reader does (regex split per line, Number per token, comment split on spaces). */
function naive(): number {
  let atoms = 0;
  let i = 0;
  while (i < lines.length) {
    const n = Number(lines[i]!.trim());
    const info: Record<string, string> = {};
    for (const kv of lines[i + 1]!.match(/\S+="[^"]*"|\S+/g) ?? []) {
      const eq = kv.indexOf('=');
      if (eq > 0) info[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const positions = new Float64Array(n * 3);
    for (let a = 0; a < n; a++) {
      const cols = lines[i + 2 + a]!.trim().split(/\s+/);
      for (let k = 0; k < 3; k++) positions[3 * a + k] = Number(cols[1 + k]);
      for (let k = 4; k < cols.length; k++) Number(cols[k]);
    }
    atoms += n;
    i += n + 2;
  }
  return atoms;
}

const structures = readText(text, 'bench', extxyzFormat).structures;

for (let rep = 0; rep < 3; rep++) {
  let t0 = cpuMs();
  const a = ours();
  const tOurs = cpuMs() - t0;
  t0 = cpuMs();
  const b = naive();
  const tNaive = cpuMs() - t0;
  if (a !== b) throw new Error(`atom counts differ: ${a} vs ${b}`);
  console.log(`${megabytes.toFixed(1)} MB, ${a} atoms: ours ${(megabytes / tOurs * 1000).toFixed(1)} MB/s (full Structures, typed columns), naive split reader ${(megabytes / tNaive * 1000).toFixed(1)} MB/s`);
  const writer = extxyzFormat.createWriter!();
  t0 = cpuMs();
  let written = 0;
  structures.forEach((s, i) => (written += writer.write(s, i).length));
  const tWrite = cpuMs() - t0;
  t0 = cpuMs();
  let naiveWritten = 0;
  for (const s of structures) naiveWritten += Array.from(s.positions, (x) => String(x)).join(' ').length;
  const tNaiveWrite = cpuMs() - t0;
  console.log(`  writer: ${(written / 1e6 / tWrite * 1000).toFixed(1)} MB/s of extxyz text (${(written / 1e6).toFixed(1)} MB); String(x) of positions alone: ${(naiveWritten / 1e6 / tNaiveWrite * 1000).toFixed(1)} MB/s`);
}

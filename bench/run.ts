// npm run bench [-- --quick] [-- name-filter ...]: runs every bench/*.bench.ts and prints a table plus bench/results/latest.json.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ratioOf, type BenchFigure, type BenchSuite } from './harness';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));
const scratchDir = join(here, 'results', 'tmp');
mkdirSync(scratchDir, { recursive: true });
const datasetsDir = resolve(here, '..', '..', 'shared', 'datasets');

const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (filters.length === 0 || filters.some((s) => f.includes(s)))).sort();
const all: Array<BenchFigure & { suite: string; ratio?: number }> = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { suite: BenchSuite };
  console.log(`\n== ${mod.suite.name} (${file})`);
  const figures = await mod.suite.run({ quick, scratchDir, datasetsDir, log: (l) => console.log(`   ${l}`) });
  for (const f of figures) {
    const ratio = ratioOf(f);
    all.push({ ...f, suite: mod.suite.name, ...(ratio === undefined ? {} : { ratio }) });
    const base = f.baseline ? `  | baseline ${f.baseline.name}: ${fmt(f.baseline.value)} ${f.unit}  → ratio ${ratio?.toFixed(2)}×` : '';
    console.log(`  ${f.name}: ${fmt(f.value)} ${f.unit}${f.backend ? ` [${f.backend}]` : ''}${base}${f.note ? `  (${f.note})` : ''}`);
  }
}
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify({ date: new Date().toISOString(), quick, figures: all }, null, 2));
console.log(`\nwrote bench/results/latest.json (${all.length} figures)`);

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

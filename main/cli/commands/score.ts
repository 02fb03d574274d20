import { writeFile } from 'node:fs/promises';
import { FORMATS, formatById } from '../../../core/formats/registry';
import { runBatchJob } from '../../../core/pipeline/job';
import type { RowSink } from '../../../core/pipeline/rows';
import { loadRDKit } from '../../../core/toolkits/toolkits';
import { edmSmiles, formatScoreReport, scoreMolecules, type ScorableMolecule, type ScoreReport } from '../../../core/generative/scoring/score';
import { scoreReportCsv } from '../../../core/generative/scoring/score-csv';
import { seededSampleIndices } from '../../../core/generative/scoring/sample';
import type { Calculator } from '../../../core/calc/calculator';
import { formatRelaxationSummary, relaxationScores, type RelaxationOutcome, type RelaxationSummary } from '../../../core/generative/scoring/relaxation';
import { createStructure } from '../../../core/structure/structure';
import { fileInput } from '../../io/files';
import { calculatorOption } from '../calculator-option';
import { parseCommandLine, positiveInteger } from '../args';
import { EXIT, UsageError, writeLine, type CliIo, type Command } from '../command';

const HELP = `Usage: equimol score [options] FILE...

Scores 3D molecules (generated samples, or a dataset) as EDM does (Hoogeboom et al. 2022): bonds from
interatomic distances with EDM's bond-length table, atom stability (bond-order sum = an allowed valence),
molecule stability (all atoms stable), validity (RDKit sanitisation of the bonded molecule), uniqueness
(distinct canonical SMILES of the largest fragment among the valid) and novelty (against --training).
Only atom types and coordinates are used; bonds and charges in the file are ignored.

Options:
  --sample N       score a seeded random sample of N molecules of all the files (default: all)
  --seed S         seed of --sample (default 1)
  --training FILE  structures whose SMILES (same pipeline) form the training set, for novelty
  --out FILE.csv   per-molecule flags: record, name, status, error, atoms, stable_atoms,
                   atom_stable_fraction, mol_stable, valid, smiles, unique, novel, fragments
  --relax CALC     also relax the valid molecules with the calculator CALC (xtb, xtb:gfn1, model:NAME, ...;
                   ANC, fmax 0.05 eV/Å) and report the heavy-atom RMSD of each relaxation and the energy it
                   released; --out gains relaxed_energy, relaxation_energy (eV), relax_rmsd (Å),
                   relax_converged and relax_error
  --relax-count N  relax only the first N valid molecules (default: all)
  --backend NAME   tfjs backend of a model calculator (auto, tensorflow, webgpu, wasm, cpu)
  --json           print the totals as one JSON object instead of text
  --format ID      read as this format instead of detecting it (${FORMATS.map((f) => f.id).join(', ') || 'none registered'})
  -h, --help       this text

Records that do not parse are reported on stderr and not scored; molecules that cannot be scored (no
atoms, an element outside EDM's table, a non-finite coordinate) count as unstable, invalid samples.
Exit codes: 0 ok, 1 some records failed to parse or could not be scored, 2 usage error, 3 unreadable file.
`;

interface ReadMolecules {
  readonly molecules: ScorableMolecule[];
  /** 1-based record numbers within their file. */
  readonly records: number[];
  readonly parseErrors: string[];
  readonly unreadable: boolean;
  readonly cancelled: boolean;
}

/** Reads atoms and positions of every record of `files` (kept slim: names, numbers, positions). */
async function readMolecules(files: readonly string[], format: string | undefined, signal: AbortSignal): Promise<ReadMolecules> {
  const molecules: ScorableMolecule[] = [];
  const records: number[] = [];
  const parseErrors: string[] = [];
  const sink: RowSink = {
    async write(rows) {
      for (const row of rows) {
        if (row.status === 'ok' && row.structure) {
          molecules.push({ name: row.structure.name, numbers: row.structure.numbers, positions: row.structure.positions });
          records.push((row.record ?? 0) + 1);
        } else {
          parseErrors.push(`${row.file}${row.record === null ? '' : `, record ${row.record + 1}`}, line ${row.line}: ${row.error}`);
        }
      }
    },
    async close() {},
  };
  const result = await runBatchJob({ inputs: await Promise.all(files.map((f) => fileInput(f))), sink, signal, ...(format !== undefined ? { format } : {}) });
  return { molecules, records, parseErrors, unreadable: result.unreadableInputs.length > 0, cancelled: result.cancelled };
}

function totals(report: ScoreReport): Omit<ScoreReport, 'per_molecule'> {
  const { per_molecule: _rows, ...rest } = report;
  return rest;
}

export const scoreCommand: Command = {
  name: 'score',
  summary: 'score 3D molecules like EDM: atom/molecule stability, validity, uniqueness, novelty',
  help: HELP,
  async run(args, io: CliIo) {
    const { values, positionals } = parseCommandLine(args, {
      sample: { type: 'string' }, seed: { type: 'string' }, training: { type: 'string' }, out: { type: 'string' },
      json: { type: 'boolean' }, format: { type: 'string' }, relax: { type: 'string' }, 'relax-count': { type: 'string' },
      backend: { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('score needs at least one FILE');
    if (values.format !== undefined && !formatById(values.format)) throw new UsageError(`unknown format '${values.format}'`);
    const sample = positiveInteger(values.sample, '--sample');
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed needs an integer, got '${values.seed}'`);
    const relaxCount = positiveInteger(values['relax-count'], '--relax-count');
    if (relaxCount !== undefined && values.relax === undefined) throw new UsageError('--relax-count needs --relax CALC');
    const calculator = values.relax === undefined ? undefined : await calculatorOption(values.relax, values.backend);
    try {
      return await scoreFiles(positionals, values, { sample, seed, relaxCount, calculator }, io);
    } finally {
      calculator?.dispose?.();
    }
  },
};

interface ScoreSettings {
  readonly sample: number | undefined;
  readonly seed: number;
  readonly relaxCount: number | undefined;
  readonly calculator: Calculator | undefined;
}

async function scoreFiles(positionals: readonly string[], values: Record<string, string | boolean | undefined>, settings: ScoreSettings, io: CliIo): Promise<number> {
  const { sample, seed } = settings;
  await loadRDKit();

  let trainingSmiles: Set<string> | undefined;
  if (typeof values.training === 'string') {
    const training = await readMolecules([values.training], undefined, io.signal);
    if (training.cancelled) return EXIT.cancelled;
    if (training.unreadable) {
      writeLine(io.stderr, `equimol score: training set ${values.training} could not be read: ${training.parseErrors[0] ?? ''}`);
      return EXIT.unreadable;
    }
    trainingSmiles = new Set<string>();
    for (const m of training.molecules) {
      try {
        const smiles = edmSmiles(m);
        if (smiles !== null) trainingSmiles.add(smiles);
      } catch {
        // a training molecule the scorer cannot judge adds no SMILES
      }
    }
  }

  const read = await readMolecules(positionals, typeof values.format === 'string' ? values.format : undefined, io.signal);
  if (read.cancelled) return EXIT.cancelled;
  for (const message of read.parseErrors.slice(0, 20)) writeLine(io.stderr, message);
  if (read.parseErrors.length > 20) writeLine(io.stderr, `... ${read.parseErrors.length - 20} more records failed to parse`);
  const chosen = sample === undefined ? read.molecules.map((_, i) => i) : seededSampleIndices(read.molecules.length, sample, seed);
  const molecules = chosen.map((i) => read.molecules[i]!);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const report = scoreMolecules(molecules, trainingSmiles ? { trainingSmiles } : {});
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const relaxation = settings.calculator ? await relaxValid(molecules, report, settings.calculator, settings.relaxCount, io) : undefined;
  if (typeof values.out === 'string') await writeFile(values.out, scoreReportCsv(report, chosen.map((i) => read.records[i]!), relaxation?.byIndex));
  if (values.json) {
    const relaxed = relaxation ? { relaxation: { calculator: settings.calculator!.description.name, ...relaxation.summary } } : {};
    writeLine(io.stdout, JSON.stringify({ ...totals(report), ...relaxed, ...(sample !== undefined ? { sample, seed } : {}), seconds: Number(seconds.toFixed(2)), cpu_seconds: Number(cpuSeconds.toFixed(2)) }));
  } else {
    if (sample !== undefined) writeLine(io.stdout, `seeded sample of ${molecules.length} of ${read.molecules.length} molecules (seed ${seed})`);
    io.stdout.write(formatScoreReport(report));
    if (relaxation) writeLine(io.stdout, formatRelaxationSummary(settings.calculator!.description.name, relaxation.summary));
    const rate = (s: number) => (molecules.length / Math.max(s, 1e-9)).toFixed(0);
    writeLine(io.stdout, `scored in ${seconds.toFixed(1)} s wall (${rate(seconds)} molecules/s), ${cpuSeconds.toFixed(1)} s CPU (${rate(cpuSeconds)} molecules/s per core)`);
  }
  if (io.signal.aborted) return EXIT.cancelled;
  if (read.unreadable) return EXIT.unreadable;
  return read.parseErrors.length > 0 || report.errors > 0 ? EXIT.recordErrors : EXIT.ok;
}

/** Relaxes the valid molecules (the first `count` of them), with progress on stderr. */
async function relaxValid(
  molecules: readonly ScorableMolecule[], report: ScoreReport, calculator: Calculator, count: number | undefined, io: CliIo,
): Promise<{ byIndex: Map<number, RelaxationOutcome>; summary: RelaxationSummary }> {
  const valid = report.per_molecule.filter((m) => m.valid).map((m) => m.index).slice(0, count);
  const structures = valid.map((i) => createStructure({ name: molecules[i]!.name, numbers: Array.from(molecules[i]!.numbers), positions: Array.from(molecules[i]!.positions) }));
  const { outcomes, summary } = await relaxationScores(structures, calculator, {
    signal: io.signal,
    onProgress: (done, total) => { if (done % 10 === 0 || done === total) writeLine(io.stderr, `relaxed ${done}/${total}`); },
  });
  return { byIndex: new Map(outcomes.map((o, k) => [valid[k]!, o])), summary };
}

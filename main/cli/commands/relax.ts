/**
 * `equimol relax IN... --calculator C --out OUT`: relaxes every record of every input through the streaming batch
 * pipeline (core/pipeline/job.ts with core/predict/relax-predictor.ts), one relaxed structure per record, in order,
 * with the same error rows, resume and sharding as `equimol predict`.
 */
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RelaxOptions } from '../../../core/sampling/options';
import { RELAX_OPTIMIZER_NAMES, type RelaxOptimizerName } from '../../../core/sampling/relax/relax';
import { RELAX_LEVELS, type RelaxLevel } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure/structure';
import { CALCULATOR_NAMES_HELP } from '../../calc/calculator-catalogue';
import { calculatorOption } from '../calculator-option';
import { finiteNumber, parseAtomList, parseCommandLine, parseShard, positiveInteger, positiveNumber } from '../args';
import { checkBatchOptions, runBatchCommand, type BatchCommandOptions } from '../batch-output';
import { EXIT, UsageError, type Command } from '../command';
import { TrajectoryFile } from '../trajectory-file';
import { GPA_PER_EV_PER_A3 } from '../../../core/calc/calculator';

const HELP = `Usage: equimol relax [options] FILE... --calculator CALC --out OUT

Relaxes the geometry of every record of the input files (to the nearest local minimum of the calculator's
energy) and writes one relaxed structure per record, in input order, with its final energy (eV), largest
force on a free atom fmax (eV/Å), steps (optimizer steps taken) and converged (1 yes, 0 no: the step limit
came first). A record that fails to parse, that the calculator cannot evaluate, or whose relaxation a
watchdog stops (atoms too close, a hydrogen torn off, non-finite forces) becomes an error row naming the file,
record, line, step and atoms; the job goes on.

Options:
  -c, --calculator CALC  ${CALCULATOR_NAMES_HELP}
  -o, --out OUT          .extxyz/.sdf/.pdb (relaxed structures, error rows to OUT.errors.csv), .csv or .jsonl
                         (one row per record: file, record, line, ..., energy, fmax, steps, converged)
  --optimizer NAME       anc (xtb's optimizer ANCopt, molecules only), fire or lbfgs (ASE's); without it,
                         molecules are relaxed with anc (converged as \`xtb --opt\`: energy change < 5e-6 Eh and
                         gradient < 1e-3 Eh/bohr) and periodic structures with fire
  --level LEVEL          anc's convergence as \`xtb --opt LEVEL\`: crude, sloppy, loose, lax, normal (default),
                         tight, vtight, extreme
  --fmax F               converged when the largest force on a free atom is at most F eV/Å (default 0.05;
                         with ANCopt an extra condition, only when given)
  --max-steps N          optimizer steps per structure at most, as ASE's run(steps=N) (default 500; ANCopt:
                         3 per atom, at least 200, as xtb)
  --max-step D           largest displacement of an atom in one step, Å (default 0.2; ANCopt: along one
                         normal coordinate, default 1 bohr)
  --relax-cell           relax the cell of fully periodic structures too (needs a calculator with stress)
  --pressure P           external pressure for --relax-cell, GPa (default 0)
  --fix LIST             hold these atoms in place, 1-based, e.g. 1,2,5-7 (selective dynamics of POSCAR
                         files and extXYZ move_mask are always honoured)
  --trajectory-dir DIR   also write every step of each record to DIR/<input>.<record>.extxyz
  --backend NAME         compute backend for model calculators: auto (default), tensorflow, webgpu, wasm, cpu
  --resume               continue an interrupted run (csv/jsonl output; same inputs, order and shard)
  --shard i/n            process only records k with k % n == i (k counts records over all inputs)
  --format ID            read inputs as this format instead of detecting it
  -h, --help             this text

Progress goes to stderr. Exit codes: 0 every record relaxed, 1 some error rows, 2 usage error, 3 an input
could not be read, 130 interrupted by Ctrl-C (complete rows only; rerun with --resume).
`;

/** `DIR/water.xyz.3.extxyz` for record index 2 of water.xyz (1-based record in the name). */
export function trajectoryPathFor(dir: string, structure: Structure, fallbackIndex: number): string {
  const file = structure.provenance ? basename(structure.provenance.file).replace(/\.gz$/, '') : 'structure';
  const record = (structure.provenance?.record ?? fallbackIndex) + 1;
  return join(dir, `${file}.${record}.extxyz`);
}

export const relaxCommand: Command = {
  name: 'relax',
  summary: 'relax the geometry of every record with xtb, a trained model or an analytic potential',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      calculator: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      optimizer: { type: 'string' },
      level: { type: 'string' },
      fmax: { type: 'string' },
      'max-steps': { type: 'string' },
      'max-step': { type: 'string' },
      'relax-cell': { type: 'boolean' },
      pressure: { type: 'string' },
      fix: { type: 'string' },
      'trajectory-dir': { type: 'string' },
      backend: { type: 'string' },
      resume: { type: 'boolean' },
      shard: { type: 'string' },
      format: { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('relax needs at least one input FILE');
    if (values.calculator === undefined) throw new UsageError('relax needs --calculator (e.g. xtb, model:NAME, a .model.json file)');
    if (values.out === undefined) throw new UsageError('relax needs --out FILE');
    if (values.optimizer !== undefined && !(RELAX_OPTIMIZER_NAMES as readonly string[]).includes(values.optimizer)) {
      throw new UsageError(`--optimizer must be ${RELAX_OPTIMIZER_NAMES.join(', ')}, got '${values.optimizer}'`);
    }
    if (values.level !== undefined && !(RELAX_LEVELS as readonly string[]).includes(values.level)) {
      throw new UsageError(`--level must be one of ${RELAX_LEVELS.join(', ')}, got '${values.level}'`);
    }
    if (values.level !== undefined && values.optimizer !== undefined && values.optimizer !== 'anc') {
      throw new UsageError(`--level sets ANCopt's convergence; with --optimizer ${values.optimizer} use --fmax`);
    }
    const pressureGPa = finiteNumber(values.pressure, '--pressure');
    if (pressureGPa !== undefined && !values['relax-cell']) throw new UsageError('--pressure needs --relax-cell');
    const fixed = parseAtomList(values.fix, '--fix');
    const fmax = positiveNumber(values.fmax, '--fmax');
    const maxSteps = positiveInteger(values['max-steps'], '--max-steps');
    const maxStep = positiveNumber(values['max-step'], '--max-step');
    const settings: Omit<RelaxOptions, 'signal'> = {
      ...(values.optimizer !== undefined ? { optimizer: values.optimizer as RelaxOptimizerName } : {}),
      ...(values.level !== undefined ? { level: values.level as RelaxLevel } : {}),
      ...(fmax !== undefined ? { fmax } : {}),
      ...(maxSteps !== undefined ? { maxSteps } : {}),
      ...(maxStep !== undefined ? { maxStep } : {}),
      ...(values['relax-cell'] ? { relaxCell: true } : {}),
      ...(pressureGPa !== undefined ? { pressure: pressureGPa / GPA_PER_EV_PER_A3 } : {}),
      ...(fixed ? { fixed } : {}),
    };
    const batchOptions: BatchCommandOptions = {
      command: 'relax',
      inputs: positionals,
      out: values.out,
      ...(values.resume ? { resume: true } : {}),
      ...(values.shard !== undefined ? { shard: parseShard(values.shard)! } : {}),
      ...(values.format !== undefined ? { format: values.format } : {}),
    };
    checkBatchOptions(batchOptions);
    const trajectoryDir = values['trajectory-dir'];
    if (trajectoryDir !== undefined) await mkdir(trajectoryDir, { recursive: true });

    const calculator = await calculatorOption(values.calculator, values.backend);
    const { createRelaxPredictor } = await import('../../../core/predict/relax-predictor');
    let started = 0;
    const predictor = createRelaxPredictor({
      calculator,
      relax: settings,
      ...(trajectoryDir !== undefined
        ? {
            observe: async (structure: Structure) => {
              const file = await TrajectoryFile.open(trajectoryPathFor(trajectoryDir, structure, started++));
              return { frame: (frame) => file.write(structure, frame), end: () => file.close() };
            },
          }
        : {}),
    });
    try {
      return await runBatchCommand(batchOptions, predictor, io);
    } finally {
      calculator.dispose?.();
    }
  },
};

/**
 * `equimol label IN... --calculator xtb --out labelled.extxyz`: labels every record with a calculator through the
 * streaming batch pipeline (the label step of core/session/jobs/label-job-kind.ts): energy (eV), forces (eV/Å)
 * and, from xtb, charges (e), dipole and dipole_norm (D), homo, lumo and gap (eV), the keys and units of
 * shared/datasets/qm9_xtb, so the output trains with `equimol train`. A failed SCF is an error row; resume and
 * shards as `equimol relax`.
 */
import { CALCULATOR_NAMES_HELP } from '../../calc/calculator-catalogue';
import { calculatorOption } from '../calculator-option';
import { parseCommandLine, parseShard } from '../args';
import { checkBatchOptions, runBatchCommand, type BatchCommandOptions } from '../batch-output';
import { EXIT, UsageError, type Command } from '../command';

const HELP = `Usage: equimol label [options] FILE... --calculator CALC --out OUT

Evaluates every record of the input files with the calculator and writes it with its labels, in input order:
energy (eV), forces (eV/Å, per atom) and, where the calculator gives them (xtb), charges (e, per atom), dipole
and dipole_norm (D), homo, lumo and gap (eV): the keys and units of the QM9-xTB data set, ready for
\`equimol train\`. A record that fails to parse, that the calculator cannot evaluate, or whose SCF does not
converge becomes an error row naming the file, record and line; the job goes on.

Options:
  -c, --calculator CALC  ${CALCULATOR_NAMES_HELP}
  -o, --out OUT          .extxyz/.sdf (labelled structures, error rows also in OUT.errors.csv), .csv or .jsonl
                         (one row per record: file, record, line, ..., energy, homo, lumo, gap, dipole, dipole_norm)
  --backend NAME         compute backend for model calculators: auto (default), tensorflow, webgpu, wasm, cpu
  --resume               continue an interrupted run (csv/jsonl output; same inputs, order and shard)
  --shard i/n            process only records k with k % n == i (k counts records over all inputs)
  --format ID            read inputs as this format instead of detecting it
  -h, --help             this text

Progress goes to stderr. Exit codes: 0 every record labelled, 1 some error rows, 2 usage error, 3 an input
could not be read, 130 interrupted by Ctrl-C (complete rows only; rerun with --resume).
`;

export const labelCommand: Command = {
  name: 'label',
  summary: 'label every record with xtb (energy, forces, charges, dipole, HOMO/LUMO/gap) for training',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      calculator: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      backend: { type: 'string' },
      resume: { type: 'boolean' },
      shard: { type: 'string' },
      format: { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError('label needs at least one input FILE');
    if (values.calculator === undefined) throw new UsageError('label needs --calculator (e.g. xtb)');
    if (values.out === undefined) throw new UsageError('label needs --out FILE');
    const batchOptions: BatchCommandOptions = {
      command: 'label',
      inputs: positionals,
      out: values.out,
      ...(values.resume ? { resume: true } : {}),
      ...(values.shard !== undefined ? { shard: parseShard(values.shard)! } : {}),
      ...(values.format !== undefined ? { format: values.format } : {}),
    };
    checkBatchOptions(batchOptions);
    const calculator = await calculatorOption(values.calculator, values.backend);
    const { createLabelPredictor } = await import('../../../core/session/jobs/label-job-kind');
    try {
      return await runBatchCommand(batchOptions, createLabelPredictor(calculator), io);
    } finally {
      calculator.dispose?.();
    }
  },
};

/**
 * `equimol md IN --calculator C --steps N --out traj.extxyz`: molecular dynamics of one structure
 * (core/sampling/md/md.ts), its frames streamed to an extended-XYZ trajectory (main/cli/trajectory-file.ts) as
 * they arrive, so Ctrl-C or a watchdog stop keeps every frame made so far.
 */
import { structureLabel } from '../../../core/calc/calculator';
import type { SamplerFrame, SamplerReport } from '../../../core/sampling/frames';
import type { MdOptions } from '../../../core/sampling/options';
import { extensionOf, formatById } from '../../../core/formats/registry';
import { CALCULATOR_NAMES_HELP } from '../../calc/calculator-catalogue';
import { calculatorOption } from '../calculator-option';
import { readRecord } from '../../io/read-structures';
import { finiteNumber, parseAtomList, parseCommandLine, positiveInteger, positiveNumber } from '../args';
import { EXIT, UsageError, writeLine, type CliIo, type Command } from '../command';
import { formatDuration } from '../progress';
import { TrajectoryFile } from '../trajectory-file';

const THERMOSTATS = ['none', 'langevin', 'csvr', 'nose-hoover'] as const;

const HELP = `Usage: equimol md [options] FILE --calculator CALC --steps N --out TRAJ.extxyz

Runs molecular dynamics of one structure of FILE (the first record, or --record K) and writes a frame every
--every steps (and the first and the last) to TRAJ.extxyz as it goes. Each frame carries step, time (fs),
energy (potential, eV), kinetic (eV), total (eV) and temperature (K) as info keys, and per-atom forces (eV/Å),
velocities (Å/fs) and momenta (ASE units, so ase.io.read gives get_velocities() and get_kinetic_energy()).

Options:
  -c, --calculator CALC  ${CALCULATOR_NAMES_HELP}
  -o, --out TRAJ         the trajectory, extended XYZ (.extxyz or .xyz)
  --steps N              MD steps (required)
  --thermostat NAME      none (NVE, velocity Verlet), langevin (default), csvr (Bussi), nose-hoover (chain of 3)
  --temperature T        target temperature and that of the initial Maxwell-Boltzmann velocities, K (default 300)
  --timestep DT          fs (default 0.5)
  --every K              write a frame every K steps (default 10)
  --seed S               seed of the initial velocities and the thermostat noise (default 1)
  --friction G           Langevin friction, 1/fs (default 0.01)
  --tau T                CSVR / Nose-Hoover time constant, fs (default 100)
  --fix LIST             hold these atoms in place, 1-based, e.g. 1,2,5-7
  --record K             use record K of FILE (1-based, default 1)
  --backend NAME         compute backend for model calculators: auto (default), tensorflow, webgpu, wasm, cpu
  --format ID            read FILE as this format instead of detecting it
  -h, --help             this text

Progress (step, temperature, energy) goes to stderr. A run the watchdogs stop (atoms too close, a hydrogen torn
off, a temperature spike, non-finite forces, energy drift without a thermostat) prints what happened at which
step to which atoms and exits 1; the frames before it stay in TRAJ. Exit codes: 0 done, 1 stopped by a
watchdog or the calculator, 2 usage error, 3 FILE could not be read, 130 interrupted by Ctrl-C (frames kept).
`;

/** Step, temperature and energy on stderr: a redrawn line on a terminal, otherwise a line every `plainIntervalMs`. */
function createStepProgress(stderr: CliIo['stderr'], totalSteps: number, plainIntervalMs = 10_000) {
  const started = performance.now();
  let last = started;
  let drawn = false;
  const describe = (frame: SamplerFrame) => {
    const elapsed = (performance.now() - started) / 1000;
    const eta = frame.step > 0 ? (elapsed / frame.step) * (totalSteps - frame.step) : Infinity;
    return [
      `step ${frame.step}/${totalSteps}`,
      ...(frame.time !== undefined ? [`${frame.time.toFixed(1)} fs`] : []),
      ...(frame.temperature !== undefined ? [`T ${frame.temperature.toFixed(1)} K`] : []),
      `E ${frame.energy.toFixed(4)} eV`,
      ...(frame.total !== undefined ? [`total ${frame.total.toFixed(4)} eV`] : []),
      `ETA ${formatDuration(eta)}`,
    ].join(', ');
  };
  return {
    update(frame: SamplerFrame) {
      if (stderr.isTTY) {
        stderr.write(`\r\x1b[K${describe(frame).slice(0, Math.max(10, (stderr.columns || 100) - 1))}`);
        drawn = true;
        return;
      }
      const now = performance.now();
      if (now - last < plainIntervalMs) return;
      last = now;
      stderr.write(`progress: ${describe(frame)}\n`);
    },
    finish() {
      if (drawn) stderr.write('\r\x1b[K');
    },
  };
}

export const mdCommand: Command = {
  name: 'md',
  summary: 'molecular dynamics of one structure into an extended-XYZ trajectory',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, {
      calculator: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      steps: { type: 'string' },
      thermostat: { type: 'string' },
      temperature: { type: 'string' },
      timestep: { type: 'string' },
      every: { type: 'string' },
      seed: { type: 'string' },
      friction: { type: 'string' },
      tau: { type: 'string' },
      fix: { type: 'string' },
      record: { type: 'string' },
      backend: { type: 'string' },
      format: { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError('md needs exactly one input FILE');
    if (values.calculator === undefined) throw new UsageError('md needs --calculator (e.g. xtb, model:NAME, a .model.json file)');
    if (values.out === undefined) throw new UsageError('md needs --out TRAJ.extxyz');
    if (!['extxyz', 'xyz'].includes(extensionOf(values.out))) throw new UsageError(`md writes extended XYZ: --out must end in .extxyz or .xyz, got '${values.out}'`);
    const steps = positiveInteger(values.steps, '--steps');
    if (steps === undefined) throw new UsageError('md needs --steps N');
    const thermostat = values.thermostat ?? 'langevin';
    if (!(THERMOSTATS as readonly string[]).includes(thermostat)) throw new UsageError(`--thermostat must be one of ${THERMOSTATS.join(', ')}, got '${thermostat}'`);
    const temperature = finiteNumber(values.temperature, '--temperature');
    if (temperature !== undefined && temperature < 0) throw new UsageError(`--temperature needs a temperature >= 0 K, got '${values.temperature}'`);
    const seed = finiteNumber(values.seed, '--seed');
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed needs an integer, got '${values.seed}'`);
    const timestep = positiveNumber(values.timestep, '--timestep');
    const every = positiveInteger(values.every, '--every');
    const friction = positiveNumber(values.friction, '--friction');
    const tau = positiveNumber(values.tau, '--tau');
    const fixed = parseAtomList(values.fix, '--fix');
    const record = positiveInteger(values.record, '--record') ?? 1;
    if (values.format !== undefined && !formatById(values.format)) throw new UsageError(`unknown format '${values.format}'`);

    const input = positionals[0]!;
    let structure;
    try {
      structure = await readRecord(input, record - 1, values.format);
    } catch (error) {
      writeLine(io.stderr, `equimol md: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT.unreadable;
    }
    const outside = [...(fixed ?? [])].filter((a) => a >= structure.numbers.length);
    if (outside.length > 0) throw new UsageError(`--fix: ${input} record ${record} has ${structure.numbers.length} atoms; there is no atom ${outside[0]! + 1}`);

    const calculator = await calculatorOption(values.calculator, values.backend);
    const trajectory = await TrajectoryFile.open(values.out);
    const progress = createStepProgress(io.stderr, steps);
    let report: SamplerReport | undefined;
    try {
      const unsupported = calculator.unsupportedReason(structure);
      if (unsupported) {
        writeLine(io.stderr, `equimol md: ${calculator.description.id} cannot evaluate ${structureLabel(structure)}: ${unsupported}`);
        return EXIT.recordErrors;
      }
      const { runMolecularDynamics } = await import('../../../core/sampling/md/md');
      const options: MdOptions = {
        thermostat: thermostat as MdOptions['thermostat'],
        steps,
        signal: io.signal,
        ...(temperature !== undefined ? { temperature } : {}),
        ...(timestep !== undefined ? { timestep } : {}),
        ...(every !== undefined ? { every } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(friction !== undefined ? { friction } : {}),
        ...(tau !== undefined ? { tau } : {}),
        ...(fixed ? { fixed } : {}),
      };
      const run = runMolecularDynamics(structure, calculator, options);
      for (;;) {
        const next = await run.next();
        if (next.done) {
          report = next.value;
          break;
        }
        await trajectory.write(structure, next.value);
        progress.update(next.value);
      }
    } finally {
      progress.finish();
      await trajectory.close();
      calculator.dispose?.();
    }
    const where = `${trajectory.frames} frames -> ${values.out}`;
    if (report.status === 'cancelled' || io.signal.aborted) {
      writeLine(io.stderr, `equimol md: interrupted after ${report.steps} steps: ${where}`);
      return EXIT.cancelled;
    }
    if (report.status === 'stopped') {
      const problem = report.problem;
      // The problem's message names the step and the atoms (1-based).
      writeLine(io.stderr, `equimol md: stopped (${problem?.kind ?? 'error'}): ${problem?.message ?? report.summary}`);
      writeLine(io.stderr, `equimol md: kept ${where}`);
      return EXIT.recordErrors;
    }
    writeLine(io.stderr, `equimol md: done: ${report.summary}; ${where}`);
    return EXIT.ok;
  },
};

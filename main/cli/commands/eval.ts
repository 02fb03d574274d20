/** `equimol eval MODEL DATA`: energy and force errors of a model file on labelled structures. */
import type { EnergyModel } from '../../../core/engine/model';
import type { Structure } from '../../../core/structure/structure';
import { readStructures } from '../../io/read-structures';
import { modelFilePathOf, readModelFile } from '../../models/model-files';
import { initNodeBackend } from '../../models/node-backend';
import { backendOption, parseCommandLine, positiveInteger } from '../args';
import { EXIT, UsageError, writeLine, type Command } from '../command';

const HELP = `Usage: equimol eval [options] MODEL DATA

Predicts energies and forces for every structure in DATA (extXYZ or any readable format with energy and
forces labels, gzip detected) with MODEL (model:NAME for a shipped model, or a *.model.json file with
*.weights.bin beside it) and reports the errors.

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
    const batchSize = positiveInteger(values['batch-size'], '--batch-size') ?? 32;
    const backend = await initNodeBackend(backendOption(values.backend) ?? 'auto');
    let model: EnergyModel;
    let structures: Structure[];
    try {
      model = await readModelFile(await modelFilePathOf(positionals[0]!));
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

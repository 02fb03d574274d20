// Scores 3D molecules like EDM (atom / molecule stability, validity, uniqueness, novelty): the `equimol score`
// command run directly, so it works before the command is listed in main/cli/equimol.ts.
// Usage: node --import tsx scripts/score-molecules.ts [--sample N --seed S] [--training FILE] [--out flags.csv] [--json] FILE...
// The QM9 data row (EDM Table 1: 99.0 / 95.2 / 97.7 %):
//   node --import tsx scripts/score-molecules.ts ../shared/datasets/qm9_xtb/qm9_xtb_equilibrium.extxyz.gz
import { scoreCommand } from '../main/cli/commands/score';
import { UsageError } from '../main/cli/command';

const controller = new AbortController();
process.on('SIGINT', () => controller.abort());
try {
  process.exitCode = await scoreCommand.run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`score-molecules: ${error.message}\n`);
  process.exitCode = 2;
}

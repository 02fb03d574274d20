/**
 * `equimol`: the command-line face of the batch pipeline. One file per command in main/cli/commands/; add a
 * command by listing it in COMMANDS. Run through bin/equimol.mjs (npm bin) or `npm run equimol -- ...`.
 */
import { pathToFileURL } from 'node:url';
import { EXIT, UsageError, writeLine, type CliIo, type Command } from './command';
import { conformersCommand } from './commands/conformers';
import { convertCommand } from './commands/convert';
import { infoCommand } from './commands/info';
import { predictCommand } from './commands/predict';
import { evalCommand } from './commands/eval';
import { generateCommand } from './commands/generate';
import { scoreCommand } from './commands/score';
import { mdCommand } from './commands/md';
import { relaxCommand } from './commands/relax';
import { trainCommand } from './commands/train';
import { labelCommand } from './commands/label';

export const COMMANDS: readonly Command[] = [infoCommand, convertCommand, predictCommand, relaxCommand, mdCommand, conformersCommand, evalCommand, labelCommand, trainCommand, scoreCommand, generateCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: equimol <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'equimol <command> --help' for a command's options.",
    'Exit codes: 0 ok, 1 some records failed, 2 usage error, 3 unreadable input, 130 interrupted.',
    '',
  ].join('\n');
}

/** Runs one command line and returns the exit code (never calls process.exit). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    writeLine(io.stderr, `equimol: unknown command '${name}'`);
    io.stderr.write(mainHelp());
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      writeLine(io.stderr, `equimol ${command.name}: ${error.message}`);
      writeLine(io.stderr, `Run 'equimol ${command.name} --help' for usage.`);
      return EXIT.usage;
    }
    writeLine(io.stderr, `equimol ${command.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.unreadable;
  }
}

/** Process entry: wires stdout/stderr and SIGINT (first: stop after the current batch; second: exit at once). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT.cancelled);
    process.stderr.write('\nequimol: interrupted, finishing the current batch (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
  });
  const code = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
  process.off('SIGINT', onSigint);
  // An interrupted job may have left a read from stdin pending: let the process exit anyway.
  if (code === EXIT.cancelled) process.stdin.destroy();
  process.exitCode = code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

/** The CLI's command contract: one file per command in main/cli/commands/, listed in main/cli/equimol.ts. */

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  /** Some records failed (error rows written / reported); the rest succeeded. */
  recordErrors: 1,
  /** Bad arguments: unknown option, missing value, unknown format or predictor. */
  usage: 2,
  /** An input could not be read at all (missing, a directory, unknown format, corrupt gzip). */
  unreadable: 3,
  /** Stopped by SIGINT; outputs are consistent (complete rows only) and can be resumed. */
  cancelled: 130,
} as const;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Aborted on SIGINT. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** One line for `equimol --help`. */
  readonly summary: string;
  /** Full text for `equimol <command> --help`. */
  readonly help: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Bad command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(text + '\n');
}

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with errors turned into UsageError (exit 2) and --help always accepted. */
export function parseCommandLine<T extends Options>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
}

export function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} needs a positive integer, got '${value}'`);
  return n;
}

/** '--shard 2/8' -> { index: 2, count: 8 } (0-based index). */
export function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) throw new UsageError(`--shard needs i/n (0-based, e.g. 0/4), got '${value}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new UsageError(`--shard ${value}: need 0 <= i < n`);
  return { index, count };
}

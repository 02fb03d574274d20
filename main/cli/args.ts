import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BackendPreference } from '../../core/engine/backend/backend';
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

export function positiveNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x <= 0) throw new UsageError(`${option} needs a positive number, got '${value}'`);
  return x;
}

export function finiteNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new UsageError(`${option} needs a number, got '${value}'`);
  return x;
}

/** '1,2,5-7' (1-based atoms, ranges inclusive) -> the 0-based set {0, 1, 4, 5, 6}. */
export function parseAtomList(value: string | undefined, option: string): Set<number> | undefined {
  if (value === undefined) return undefined;
  const atoms = new Set<number>();
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const first = m ? Number(m[1]) : NaN;
    const last = m?.[2] !== undefined ? Number(m[2]) : first;
    if (!m || first < 1 || last < first) throw new UsageError(`${option} needs 1-based atoms and ranges like 1,2,5-7; got '${part.trim()}' in '${value}'`);
    for (let a = first; a <= last; a++) atoms.add(a - 1);
  }
  return atoms;
}

/** The tfjs backends a --backend option takes (core/engine/backend/backend.ts starts them, falling down its order). */
export const BACKEND_NAMES = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const satisfies readonly BackendPreference[];

/** The backend `value` names, or undefined when the option is absent; a usage error naming the choices otherwise. */
export function backendOption(value: string | undefined, option = '--backend'): BackendPreference | undefined {
  if (value === undefined) return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) throw new UsageError(`unknown backend '${value}' for ${option} (available: ${BACKEND_NAMES.join(', ')})`);
  return value as BackendPreference;
}

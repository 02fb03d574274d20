/**
 * The check combinators of the contract's runtime validation (validate.ts, session-checks.ts): each check throws
 * Fail with the path of the bad field and what is wrong; validateArguments turns it into a ContractError.
 */
import { LIMITS } from './equimol-api';

export type Check = (value: unknown, path: string) => void;

export class Fail extends Error {
  constructor(
    /** Where: 'request.fmax', 'documents[1].supercell[2]'. */
    readonly path: string,
    /** What is wrong: 'must be an integer, got Infinity'. */
    readonly detail: string,
  ) {
    super(`${path} ${detail}`);
  }
}

export function fail(path: string, message: string): never {
  throw new Fail(path, message);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export const string =
  (maxLength: number, minLength = 0): Check =>
  (value, path) => {
    if (typeof value !== 'string') fail(path, `must be a string, got ${describe(value)}`);
    if (value.length < minLength) fail(path, `must have at least ${minLength} characters`);
    if (value.length > maxLength) fail(path, `is too long (${value.length} > ${maxLength} characters)`);
    if (value.includes('\u0000')) fail(path, 'must not contain NUL characters');
  };

export const id: Check = string(LIMITS.maxIdLength, 1);

export const integer =
  (min: number, max: number): Check =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) fail(path, `must be an integer, got ${describe(value)}`);
    if (value < min || value > max) fail(path, `must be in ${min}..${max}, got ${value}`);
  };

/** A finite number in [min, max] (or (min, max] with `exclusiveMin`). */
export const numberIn =
  (min: number, max: number, options: { readonly exclusiveMin?: boolean; readonly unit?: string } = {}): Check =>
  (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `must be a finite number, got ${describe(value)}`);
    const unit = options.unit ? ` ${options.unit}` : '';
    if (options.exclusiveMin ? value <= min : value < min) fail(path, `must be ${options.exclusiveMin ? '>' : '>='} ${min}${unit}, got ${value}`);
    if (value > max) fail(path, `must be <= ${max}${unit}, got ${value}`);
  };

export const finite: Check = numberIn(-Number.MAX_VALUE, Number.MAX_VALUE);

export const boolean: Check = (value, path) => {
  if (typeof value !== 'boolean') fail(path, `must be a boolean, got ${describe(value)}`);
};

export const oneOf =
  (values: readonly string[]): Check =>
  (value, path) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      fail(path, `must be one of ${values.map((v) => `'${v}'`).join(', ')}, got ${describe(value)}`);
    }
  };

export const arrayOf =
  (item: Check, maxLength: number, minLength = 0): Check =>
  (value, path) => {
    if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`);
    if (value.length < minLength) fail(path, `must have at least ${minLength} item(s)`);
    if (value.length > maxLength) fail(path, `has too many items (${value.length} > ${maxLength})`);
    value.forEach((v, i) => item(v, `${path}[${i}]`));
  };

export const optional =
  (check: Check): Check =>
  (value, path) => {
    if (value !== undefined) check(value, path);
  };

/** An object with exactly these (possibly optional) keys; unknown keys are rejected. */
export const object =
  (shape: Record<string, Check>): Check =>
  (value, path) => {
    if (!isPlainObject(value)) fail(path, `must be an object, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!(key in shape)) fail(path, `has unknown field '${key.slice(0, 64)}'`);
    }
    for (const [key, check] of Object.entries(shape)) check(value[key], `${path}.${key}`);
  };

export const bytes =
  (maxBytes: number): Check =>
  (value, path) => {
    if (!(value instanceof Uint8Array)) fail(path, `must be a Uint8Array, got ${describe(value)}`);
    if (value.byteLength > maxBytes) fail(path, `is too large (${value.byteLength} > ${maxBytes} bytes)`);
  };

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (typeof value === 'number') return Number.isFinite(value) ? `number ${value}` : String(value);
  if (typeof value === 'string') return `a string`;
  return typeof value;
}

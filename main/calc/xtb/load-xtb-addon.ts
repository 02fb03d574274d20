/**
 * Loads the xtb addon (main/native/src/xtb.cc: Node-API over libxtb 6.5; built by `npm run build:native` when
 * libxtb-dev is installed). Optional: without it the xtb calculators run the `xtb` executable.
 *
 * Environment:
 *   EQUIMOL_XTB=0               do not load it (the executable is used when installed).
 *   EQUIMOL_XTB_PATH=file       load this .node file instead of the default locations.
 *   EQUIMOL_XTB_THREADS=n       OpenMP threads for libxtb and for the xtb executable (default 1: calculators run one
 *                               structure per job and several jobs share the cores).
 *
 * Locations tried: the packaged app's resources (native/equimol_xtb.node), then main/native/build/Release/ of the
 * source tree (from these sources or from a dist/<x>/ bundle), as for the matMul addon (load-native-kernels.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const XTB_ADDON_FILE = 'equimol_xtb.node';

/** What libxtb returns for one structure, in xtb's atomic units. */
export interface XtbRawResult {
  /** Total energy, Eh. */
  readonly energy: number;
  /** dE/dr, [n*3] Eh/bohr. */
  readonly gradient: Float64Array;
  /** Partial charges, [n] e. */
  readonly charges: Float64Array;
  /** Dipole moment, [3] e·bohr (absent for GFN-FF from the executable). */
  readonly dipole?: Float64Array;
  /** Orbital energies, [nao] Eh (empty for GFN-FF). */
  readonly orbitalEnergies: Float64Array;
  /** Orbital occupations (0 to 2), [nao]. */
  readonly occupations: Float64Array;
  /** Virial, [9] Eh, when libxtb provides one for a periodic cell. */
  readonly virial?: Float64Array;
}

export interface XtbInput {
  readonly numbers: Int32Array;
  /** [n*3] bohr. */
  readonly positions: Float64Array;
  readonly charge: number;
  /** Unpaired electrons (multiplicity − 1). */
  readonly uhf: number;
  readonly method: 'gfn2' | 'gfn1' | 'gfnff';
  /** Cell rows a, b, c, [9] bohr. */
  readonly lattice?: Float64Array;
  readonly periodic?: readonly [boolean, boolean, boolean];
  readonly accuracy: number;
  readonly maxIterations: number;
  /** K. */
  readonly electronicTemperature: number;
}

/** The addon's JavaScript shape. */
export interface XtbAddon {
  calculate(input: XtbInput): Promise<XtbRawResult>;
  setThreads(threads: number): void;
  threads(): number;
  /**
   * Single points served by the addon's cached calculator since it loaded: a call for the same molecule (elements,
   * charge, spin, method, SCF settings; no cell) as the call before it reuses that call's GFN parametrisation and
   * only moves the atoms. Results are the same to the bit as from a fresh calculator.
   */
  cacheHits(): number;
  readonly apiVersion: number;
}

/** Where the addon may be, most specific first. */
export function xtbAddonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.EQUIMOL_XTB_PATH) return [env.EQUIMOL_XTB_PATH];
  const candidates: string[] = [];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) candidates.push(join(resourcesPath, 'native', XTB_ADDON_FILE));
  // From main/calc/xtb/ the repository root is ../../../; from a dist/<bundle>/ file it is ../../.
  candidates.push(fileURLToPath(new URL(`../../../main/native/build/Release/${XTB_ADDON_FILE}`, import.meta.url)));
  candidates.push(fileURLToPath(new URL(`../../main/native/build/Release/${XTB_ADDON_FILE}`, import.meta.url)));
  return [...new Set(candidates)];
}

/** EQUIMOL_XTB_THREADS, default 1; throws on a malformed value. */
export function xtbThreadsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.EQUIMOL_XTB_THREADS;
  if (text === undefined || text === '') return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`EQUIMOL_XTB_THREADS must be an integer from 1 to 1024, got '${text}'`);
  return n;
}

function isXtbAddon(value: unknown): value is XtbAddon {
  const candidate = value as Partial<XtbAddon> | undefined;
  return typeof candidate?.calculate === 'function' && typeof candidate.setThreads === 'function' && typeof candidate.apiVersion === 'number';
}

export type XtbAddonLoad = { readonly addon: XtbAddon; readonly path: string } | { readonly addon?: undefined; readonly reason: string };

/**
 * The addon with its threads set, or why there is none: disabled, not built, or a file that does not load (wrong
 * platform, libxtb.so missing at run time). Never throws.
 */
export function loadXtbAddon(env: NodeJS.ProcessEnv = process.env): XtbAddonLoad {
  if (env.EQUIMOL_XTB === '0') return { reason: 'the libxtb addon is disabled (EQUIMOL_XTB=0)' };
  const candidates = xtbAddonCandidates(env);
  const path = candidates.find((p) => existsSync(p));
  if (!path) return { reason: `the libxtb addon is not built (npm run build:native with libxtb-dev installed; looked for ${candidates.join(', ')})` };
  try {
    const threads = xtbThreadsFrom(env);
    const addon: unknown = createRequire(import.meta.url)(path);
    if (!isXtbAddon(addon)) return { reason: `${path} is not the Equimol xtb addon (no calculate/setThreads/apiVersion)` };
    addon.setThreads(threads);
    return { addon, path };
  } catch (error) {
    return { reason: `${path} does not load: ${error instanceof Error ? error.message : String(error)}` };
  }
}

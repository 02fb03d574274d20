/**
 * GFN2-xTB, GFN1-xTB and GFN-FF (Bannwarth, Ehlert, Grimme, JCTC 15, 1652 (2019); Grimme, Bannwarth, Shushkov,
 * JCTC 13, 1989 (2017); Spicher, Grimme, Angew. Chem. 59, 15665 (2020)) as a Calculator: in-process through the
 * libxtb addon (main/native/src/xtb.cc), else the `xtb` executable (xtb-executable.ts). GFN-FF always runs the
 * executable (libxtb 6.5 writes and rereads its topology file in the working directory).
 *
 * Units: xtb works in Eh and bohr; results are eV, eV/Å, e·Å with CODATA 2018 (bohr = 0.529177210903 Å, the value
 * mctc-lib's geometry reader in xtb 6.5 uses for .xyz input, so a file given to xtb and a Structure given here are the
 * same geometry; Eh = 27.211386245988 eV). xtb's own printed eV values use the older 27.21138505 (src/mctc/
 * convert.f90), 4.4e-8 relative lower. Total charge is `structure.charge`, unpaired electrons `multiplicity − 1`.
 * HOMO is the highest orbital with occupation ≥ 0.5, LUMO the next one.
 * Periodic cells are refused (unsupportedReason), measured on water with xtb 6.5.1: libxtb refuses GFN2 cells
 * ("Multipoles not available with PBC"); GFN1 cells ran but gave −5.5326 Eh in a 12 Å box against −5.7684 Eh for
 * the molecule, the SCC did not converge in 16 to 40 Å boxes, and the virial came back zero; the executable gave the
 * molecular energy for a Turbomole coord file with $periodic 3; libxtb's GFN-FF setup fails for a cell. Use a model or an analytic potential for crystals.
 */
import { calculateEach } from '../../../core/calc/calculator';
import type { CalcRequest, CalcResult, Calculator, CalculatorDescription } from '../../../core/calc/calculator';
import { symbolOf } from '../../../core/structure/elements';
import type { Structure } from '../../../core/structure/structure';
import { loadXtbAddon, xtbThreadsFrom } from './load-xtb-addon';
import type { XtbAddon, XtbInput, XtbRawResult } from './load-xtb-addon';
import { findXtbExecutable, runXtbExecutable } from './xtb-executable';

export type XtbMethod = 'gfn2' | 'gfn1' | 'gfnff';
export type XtbBackendChoice = 'auto' | 'addon' | 'executable';

/** CODATA 2018 bohr radius, Å. */
export const BOHR_IN_ANGSTROM = 0.529177210903;
/** CODATA 2018 Hartree energy, eV. */
export const HARTREE_IN_EV = 27.211386245988;
/** Elements GFN2-xTB, GFN1-xTB and GFN-FF are parametrised for: H to Rn. */
export const XTB_ELEMENTS: readonly number[] = Array.from({ length: 86 }, (_, i) => i + 1);
/** Atoms closer than this (Å) are a broken geometry, not a calculation. */
const MIN_DISTANCE = 0.1;

export interface XtbCalculatorOptions {
  readonly method?: XtbMethod;
  /** xtb --acc (0.0001 to 1000; lower is tighter), default 1. */
  readonly accuracy?: number;
  /** SCC iterations, default 250. */
  readonly maxIterations?: number;
  /** Fermi smearing temperature, K, default 300. */
  readonly electronicTemperature?: number;
  readonly backend?: XtbBackendChoice;
  /** Default process.env (EQUIMOL_XTB, EQUIMOL_XTB_PATH, EQUIMOL_XTB_THREADS, EQUIMOL_XTB_EXECUTABLE). */
  readonly env?: NodeJS.ProcessEnv;
}

export type XtbBackendStatus =
  | { readonly backend: 'addon'; readonly addon: XtbAddon; readonly detail: string }
  | { readonly backend: 'executable'; readonly executable: string; readonly detail: string }
  | { readonly backend?: undefined; readonly reason: string };

const METHOD_NAMES: Readonly<Record<XtbMethod, string>> = { gfn2: 'GFN2-xTB', gfn1: 'GFN1-xTB', gfnff: 'GFN-FF' };

/** Which backend a calculator for `method` would use, and why; or why there is none (for listCalculators). */
export function xtbBackendStatus(method: XtbMethod = 'gfn2', choice: XtbBackendChoice = 'auto', env: NodeJS.ProcessEnv = process.env): XtbBackendStatus {
  let addonReason: string;
  if (method === 'gfnff') addonReason = 'GFN-FF runs the xtb executable (libxtb 6.5 writes and rereads gfnff_topo in the working directory)';
  else {
    const load = choice === 'executable' ? { reason: 'the executable was asked for' } : loadXtbAddon(env);
    if (load.addon) return { backend: 'addon', addon: load.addon, detail: `libxtb addon (${load.path}, xtb API ${load.addon.apiVersion})` };
    addonReason = load.reason;
  }
  if (choice === 'addon') return { reason: addonReason };
  const executable = findXtbExecutable(env);
  if (executable) return { backend: 'executable', executable, detail: `xtb executable ${executable}${choice === 'auto' ? ` (${addonReason})` : ''}` };
  return { reason: `${addonReason}; no xtb executable on PATH (install xtb, or set EQUIMOL_XTB_EXECUTABLE)` };
}

function checkOption(name: string, value: number, min: number, max: number, integer = false): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RangeError(`xtb ${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** HOMO, LUMO and gap (eV) from orbital energies (Eh, ascending) and occupations; undefined without orbitals. */
export function frontierOrbitals(orbitalEnergies: Float64Array, occupations: Float64Array): { homo: number; lumo: number; gap: number } | undefined {
  let homo = -1;
  for (let i = 0; i < occupations.length; i++) if (occupations[i]! >= 0.5) homo = i;
  if (homo < 0 || homo + 1 >= orbitalEnergies.length) return undefined;
  const homoEv = orbitalEnergies[homo]! * HARTREE_IN_EV;
  const lumoEv = orbitalEnergies[homo + 1]! * HARTREE_IN_EV;
  return { homo: homoEv, lumo: lumoEv, gap: lumoEv - homoEv };
}

/** Like elementCoverageReason, without listing 86 symbols. */
function coverageReason(structure: Structure, who: string): string | undefined {
  if (structure.numbers.length === 0) return 'the structure has no atoms';
  const outside = [...new Set(structure.numbers)].filter((z) => z < 1 || z > 86);
  if (outside.length === 0) return undefined;
  return `${who} covers H to Rn (Z 1 to 86); this structure has ${outside.map((z) => (z === 0 ? 'dummy atoms (Z 0)' : symbolOf(z))).join(', ')}`;
}

function closeContact(structure: Structure): string | undefined {
  const n = structure.numbers.length;
  if (n > 5000) return undefined;
  const p = structure.positions;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.hypot(p[3 * i]! - p[3 * j]!, p[3 * i + 1]! - p[3 * j + 1]!, p[3 * i + 2]! - p[3 * j + 2]!);
      if (d < MIN_DISTANCE) return `atoms ${i + 1} and ${j + 1} are ${d.toFixed(3)} Å apart (a broken geometry)`;
    }
  }
  return undefined;
}

function electronReason(structure: Structure): string | undefined {
  const { charge, multiplicity } = structure;
  if (!Number.isInteger(charge)) return `the total charge ${charge} is not an integer`;
  if (!Number.isInteger(multiplicity) || multiplicity < 1) return `the multiplicity ${multiplicity} is not a positive integer`;
  const electrons = structure.numbers.reduce((sum, z) => sum + z, 0) - charge;
  if (electrons < 0) return `the charge ${charge} leaves ${electrons} electrons`;
  if ((electrons - (multiplicity - 1)) % 2 !== 0) return `${electrons} electrons cannot have multiplicity ${multiplicity} (${multiplicity - 1} unpaired electrons)`;
  if (multiplicity - 1 > electrons) return `multiplicity ${multiplicity} needs more unpaired electrons than the ${electrons} there are`;
  return undefined;
}

/** eV, eV/Å, e·Å from xtb's Eh, Eh/bohr, e·bohr. */
function toCalcResult(raw: XtbRawResult, forces: boolean): CalcResult {
  const extras: Record<string, number | readonly number[]> = {};
  if (raw.dipole) extras.dipole = Array.from(raw.dipole, (d) => d * BOHR_IN_ANGSTROM);
  const frontier = frontierOrbitals(raw.orbitalEnergies, raw.occupations);
  if (frontier) Object.assign(extras, frontier);
  const result: CalcResult = {
    energy: raw.energy * HARTREE_IN_EV,
    ...(forces ? { forces: Float64Array.from(raw.gradient, (g) => (-g * HARTREE_IN_EV) / BOHR_IN_ANGSTROM) } : {}),
    atomArrays: { charges: Float64Array.from(raw.charges) },
    extras,
  };
  return result;
}

/** A GFN-xTB calculator; throws when neither the addon nor the executable can run `method` (the reason says why). */
export function createXtbCalculator(options: XtbCalculatorOptions = {}): Calculator {
  const method = options.method ?? 'gfn2';
  if (!(method in METHOD_NAMES)) throw new RangeError(`unknown xtb method '${String(method)}' (gfn2, gfn1, gfnff)`);
  const accuracy = checkOption('accuracy', options.accuracy ?? 1, 1e-4, 1000);
  const maxIterations = checkOption('maxIterations', options.maxIterations ?? 250, 1, 1e6, true);
  const electronicTemperature = checkOption('electronicTemperature', options.electronicTemperature ?? 300, 0, 1e6);
  const env = options.env ?? process.env;
  const status = xtbBackendStatus(method, options.backend ?? 'auto', env);
  if (!status.backend) throw new Error(`${METHOD_NAMES[method]} is not available: ${status.reason}`);
  const threads = xtbThreadsFrom(env);
  const description: CalculatorDescription = {
    id: `xtb:${method}`,
    name: `${METHOD_NAMES[method]} (${status.backend === 'addon' ? 'libxtb' : 'xtb executable'})`,
    method: 'xtb',
    elements: XTB_ELEMENTS,
    charge: true,
    spin: true,
    periodic: false,
    stress: false,
    notes: `${status.detail}; accuracy ${accuracy}, ≤ ${maxIterations} SCC iterations, electronic temperature ${electronicTemperature} K; CODATA 2018 units`,
  };

  const unsupportedReason = (structure: Structure): string | undefined => {
    const reason = coverageReason(structure, description.name) ?? electronReason(structure);
    if (reason) return reason;
    if (structure.pbc.some(Boolean)) {
      const why: Record<XtbMethod, string> = {
        gfn2: 'libxtb 6.5 has no GFN2-xTB cells ("Multipoles not available with PBC")',
        gfn1: 'GFN1-xTB cells in xtb 6.5 gave wrong energies or no SCF convergence',
        gfnff: 'libxtb 6.5 cannot set up GFN-FF for a cell ("Input file format not suitable for GFN-FF!")',
      };
      return `${why[method]}; xtb takes molecules only here`;
    }
    return closeContact(structure);
  };

  const run = (input: XtbInput, signal?: AbortSignal): Promise<XtbRawResult> =>
    status.backend === 'addon' ? status.addon.calculate(input) : runXtbExecutable(status.executable, input, { threads, ...(signal ? { signal } : {}) });

  const inputOf = (structure: Structure): XtbInput => {
    return {
      numbers: Int32Array.from(structure.numbers),
      positions: Float64Array.from(structure.positions, (x) => x / BOHR_IN_ANGSTROM),
      charge: structure.charge,
      uhf: structure.multiplicity - 1,
      method,
      accuracy,
      maxIterations,
      electronicTemperature,
    };
  };

  return {
    description,
    unsupportedReason,
    calculate(structures: readonly Structure[], request: CalcRequest = {}): Promise<Array<CalcResult | Error>> {
      return calculateEach(
        structures,
        request,
        unsupportedReason,
        async (structure) => toCalcResult(await run(inputOf(structure), request.signal), request.forces ?? false),
        `${description.name}: `,
      );
    },
  };
}

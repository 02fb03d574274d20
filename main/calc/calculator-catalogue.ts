/**
 * Calculators by name, for the CLI (`--calculator`) and the compute host (`listCalculators`, relax and md jobs):
 *   xtb, xtb:gfn2       GFN2-xTB (main/calc/xtb: libxtb, else the xtb executable)
 *   xtb:gfn1, xtb:gfnff GFN1-xTB, the GFN force field
 *   model:NAME          a shipped model of assets/models by catalogue name (as the app lists it)
 *   PATH.model.json     a model file (PATH.weights.bin beside it)
 *   lj, morse           ASE's Lennard-Jones and Morse potentials with their default parameters (tests, demos)
 * Each module is imported on first use, so naming one calculator never loads tfjs or libxtb for another.
 */
import type { Calculator } from '../../core/calc/calculator';
import type { CalculatorEntry } from '../../core/calc/catalogue';
import type { BackendPreference } from '../../core/engine/backend/backend';
import { MODEL_NAME_PREFIX } from '../models/model-files';
import type { XtbMethod } from './xtb/xtb-calculator';

export interface CalculatorCatalogueOptions {
  /** Folder of the shipped models (default assets/models). */
  readonly modelsDir?: string;
  /** tfjs backend for model calculators (default auto). */
  readonly backend?: BackendPreference;
}


const XTB_NAMES: Readonly<Record<string, XtbMethod>> = { xtb: 'gfn2', 'xtb:gfn2': 'gfn2', 'xtb:gfn1': 'gfn1', 'xtb:gfnff': 'gfnff' };

/** For --help texts. */
export const CALCULATOR_NAMES_HELP = 'xtb (= xtb:gfn2), xtb:gfn1, xtb:gfnff, model:NAME (a shipped model), PATH.model.json, lj, morse';

/** A name that is none of the above (exit 2 in the CLI). */
export class UnknownCalculatorError extends Error {
  constructor(readonly calculatorName: string) {
    super(`unknown calculator '${calculatorName}' (use ${CALCULATOR_NAMES_HELP})`);
    this.name = 'UnknownCalculatorError';
  }
}

/** The xtb method a name selects, or undefined when it is not an xtb name. */
export function xtbMethodOf(name: string): XtbMethod | undefined {
  return XTB_NAMES[name.toLowerCase()];
}

function isModelFile(name: string): boolean {
  return /\.model\.json$/i.test(name);
}

/**
 * The calculator `name` stands for. Throws UnknownCalculatorError for a name that is none of the kinds, and
 * the loader's error (missing file, unknown model name listing the shipped ones, corrupt weights) otherwise.
 */
export async function createCalculator(name: string, options: CalculatorCatalogueOptions = {}): Promise<Calculator> {
  const method = xtbMethodOf(name);
  if (method) {
    const { createXtbCalculator } = await import('./xtb/xtb-calculator');
    return createXtbCalculator({ method });
  }
  const lower = name.toLowerCase();
  if (lower === 'lj') {
    const { createLennardJonesCalculator } = await import('../../core/calc/analytic/lennard-jones');
    return createLennardJonesCalculator();
  }
  if (lower === 'morse') {
    const { createMorseCalculator } = await import('../../core/calc/analytic/morse');
    return createMorseCalculator();
  }
  if (name.startsWith(MODEL_NAME_PREFIX) || isModelFile(name)) {
    const { modelFilePathOf, readModelFile } = await import('../models/model-files');
    const { initNodeBackend } = await import('../models/node-backend');
    const { modelNameOf, modelPredictorId } = await import('../../core/predict/model-predictors');
    const { createModelCalculator } = await import('../../core/calc/model-calculator');
    const path = await modelFilePathOf(name, options.modelsDir);
    const model = await readModelFile(path);
    await initNodeBackend(options.backend ?? 'auto');
    return createModelCalculator(model, { id: modelPredictorId(modelNameOf(path)), name: `${model.family.toUpperCase()} model ${modelNameOf(path)}` });
  }
  throw new UnknownCalculatorError(name);
}

/** A catalogue entry with whether it can run on this machine (xtb needs libxtb or the executable). */
export interface CalculatorCatalogueEntry extends CalculatorEntry {
  readonly available: boolean;
  /** Why it cannot run, when `available` is false. */
  readonly reason?: string;
}

const XTB_METHOD_NAMES: Readonly<Record<XtbMethod, string>> = { gfn2: 'GFN2-xTB', gfn1: 'GFN1-xTB', gfnff: 'GFN-FF' };

/** An xtb method as an entry: its description from a calculator made (and dropped) now, or why none can be made. */
async function xtbEntry(method: XtbMethod): Promise<CalculatorCatalogueEntry> {
  const { createXtbCalculator, XTB_ELEMENTS } = await import('./xtb/xtb-calculator');
  const id = `xtb:${method}`;
  const create = async () => createXtbCalculator({ method });
  try {
    const probe = createXtbCalculator({ method }); // starts nothing: it only finds libxtb or the executable
    const { description } = probe;
    probe.dispose?.();
    return { id, description, create, available: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const description = { id, name: XTB_METHOD_NAMES[method], method: 'xtb', elements: XTB_ELEMENTS, charge: true, spin: true, periodic: false, stress: false, notes: reason };
    return { id, description, create, available: false, reason };
  }
}

/** ASE's Lennard-Jones or Morse potential with its default parameters (ε = 1 eV, σ = 1 Å / ρ0 = 6, r0 = 1 Å). */
async function analyticEntry(name: 'lj' | 'morse'): Promise<CalculatorCatalogueEntry> {
  const create = () => createCalculator(name);
  const { description } = await create();
  return { id: description.id, description, create, available: true };
}

/**
 * Every calculator this host offers, for `listCalculators`: the three xtb methods, each shipped model
 * (`model:NAME`; listing reads the JSON only, weights and the tfjs backend wait for create()) and the analytic
 * potentials. A model file that cannot be used still lists, unavailable, with the reason.
 */
export async function calculatorEntries(options: CalculatorCatalogueOptions = {}): Promise<CalculatorCatalogueEntry[]> {
  const { modelCalculatorEntries } = await import('../../core/calc/catalogue');
  const { initNodeBackend } = await import('../models/node-backend');
  const { nodeModelCatalogue } = await import('../compute-host/model-catalogue');
  const xtb = await Promise.all((['gfn2', 'gfn1', 'gfnff'] as const).map(xtbEntry));
  const models = await modelCalculatorEntries(nodeModelCatalogue(options.modelsDir), { initBackend: () => initNodeBackend(options.backend ?? 'auto') });
  const modelEntries = models.map((entry): CalculatorCatalogueEntry => {
    // modelCalculatorEntries marks a file it cannot use by notes starting 'cannot be used: '.
    const unusable = entry.description.notes?.startsWith('cannot be used: ') ?? false;
    return { ...entry, create: () => entry.create(), available: !unusable, ...(unusable ? { reason: entry.description.notes! } : {}) };
  });
  return [...xtb, ...modelEntries, await analyticEntry('lj'), await analyticEntry('morse')];
}

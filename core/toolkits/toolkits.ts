/**
 * Loads the two cheminformatics toolkits once per process / worker:
 * - RDKit MinimalLib (wasm): SMILES parsing and validation, canonical SMILES, InChI, descriptors, 2D SVG.
 * - openchemlib (JS): 3D conformers (ConformerGenerator) and MMFF94s+ clean-up, which RDKit's wasm build lacks.
 * In Node both load themselves; browsers pass `locateFile` (RDKit's .wasm URL) and `oclResourcesUrl`.
 *
 * Layering: core/toolkits (this loader and SMILES embedding, embed.ts) sits below core/formats, whose SMILES
 * readers load the toolkits in `prepare()` and embed rows; core/chem (descriptors, depiction, bond orders) sits
 * above core/formats and may use both. core/toolkits imports neither core/formats nor core/chem.
 */
import initRDKitModule, { type MainModule as RDKitModule, type Mol as RDKitMol } from '@rdkit/rdkit';
import * as OCLNamespace from 'openchemlib';

export type { RDKitModule, RDKitMol };
export type OpenChemLib = typeof OCLNamespace;

export interface ToolkitOptions {
  /** Emscripten hook mapping 'RDKit_minimal.wasm' to a URL (browsers, packaged apps). */
  readonly locateFile?: (file: string, prefix: string) => string;
  /** Pre-fetched wasm bytes for RDKit (skips fetching). */
  readonly wasmBinary?: ArrayBuffer | Uint8Array;
  /** URL of openchemlib's resources.json (browsers); Node reads it from the package. */
  readonly oclResourcesUrl?: string;
  /** Already-loaded openchemlib resources (the JSON text or object). */
  readonly oclResources?: string | Record<string, string>;
  /** Keep RDKit's own error log (off by default: invalid SMILES are reported as FormatErrors instead). */
  readonly rdkitLogging?: boolean;
}

let rdkitPromise: Promise<RDKitModule> | undefined;
let rdkit: RDKitModule | undefined;
let oclPromise: Promise<OpenChemLib> | undefined;
let ocl: OpenChemLib | undefined;

/** Loads RDKit MinimalLib once; later calls return the same module whatever their options. */
export function loadRDKit(options: ToolkitOptions = {}): Promise<RDKitModule> {
  if (!rdkitPromise) {
    const moduleOptions: Record<string, unknown> = {};
    if (options.locateFile) moduleOptions.locateFile = options.locateFile;
    if (options.wasmBinary) moduleOptions.wasmBinary = options.wasmBinary;
    rdkitPromise = initRDKitModule(moduleOptions).then((module) => {
      if (!options.rdkitLogging) module.disable_logging();
      rdkit = module;
      return module;
    });
    rdkitPromise.catch(() => {
      rdkitPromise = undefined;
    });
  }
  return rdkitPromise;
}

/** Loads openchemlib and registers its static resources (needed by the conformer generator) once. */
export function loadOpenChemLib(options: ToolkitOptions = {}): Promise<OpenChemLib> {
  if (!oclPromise) {
    oclPromise = (async () => {
      const lib = OCLNamespace;
      if (options.oclResources) lib.Resources.register(options.oclResources);
      else if (options.oclResourcesUrl) await lib.Resources.registerFromUrl(options.oclResourcesUrl);
      else {
        try {
          // Node: reads resources.json beside the package.
          lib.Resources.registerFromNodejs();
        } catch {
          // Browser: fetched relative to the openchemlib module.
          await lib.Resources.registerFromUrl();
        }
      }
      ocl = lib;
      return lib;
    })();
    oclPromise.catch(() => {
      oclPromise = undefined;
    });
  }
  return oclPromise;
}

/** Both toolkits; idempotent. */
export async function loadToolkits(options: ToolkitOptions = {}): Promise<{ rdkit: RDKitModule; ocl: OpenChemLib }> {
  const [r, o] = await Promise.all([loadRDKit(options), loadOpenChemLib(options)]);
  return { rdkit: r, ocl: o };
}

/** The loaded RDKit module; throws when `loadRDKit()` has not finished. */
export function rdkitModule(): RDKitModule {
  if (!rdkit) throw new Error('RDKit is not loaded: await loadRDKit() (or format.prepare()) first');
  return rdkit;
}

/** The loaded openchemlib; throws when `loadOpenChemLib()` has not finished. */
export function openChemLib(): OpenChemLib {
  if (!ocl) throw new Error('openchemlib is not loaded: await loadOpenChemLib() (or format.prepare()) first');
  return ocl;
}

/**
 * Runs `use` on an RDKit molecule and always frees it (`mol.delete()`), even when `use` throws.
 * Returns undefined when RDKit cannot parse `input`.
 */
export function withRDKitMol<T>(input: string, details: Record<string, unknown> | undefined, use: (mol: RDKitMol) => T): T | undefined {
  const module = rdkitModule();
  let mol: RDKitMol | null = null;
  try {
    mol = details ? module.get_mol(input, JSON.stringify(details)) : module.get_mol(input);
    if (!mol || !mol.is_valid()) return undefined;
    return use(mol);
  } finally {
    mol?.delete();
  }
}

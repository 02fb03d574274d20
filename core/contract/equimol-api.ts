/**
 * The one typed contract between the UI (renderer) and the compute side (Electron main + compute host, or the
 * browser Web Worker of web mode). Every method returns a Promise; every argument and result is plain,
 * readonly, structured-cloneable data (no classes, no functions, no Maps), so it crosses ipcRenderer.invoke,
 * contextBridge and postMessage unchanged. Progress and other pushed notifications arrive through
 * `subscribe`, the one method that is not an invoke call.
 *
 * Layering (VS Code style): the renderer sees only `window.equimol: EquimolApi`; main validates every
 * argument with `validate.ts`; `core/session` implements the compute half on pure core.
 */
import type { RecordError } from '../structure/errors';
import type { Structure } from '../structure/structure';
import type { PredictionColumn, PredictionValue } from '../predict/predictor';
import type { CalculatorDescription } from '../calc/calculator';

export type { RecordError, Structure, PredictionColumn, PredictionValue, CalculatorDescription };

/** Bump when a method's signature or a data shape changes incompatibly. */
export const EQUIMOL_API_VERSION = 1;

// ---------------------------------------------------------------------------------------------------------
// Limits (checked by validate.ts; the UI can use them to page and to refuse early)
// ---------------------------------------------------------------------------------------------------------

export const LIMITS = {
  /** Files in one openFiles / openPaths call. */
  maxFilesPerCall: 256,
  /** Bytes of one file passed to openFiles (gzip counts compressed). */
  maxFileBytes: 1024 * 1024 * 1024,
  /** Bytes of all files of one openFiles call together. */
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  /** File names and paths. */
  maxPathLength: 4096,
  /** Rows of one listStructures / getJobResults page. */
  maxPageSize: 5000,
  /** Filter text. */
  maxFilterLength: 512,
  /** Documents in one job request. */
  maxDocsPerJob: 256,
  /** Record errors kept per document (the count is exact; the list is truncated). */
  maxReportedErrors: 1000,
  /** Recent files remembered in settings (desktop: paths; web mode: names whose bytes the browser keeps). */
  maxRecentFiles: 20,
  /** Web mode: bytes of one file kept in the browser (IndexedDB) to reopen it; larger files are not kept. */
  maxStoredFileBytes: 16 * 1024 * 1024,
  /** Web mode: bytes of all kept files together; the least recently opened are evicted first beyond it. */
  maxStoredTotalBytes: 64 * 1024 * 1024,
  /** Bytes of one file embedded in a session file (base64); a larger file is saved by name only. */
  maxSessionEmbedBytes: 16 * 1024 * 1024,
  /** Bytes of all files embedded in one session file together; files beyond it are saved by name only. */
  maxSessionEmbedTotalBytes: 64 * 1024 * 1024,
  /** Bytes of a session file passed to openSession. */
  maxSessionFileBytes: 128 * 1024 * 1024,
  /** Entries of Settings.layout. */
  maxLayoutEntries: 64,
  /** Supercell repeats along each axis in a session. */
  maxSupercellRepeat: 16,
  /** Measurements kept in a session. */
  maxSessionMeasurements: 256,
  /** Documents in a session (its file and saveSession's view). */
  maxSessionDocuments: 1024,
  /** Bytes passed to saveFile. */
  maxSaveBytes: 2 * 1024 * 1024 * 1024,
  /** Short identifiers (document, job, predictor, format ids, property keys). */
  maxIdLength: 256,
} as const;

// ---------------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------------

/** Opaque id of an open document (one file). */
export type DocumentId = string;
/** Opaque id of a job. */
export type JobId = string;

/** A file handed over as bytes (drag-and-drop, <input type=file>, web mode). Gzip (.gz) is accepted. */
export interface FileInput {
  /** File name as the user sees it (a base name or a path); used for format detection and errors. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Summary of one open file: what was read, in which format, and what went wrong where. */
export interface DocumentInfo {
  readonly id: DocumentId;
  /** Base name, e.g. 'aspirin.sdf.gz'. */
  readonly name: string;
  /** Absolute path when opened from disk (Electron); undefined for files handed over as bytes. */
  readonly path?: string;
  /** Format id from the registry, e.g. 'sdf'. */
  readonly format: string;
  /** Human format name, e.g. 'MDL SDF/MOL'. */
  readonly formatName: string;
  /** Size of the file as given (compressed size for .gz). */
  readonly byteLength: number;
  readonly gzipped: boolean;
  /** Structures read successfully. */
  readonly recordCount: number;
  /** Records that failed to parse (exact count). */
  readonly errorCount: number;
  /** The first LIMITS.maxReportedErrors record errors: file, 0-based record, 1-based line, message. */
  readonly errors: readonly RecordError[];
  /** True when any structure has a cell. */
  readonly periodic: boolean;
  /** Union of per-structure property keys (file properties and predicted columns), for table columns. */
  readonly columns: readonly ColumnInfo[];
  /** Milliseconds spent reading and parsing. */
  readonly readMs: number;
  /** Set on documents a job made: what it is and where it came from. */
  readonly origin?: DocumentOrigin;
}

/** A document made by a job (a trajectory, relaxed structures), linked to its source structure(s). */
export interface DocumentOrigin {
  /**
   * 'trajectory': frames of one structure (relax steps, MD, a denoising chain); 'relaxed': final structures of a
   * relax job; 'conformers': an ensemble of one molecule; 'generated': molecules a generator made (no source).
   */
  readonly kind: 'trajectory' | 'relaxed' | 'conformers' | 'generated' | 'labelled';
  readonly jobId: JobId;
  readonly jobKind: JobKind;
  /** The document the job read (absent for generated molecules, which have none). */
  readonly sourceDocId?: DocumentId;
  /** The source structure (trajectories). */
  readonly sourceIndex?: number;
  /** Calculator id (for generated molecules and their trajectory: the generator id). */
  readonly calculator: string;
  /** Still growing (the job runs). */
  readonly live: boolean;
}

/** Numeric columns of a whole document for plots: values[key][i] belongs to structure index[i] (null: none). */
export interface ColumnValues {
  readonly docId: DocumentId;
  readonly index: readonly number[];
  readonly values: Readonly<Record<string, readonly (number | null)[]>>;
}

/** A table column beyond the fixed ones (index, name, formula, atoms). */
export interface ColumnInfo {
  /** Key in StructureSummary.values: a file property ('energy') or a predicted column ('geometry:rg'). */
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly kind: 'number' | 'string' | 'boolean' | 'vector';
  /** Values per row of a vector column (3 for a dipole); absent for scalars. */
  readonly width?: number;
  /** 'file' for properties read from the file, else the id of the predictor that produced it. */
  readonly source: string;
}

/** A file that could not be opened at all (unknown format, bad gzip, unreadable). */
export interface OpenFailure {
  readonly file: string;
  readonly message: string;
}

export interface OpenResult {
  readonly documents: readonly DocumentInfo[];
  readonly failures: readonly OpenFailure[];
  /** Files whose open was cancelled (cancelOpen): neither documents nor failures. Absent when none. */
  readonly cancelled?: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------
// Virtualised structure table
// ---------------------------------------------------------------------------------------------------------

/** Fixed sort keys, or any ColumnInfo.key of the document. */
export type SortKey = 'index' | 'name' | 'formula' | 'atoms' | (string & {});

export interface StructureFilter {
  /**
   * A search query (core/session/search/search-query.ts), terms ANDed: plain words are case-insensitive
   * substrings of name or formula (as this field always matched); `name:`, `formula:C6H6`, `smiles:` (same
   * molecule), `sub:` / `smarts:` (substructure), `gap>5`, `atoms<=20`, `energy:-10..-5`. A query that does not
   * parse, or names a column the document lacks, rejects listStructures with `search: … (at column N)`.
   */
  readonly text?: string;
  readonly minAtoms?: number;
  readonly maxAtoms?: number;
  /** Only periodic (true) or only molecules (false). */
  readonly periodic?: boolean;
}

export interface ListQuery {
  /** First row of the page in the sorted, filtered order (>= 0). */
  readonly offset: number;
  /** Rows wanted, 1..LIMITS.maxPageSize. */
  readonly limit: number;
  readonly sortBy?: SortKey;
  readonly descending?: boolean;
  readonly filter?: StructureFilter;
}

/** Scalar cell values shown in the table; vectors are shown as short arrays. */
export type SummaryValue = number | string | boolean | readonly number[] | null;

export interface StructureSummary {
  /** 0-based index of the structure within its document (stable under sorting and filtering). */
  readonly index: number;
  readonly name: string;
  /** Hill formula, e.g. 'C9H8O4'. */
  readonly formula: string;
  readonly atoms: number;
  readonly periodic: boolean;
  /** 1-based line of the record's first line in the file (0 when unknown). */
  readonly line: number;
  /** Values by ColumnInfo.key: file properties and predictions made so far. */
  readonly values: Readonly<Record<string, SummaryValue>>;
}

export interface StructurePage {
  readonly docId: DocumentId;
  /** Rows matching the filter (the virtual table's height). */
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly StructureSummary[];
}

/** An RDKit (or fallback) 2D depiction. `svg` is null when no depiction could be made, with `message` saying why. */
export interface Depiction {
  readonly svg: string | null;
  readonly message?: string;
}

export interface DepictionOptions {
  /** Pixels, 16..4096; defaults 300 x 220. */
  readonly width?: number;
  readonly height?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Predictors and jobs
// ---------------------------------------------------------------------------------------------------------

export interface PredictorInfo {
  readonly id: string;
  readonly description: string;
  readonly columns: readonly PredictionColumn[];
  readonly batchSize: number;
}

/** Batch prediction over all structures (or the listed indices) of one or more documents. */
export interface PredictJobRequest {
  readonly kind: 'predict';
  readonly docIds: readonly DocumentId[];
  /** A PredictorInfo.id. */
  readonly predictor: string;
  /** Restrict to these 0-based indices (only with a single document). */
  readonly indices?: readonly number[];
  /** Overrides the predictor's preferred batch size (1..4096). */
  readonly batchSize?: number;
  /** Higher runs first among queued jobs; FIFO within a priority. Default 0, range -10..10. */
  readonly priority?: number;
}

/**
 * A calculator (core/calc) as the UI sees it: energy, forces and stress for the samplers. `available` is false
 * (with `reason`) for one that is listed but cannot run here (xtb without libxtb or the executable); whether it
 * covers a given structure is `unsupportedReason` of `checkCalculators`.
 */
export interface CalculatorInfo extends CalculatorDescription {
  readonly available: boolean;
  readonly reason?: string;
}

/** For each calculator, why it cannot evaluate the given structures (the chooser greys it out), or null. */
export interface CalculatorCheck {
  readonly id: string;
  readonly reason: string | null;
}

/** 'anc': xtb's optimizer ANCopt (molecules only); 'fire' and 'lbfgs': ASE's. */
export type Optimizer = 'anc' | 'fire' | 'lbfgs';
/** ANCopt's convergence levels, as `xtb --opt LEVEL`. */
export type RelaxLevel = 'crude' | 'sloppy' | 'loose' | 'lax' | 'normal' | 'tight' | 'vtight' | 'extreme';
export const RELAX_LEVELS: readonly RelaxLevel[] = ['crude', 'sloppy', 'loose', 'lax', 'normal', 'tight', 'vtight', 'extreme'];
export type Thermostat = 'none' | 'langevin' | 'csvr' | 'nose-hoover';

/**
 * Geometry relaxation of structures (all, or the listed indices of one document). Output: a new document of
 * the relaxed structures (one per input that did not fail, in order) and, when `trajectory` is true (default for
 * a single structure), a trajectory document per structure with every step. Result rows: energy, fmax, steps, status.
 */
export interface RelaxJobRequest {
  readonly kind: 'relax';
  readonly docIds: readonly DocumentId[];
  readonly indices?: readonly number[];
  /** A CalculatorInfo.id. */
  readonly calculator: string;
  /** Default: 'anc' for molecules, 'fire' for periodic structures. */
  readonly optimizer?: Optimizer;
  /** ANCopt only: convergence as `xtb --opt LEVEL` (default 'normal'). */
  readonly level?: RelaxLevel;
  /** Convergence: largest force on a free atom, eV/Å (default 0.05). */
  readonly fmax?: number;
  /** Default 500. */
  readonly maxSteps?: number;
  /** Largest displacement per step, Å (default 0.2). */
  readonly maxStep?: number;
  /** 0-based atoms held in place (single document); POSCAR selective dynamics are always honoured. */
  readonly fixedAtoms?: readonly number[];
  /** Relax the cell of periodic structures from the stress (default false). */
  readonly relaxCell?: boolean;
  /** External pressure for cell relaxation, GPa (default 0). */
  readonly pressureGPa?: number;
  readonly trajectory?: boolean;
  readonly priority?: number;
}

/** Molecular dynamics of one structure. Output: a trajectory document, one frame every `every` steps. */
export interface MdJobRequest {
  readonly kind: 'md';
  readonly docId: DocumentId;
  readonly index: number;
  readonly calculator: string;
  /** Default 'langevin'. */
  readonly thermostat?: Thermostat;
  /** Target (and initial) temperature, K (default 300). */
  readonly temperature?: number;
  /** Time step, fs (default 0.5). */
  readonly timestep?: number;
  readonly steps: number;
  /** Frame interval in steps (default 10). */
  readonly every?: number;
  /** Seed of the initial velocities and the Langevin/CSVR noise (default 1). */
  readonly seed?: number;
  /** Langevin friction, 1/fs (default 0.01). */
  readonly friction?: number;
  /** CSVR / Nosé–Hoover time constant, fs (default 100). */
  readonly tau?: number;
  readonly fixedAtoms?: readonly number[];
  readonly priority?: number;
}

/**
 * A Boltzmann conformer ensemble of each molecule (all structures, or the listed indices of one document):
 * annealed Langevin dynamics with sequential Monte Carlo over a population of replicas, then relaxation,
 * deduplication (symmetry-aware heavy-atom RMSD and energy), an energy window and Boltzmann weights. Output: one
 * 'conformers' document per molecule, sorted by energy, with properties energy (eV), relative_energy (kcal/mol) and
 * boltzmann_weight. Result rows: one per molecule (conformers found, lowest energy, dropped, ESS).
 */
export interface ConformersJobRequest {
  readonly kind: 'conformers';
  readonly docIds: readonly DocumentId[];
  readonly indices?: readonly number[];
  readonly calculator: string;
  /** Replicas (default 32). */
  readonly population?: number;
  /** Annealing from this temperature, K (default 1200). */
  readonly startTemperature?: number;
  /** Down to the target temperature of the ensemble and its Boltzmann weights, K (default 298.15). */
  readonly temperature?: number;
  /** Temperature rungs (default 8). */
  readonly rungs?: number;
  /** Langevin steps per rung (default 200). */
  readonly stepsPerRung?: number;
  /** Resample when the effective sample size falls below this fraction of the population (default 0.5). */
  readonly essThreshold?: number;
  /** Energy window above the lowest conformer, kcal/mol (default 6). */
  readonly windowKcal?: number;
  /** Heavy-atom RMSD below which two conformers are the same, Å (default 0.125). */
  readonly rmsdThreshold?: number;
  /** Metropolis torsion rotations about rotatable bonds between Langevin steps (default true). */
  readonly torsionMoves?: boolean;
  readonly seed?: number;
  readonly priority?: number;
}

/**
 * A generator of 3D molecules as the Generate panel lists it: an EDM or GeoBFN file (`NAME.generator.json` under
 * assets/models) with its card, step limits, atom-count range, atom types and conditioning property.
 */
export interface GeneratorInfo {
  /** 'generator:NAME'. */
  readonly id: string;
  readonly name: string;
  /** The card title. */
  readonly title: string;
  /** Card description and training record, or why the file cannot be used. */
  readonly description: string;
  readonly family: 'edm' | 'geobfn';
  /** The most steps a run can use (EDM: its trained diffusion steps T; GeoBFN, continuous in time: 100000). */
  readonly timesteps: number;
  /** Steps of a run that gives none (EDM: T; GeoBFN: 100, its paper's sampler). */
  readonly defaultSteps: number;
  /** Atom counts with a non-zero probability in the training data (the sampled range). */
  readonly minAtoms: number;
  readonly maxAtoms: number;
  /** Atomic numbers the generator makes. */
  readonly species: readonly number[];
  /** The property a conditional generator takes as target (e.g. 'gap'), with its training mean and mean absolute deviation. */
  readonly property?: { readonly name: string; readonly mean: number; readonly mad: number };
  readonly available: boolean;
  readonly reason?: string;
}

/**
 * Generation of new molecules with a generator. Output: a 'generated' document of the molecules with their EDM
 * scores as properties (atom_stable_fraction, mol_stable, valid, smiles, unique, status, error), and with
 * `trajectory` (default true) a 'trajectory' document of the first molecule's denoising chain. Progress counts
 * network evaluations (denoising steps over all batches). Cancelling keeps the molecules of finished batches.
 */
export interface GenerateJobRequest {
  readonly kind: 'generate';
  /** A GeneratorInfo.id. */
  readonly generator: string;
  /** Molecules to make (1..100000). */
  readonly count: number;
  /** Atoms of every molecule; omitted: drawn per molecule from the training data's atom counts. */
  readonly atoms?: number;
  /** Denoising steps (1..GeneratorInfo.timesteps, default GeneratorInfo.defaultSteps). */
  readonly steps?: number;
  /**
   * Where the steps go (core/generative/step-schedules.ts; default 'uniform', the papers' samplers): 'log-snr',
   * 'karras' (ρ = 7) or 'measured' (equidistributes the rate of a seeded 8-molecule pilot run).
   */
  readonly schedule?: 'uniform' | 'log-snr' | 'karras' | 'measured';
  /** Default 1. The same seed, count, steps, schedule and batch size give the same molecules. */
  readonly seed?: number;
  /** Property target of a conditional generator, in the property's units (e.g. gap 6.5 eV). */
  readonly target?: { readonly property: string; readonly value: number };
  /** Keep the first molecule's denoising trajectory (default true). */
  readonly trajectory?: boolean;
  /** A trajectory frame every this many steps (default: about 50 frames). */
  readonly trajectoryEvery?: number;
  /** Molecules denoised together (1..256, default 32). */
  readonly batchSize?: number;
  readonly priority?: number;
}

// ----- Train and label jobs (issue 14) -----

/** Model families a train job can build (main/train/family-recipes.ts). */
export const TRAIN_FAMILIES = ['mace', 'egnn', 'tdn', 'escn', 'faenet'] as const;
export type TrainFamily = (typeof TRAIN_FAMILIES)[number];
/** Width presets of a family: 'tiny' for a quick look, 'small', or the family's defaults ('standard'). */
export const TRAIN_SIZES = ['tiny', 'small', 'standard'] as const;
export type TrainSize = (typeof TRAIN_SIZES)[number];

/**
 * Training (or fine-tuning) an energy model on the labelled structures of open documents (the run `equimol train`
 * makes, main/train/train-runner.ts). Needs the desktop app (files and Node): a session without a trainer refuses
 * it with the reason. The model is written to the user's models folder as NAME.model.json (+ card, plots) and is
 * listed as predictor and calculator `model:NAME` once the job ends; cancelling keeps the best checkpoint.
 */
export interface TrainJobRequest {
  readonly kind: 'train';
  /** The data: every structure of these documents (their file properties and per-atom arrays are the labels). */
  readonly docIds: readonly DocumentId[];
  /** 'energy:eV', 'forces:eV/Å' (default both; the unit of the values in the data, converted to eV and eV/Å). */
  readonly targets?: readonly string[];
  /** The property holding the energy and the per-atom array holding the forces (defaults 'energy', 'forces'). */
  readonly energyKey?: string;
  readonly forcesKey?: string;
  /** Default 'mace' (ignored with `init`, which brings its own). */
  readonly family?: TrainFamily;
  readonly size?: TrainSize;
  /** Default 'random'; 'name' keeps all frames of a molecule on one side. */
  readonly split?: 'random' | 'name' | 'scaffold';
  /** Fractions (defaults 0.1 and 0.1). */
  readonly validation?: number;
  readonly test?: number;
  /** Budget per member: at most this many epochs (default 100 without minutes) and/or minutes of wall time. */
  readonly epochs?: number;
  readonly minutes?: number;
  /** Ensemble members (default 1). */
  readonly members?: number;
  /** Fine-tune this model (a PredictorInfo id 'model:NAME'). */
  readonly init?: string;
  /** Fine-tuning: train only the readout first, all weights after `unfreezeAfter` epochs. */
  readonly freezeTrunk?: boolean;
  readonly unfreezeAfter?: number;
  /** Fine-tuning on another level of theory: refit the reference energies on the new data. */
  readonly refitReferenceEnergies?: boolean;
  /** The new model's name (letters, digits, '-', '_', '.'): model:NAME. */
  readonly name: string;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly priority?: number;
}

/** Why a session without a trainer (web mode) refuses train jobs; the Train dialog shows it too. */
export const TRAIN_NEEDS_DESKTOP_REASON = 'Training needs the desktop app: it writes model files to your models folder and runs on Node (web mode has neither).';

/** One finished epoch of a train job (the live learning curve). */
export interface TrainCurvePoint {
  readonly member: number;
  readonly epoch: number;
  /** Mean training loss of the epoch. */
  readonly loss: number;
  /** Validation energy MAE, meV/atom, and force MAE, meV/Å (NaN when not a target). */
  readonly validationEnergy: number;
  readonly validationForces: number;
  readonly learningRate: number;
}

/** Test-split metrics of a trained model (meV; NaN when not measured). */
export interface TrainTestMetrics {
  readonly structures: number;
  readonly energyMAE_meV_per_atom: number;
  readonly energyMAE_meV: number;
  readonly forceMAE_meV_per_A: number;
}

/** Live state of a train job: JobProgress.sampler.train. */
export interface TrainJobStatus {
  readonly stage: 'reading' | 'training' | 'testing' | 'done';
  /** 0-based member and their number. */
  readonly member: number;
  readonly members: number;
  /** 0-based epoch, the epoch budget, the step in the epoch and steps per epoch. */
  readonly epoch: number;
  readonly maxEpochs: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly loss: number;
  readonly learningRate: number;
  /** Seconds left in this member, when known. */
  readonly etaSeconds?: number;
  readonly bestEpoch?: number;
  /** Split sizes once the data is read. */
  readonly data?: { readonly train: number; readonly validation: number; readonly test: number; readonly skipped: number; readonly split: string };
  /** Every finished epoch so far, in order (the learning curves). */
  readonly curve: readonly TrainCurvePoint[];
  /** Once the job ended (done or cancelled with a checkpoint): the model and its test metrics. */
  readonly result?: {
    /** 'model:NAME', listed as predictor and calculator. */
    readonly modelId: string;
    readonly files: readonly string[];
    readonly stoppedBy: string;
    readonly test?: TrainTestMetrics;
    /** The parity plot of the test split (SVG text), when the run wrote one. */
    readonly paritySvg?: string;
  };
}

/**
 * Labelling structures with a calculator (xtb): energy (eV), forces (eV/Å), and where the calculator gives them
 * atomic charges (e), dipole and dipole_norm (D), homo, lumo and gap (eV), the keys and units of
 * shared/datasets/qm9_xtb. Output: a 'labelled' document of the labelled structures (failed ones left out, each
 * an error row naming the structure); result rows: energy, gap, dipole_norm, fmax.
 */
export interface LabelJobRequest {
  readonly kind: 'label';
  readonly docIds: readonly DocumentId[];
  readonly indices?: readonly number[];
  /** A CalculatorInfo.id (e.g. 'xtb'). */
  readonly calculator: string;
  readonly priority?: number;
}

/** Every kind of job; new kinds (train) join this union. */
export type JobRequest = PredictJobRequest | RelaxJobRequest | MdJobRequest | ConformersJobRequest | GenerateJobRequest
  | TrainJobRequest | LabelJobRequest;
export type JobKind = JobRequest['kind'];

/** Live state of a sampler job (relax, md, conformers): the current step of the current structure. */
export interface SamplerJobStatus {
  readonly step: number;
  readonly totalSteps: number;
  /** Potential energy, eV. */
  readonly energy: number;
  /** eV/Å. */
  readonly fmax?: number;
  /** K. */
  readonly temperature?: number;
  /** fs of simulated time (md). */
  readonly time?: number;
  /** Conformers: the annealing rung (0-based), their number, and the Kish effective sample size of each rung so far. */
  readonly rung?: number;
  readonly rungs?: number;
  readonly ess?: readonly number[];
  /** Conformers and generate: which stage runs. */
  readonly stage?: 'embedding' | 'annealing' | 'relaxing' | 'deduplicating' | 'denoising' | 'scoring';
  /** Generate: molecules finished and asked for (step and totalSteps count the current batch's denoising steps; energy is NaN). */
  readonly molecules?: number;
  readonly totalMolecules?: number;
  /** Train jobs (step and totalSteps count epochs over all members; energy is NaN): epoch, loss, validation metrics, learning curve and, at the end, the model and its test metrics. */
  readonly train?: TrainJobStatus;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** A job's progress snapshot; sent as an event on every batch and on each state change. */
export interface JobProgress {
  readonly id: JobId;
  readonly kind: JobKind;
  /** Short human label, e.g. 'geometry on aspirin.sdf (+1)'. */
  readonly label: string;
  readonly state: JobState;
  /** Structures processed (successful or error rows); monotone non-decreasing. */
  readonly done: number;
  readonly total: number;
  /** Structures that produced an error row so far. */
  readonly failed: number;
  /** Structures per second over the running time (0 before the first batch). */
  readonly rate: number;
  /** Seconds left at the current rate; null while unknown. */
  readonly etaSeconds: number | null;
  /** Seconds spent running (excludes time queued). */
  readonly elapsedSeconds: number;
  /** Why the job failed (state 'failed'), or why a sampler stopped early (the step and the atoms). */
  readonly message?: string;
  /** What `done` and `total` count: structures (predict, batch relax) or steps (md, a single relax). */
  readonly unit?: 'structures' | 'steps';
  /** Sampler jobs: the current step. */
  readonly sampler?: SamplerJobStatus;
  /** Documents this job made (relaxed structures, trajectories), as soon as they exist. */
  readonly outputDocIds?: readonly DocumentId[];
}

export interface JobResultRow {
  readonly docId: DocumentId;
  readonly index: number;
  readonly name: string;
  /** Predicted values by PredictionColumn.key; empty on an error row. */
  readonly values: Readonly<Record<string, PredictionValue>>;
  readonly error?: string;
}

export interface JobResultPage {
  readonly jobId: JobId;
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly JobResultRow[];
}

export interface PageQuery {
  readonly offset: number;
  readonly limit: number;
}

/** Export targets: a results table, or structures with their predicted values as properties. */
export type ExportFormat = 'csv' | 'sdf' | 'extxyz' | 'pdb' | 'poscar';

/** Bytes ready to save (save dialog in Electron, a download in web mode). */
export interface ExportedFile {
  /** Suggested file name, e.g. 'aspirin-geometry.csv'. */
  readonly fileName: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
  /** Records written. */
  readonly records: number;
}

// ---------------------------------------------------------------------------------------------------------
// Settings, app, events
// ---------------------------------------------------------------------------------------------------------

export type Theme = 'system' | 'light' | 'dark';
export type ViewerStyle = 'ball-and-stick' | 'spacefill' | 'sticks' | 'wireframe';

/**
 * Pane sizes and collapsed panels, by the UI's own keys (e.g. 'sidePanel.width': 320, 'jobs.collapsed': true).
 * Opaque to the compute side, which checks only the shape: at most LIMITS.maxLayoutEntries keys of letters,
 * digits, '.', '_' or '-' (up to 64 characters), each a finite number, a boolean or a string of up to 64 characters.
 */
export type LayoutState = Readonly<Record<string, number | boolean | string>>;

export interface Settings {
  readonly theme: Theme;
  readonly viewerStyle: ViewerStyle;
  readonly showCell: boolean;
  readonly showLabels: boolean;
  /**
   * Most recent first, at most LIMITS.maxRecentFiles. Desktop: absolute paths. Web mode: file names whose bytes
   * the browser keeps (IndexedDB); openPaths reopens them there.
   */
  readonly recentFiles: readonly string[];
  /** Jobs run at the same time (1..8). */
  readonly maxConcurrentJobs: number;
  /** Pane sizes and collapsed panels (see LayoutState). */
  readonly layout: LayoutState;
}

export type SettingsPatch = Partial<Settings>;

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  readonly apiVersion: number;
  /** 'electron': native dialogs and file paths; 'web': downloads and <input type=file>. */
  readonly platform: 'electron' | 'web';
  /** Structure formats that can be opened: id, name, extensions; `writable` when export is possible. */
  readonly formats: readonly FormatInfo[];
  /**
   * Problems found restoring what was stored (corrupt settings, a kept file that could not be read or opened): each
   * was reported here and ignored. Absent when there were none.
   */
  readonly notices?: readonly string[];
}

export interface FormatInfo {
  readonly id: string;
  readonly name: string;
  readonly extensions: readonly string[];
  /** Exact base names recognised regardless of extension, e.g. ['POSCAR', 'CONTCAR']. */
  readonly fileNames?: readonly string[];
  readonly writable: boolean;
}

export interface SaveRequest {
  readonly suggestedName: string;
  readonly bytes: Uint8Array;
}

export interface SaveResult {
  /** False when the user cancelled the dialog. */
  readonly saved: boolean;
  /** Where it went (Electron); undefined in web mode or when cancelled. */
  readonly path?: string;
}

/** Commands from the native menu (Electron) that the UI carries out. */
export type MenuCommand =
  | { readonly id: 'open' }
  | { readonly id: 'export' }
  | { readonly id: 'open-session' }
  | { readonly id: 'save-session' }
  | { readonly id: 'close-document' }
  | { readonly id: 'set-viewer-style'; readonly style: ViewerStyle }
  | { readonly id: 'toggle-cell' }
  | { readonly id: 'toggle-labels' }
  | { readonly id: 'reset-view' }
  | { readonly id: 'about' };

/** Everything pushed to the UI. */
export type EquimolEvent =
  | { readonly type: 'job-progress'; readonly progress: JobProgress }
  /**
   * A file being opened (openFiles / openPaths still pending): once when it starts, on every phase change, about
   * every 100 ms while it reads, then once in its final state ('done' carries its document, listed from then on).
   */
  | { readonly type: 'open-progress'; readonly progress: OpenProgress }
  /** A document changed (e.g. a job added predicted columns); refetch pages you show. */
  | { readonly type: 'document-changed'; readonly document: DocumentInfo }
  /** Files opened outside the UI: OS file association, second instance, Open Recent menu. */
  | { readonly type: 'files-opened'; readonly result: OpenResult }
  | { readonly type: 'settings-changed'; readonly settings: Settings }
  /**
   * The compute side stopped unexpectedly and was restarted (Electron): open documents, jobs and results are
   * gone (settings are kept). Drop what you show and refetch listDocuments / listJobs.
   */
  | { readonly type: 'compute-restarted'; readonly reason: string }
  | { readonly type: 'menu'; readonly command: MenuCommand };

/** Opaque id of one file being opened (one per file of an openFiles / openPaths call); see cancelOpen. */
export type OpenId = string;

/**
 * What an open is doing: 'reading' the head and loading toolkits, 'parsing' records as bytes arrive, or
 * 'embedding' SMILES rows into 3D one by one (seconds each; runs in the background, after other files' parsing).
 */
export type OpenPhase = 'reading' | 'parsing' | 'embedding';
export const OPEN_PHASES: readonly OpenPhase[] = ['reading', 'parsing', 'embedding'];

/** 'running' until the end; 'cancelled' (cancelOpen) keeps nothing: no document is made from a cancelled open. */
export type OpenState = 'running' | 'done' | 'failed' | 'cancelled';

/** Progress of one file being opened. Within one phase `completed` never decreases; phases only move forward. */
export interface OpenProgress {
  readonly openId: OpenId;
  /** File name as given to openFiles (or the path for openPaths). */
  readonly file: string;
  readonly phase: OpenPhase;
  readonly state: OpenState;
  /** Progress in this phase: bytes ('reading', 'parsing') or records ('embedding'); completed = total when done. */
  readonly completed: number;
  readonly total: number;
  readonly unit: 'bytes' | 'records';
  /** Bytes of the file consumed so far (compressed bytes for .gz) and the file size. */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Structures read so far, and records that failed so far. */
  readonly records: number;
  readonly failedRecords: number;
  /** True in the final event (state is not 'running'). */
  readonly done: boolean;
  /** Milliseconds since the open started. */
  readonly elapsedMs: number;
  /** State 'done': the document, listed from this event on (before openFiles resolves). */
  readonly document?: DocumentInfo;
  /** State 'failed': why the whole file could not be opened. */
  readonly message?: string;
}

export type EquimolEventListener = (event: EquimolEvent) => void;
export type Unsubscribe = () => void;

// ---------------------------------------------------------------------------------------------------------
// Session files (.equimol-session.json; core/session/session-file.ts reads and writes them)
// ---------------------------------------------------------------------------------------------------------

/** Integer repeats along a, b, c (1..LIMITS.maxSupercellRepeat). */
export type Supercell = readonly [number, number, number];

/** What the UI shows of one open document: kept in a session file beside the file itself. */
export interface SessionDocumentView {
  readonly docId: DocumentId;
  /** 0-based record shown, or null for none. */
  readonly selectedRecord: number | null;
  readonly supercell: Supercell;
}

/** A measurement of the UI: 2 atoms (distance), 3 (angle at the middle one) or 4 (dihedral), 0-based. */
export interface SessionMeasurement {
  readonly docId: DocumentId;
  readonly record: number;
  readonly atoms: readonly number[];
  /** Periodic image of each atom (integer cell offsets), as many as atoms; absent: the home cell. */
  readonly images?: readonly (readonly [number, number, number])[];
}

/** The UI's state a session file keeps: which document is active, each one's record and supercell, measurements. */
export interface SessionViewState {
  readonly activeDocId: DocumentId | null;
  /** Documents the view does not name get record null and supercell 1×1×1. */
  readonly documents: readonly SessionDocumentView[];
  readonly measurements?: readonly SessionMeasurement[];
}

/** A session file opened: its documents (new ids) with their views, or a failure for each file that was missing. */
export interface SessionOpenResult extends OpenResult {
  readonly activeDocId: DocumentId | null;
  /** One per opened document, in the session's order. */
  readonly views: readonly SessionDocumentView[];
  /** The measurements whose documents opened. */
  readonly measurements: readonly SessionMeasurement[];
  /** Settings after the session's theme and viewer style were applied. */
  readonly settings: Settings;
}

// ---------------------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------------------

export interface EquimolApi {
  getAppInfo(): Promise<AppInfo>;

  // documents
  /** Opens files handed over as bytes; each file becomes a document or an OpenFailure, never a rejection. */
  openFiles(files: readonly FileInput[]): Promise<OpenResult>;
  /**
   * Opens files from disk by absolute path (Electron), adding them to recent files. Web mode: reopens recent files
   * by name from the browser's store (a name it does not keep is a failure).
   */
  openPaths(paths: readonly string[]): Promise<OpenResult>;
  /** Native open dialog then openPaths (Electron); web mode uses <input type=file> then openFiles. */
  showOpenDialog(): Promise<OpenResult>;
  /**
   * Stops a file being opened (its id from an 'open-progress' event): reports it 'cancelled' at once (its
   * openFiles result lists it under `cancelled`) and builds no document. A finished open is returned unchanged;
   * an unknown id rejects.
   */
  cancelOpen(openId: OpenId): Promise<OpenProgress>;
  listDocuments(): Promise<readonly DocumentInfo[]>;
  getDocument(docId: DocumentId): Promise<DocumentInfo>;
  closeDocument(docId: DocumentId): Promise<void>;

  // structures
  listStructures(docId: DocumentId, query: ListQuery): Promise<StructurePage>;
  /** Full structure for the viewer (typed arrays, bonds, cell, properties). */
  getStructure(docId: DocumentId, index: number): Promise<Structure>;
  getDepiction(docId: DocumentId, index: number, options?: DepictionOptions): Promise<Depiction>;
  /** Writes a document's structures (all, or the listed indices), with predicted values as properties. */
  exportDocument(docId: DocumentId, format: ExportFormat, indices?: readonly number[]): Promise<ExportedFile>;
  /** Numeric per-structure columns (energy, fmax, temperature, time ...) of every structure, for plots. */
  getColumnValues(docId: DocumentId, keys: readonly string[]): Promise<ColumnValues>;

  // calculators (relax, md)
  listCalculators(): Promise<readonly CalculatorInfo[]>;
  /** Which calculators can evaluate these structures (all of the documents, or the listed indices of one). */
  checkCalculators(docId: DocumentId, indices?: readonly number[]): Promise<readonly CalculatorCheck[]>;

  // generators (generate jobs)
  listGenerators(): Promise<readonly GeneratorInfo[]>;

  // predictors and jobs
  listPredictors(): Promise<readonly PredictorInfo[]>;
  /** Queues a job; resolves at once with its first progress snapshot (state 'queued' or 'running'). */
  startJob(request: JobRequest): Promise<JobProgress>;
  /** Cancels a queued or running job; resolves with its final snapshot (state 'cancelled' unless already finished). */
  cancelJob(jobId: JobId): Promise<JobProgress>;
  listJobs(): Promise<readonly JobProgress[]>;
  getJobResults(jobId: JobId, query: PageQuery): Promise<JobResultPage>;
  /** Results of a job as bytes: 'csv' (one row per structure), 'sdf' / 'extxyz' (structures + predictions). */
  exportJob(jobId: JobId, format: ExportFormat): Promise<ExportedFile>;

  // settings and saving
  getSettings(): Promise<Settings>;
  setSettings(patch: SettingsPatch): Promise<Settings>;
  /** Save dialog then write (Electron); a download in web mode. */
  saveFile(request: SaveRequest): Promise<SaveResult>;

  // session files
  /**
   * The open files (not documents jobs made) with the view as a session file, NAME.equimol-session.json (save it
   * with saveFile): each file by path where it came from disk, else embedded (base64, up to
   * LIMITS.maxSessionEmbedBytes each and LIMITS.maxSessionEmbedTotalBytes together), else by name; plus the theme
   * and viewer style.
   */
  saveSession(view: SessionViewState): Promise<ExportedFile>;
  /**
   * Opens a session file: rejects with a message naming the field when it is not a valid session file; otherwise
   * opens its files (a file that cannot be had is a failure: 'missing'), applies its theme and viewer style, and
   * returns the new documents with their views.
   */
  openSession(file: FileInput): Promise<SessionOpenResult>;

  /** Receives every EquimolEvent until the returned function is called. Not an IPC invoke. */
  subscribe(listener: EquimolEventListener): Unsubscribe;
}

/** The methods that are request/response calls (everything but subscribe). */
export type EquimolMethod = Exclude<keyof EquimolApi, 'subscribe'>;
export type EquimolArgs<M extends EquimolMethod> = Parameters<EquimolApi[M]>;
export type EquimolResult<M extends EquimolMethod> = Awaited<ReturnType<EquimolApi[M]>>;

/** Every invoke method, in a fixed order: preload, main handlers and validation are all built from this list. */
export const EQUIMOL_METHODS = [
  'getAppInfo',
  'openFiles',
  'openPaths',
  'showOpenDialog',
  'cancelOpen',
  'listDocuments',
  'getDocument',
  'closeDocument',
  'listStructures',
  'getStructure',
  'getDepiction',
  'exportDocument',
  'getColumnValues',
  'listCalculators',
  'checkCalculators',
  'listGenerators',
  'listPredictors',
  'startJob',
  'cancelJob',
  'listJobs',
  'getJobResults',
  'exportJob',
  'getSettings',
  'setSettings',
  'saveFile',
  'saveSession',
  'openSession',
] as const satisfies readonly EquimolMethod[];

// Compile-time check that EQUIMOL_METHODS lists every method: fails to typecheck if one is missing.
type MissingMethods = Exclude<EquimolMethod, (typeof EQUIMOL_METHODS)[number]>;
const _everyMethodListed: [MissingMethods] extends [never] ? true : MissingMethods = true;
void _everyMethodListed;

/** IPC channel of an invoke method. */
export function channelOf(method: EquimolMethod): string {
  return `equimol:${method}`;
}

/** Every invoke channel, derived from EQUIMOL_METHODS. */
export const EQUIMOL_CHANNELS: readonly string[] = EQUIMOL_METHODS.map(channelOf);

/** The one channel main uses to push EquimolEvents to the renderer. */
export const EQUIMOL_EVENT_CHANNEL = 'equimol:event';

/** The name under which preload exposes the API: `window.equimol`. */
export const EQUIMOL_GLOBAL = 'equimol';

export function isEquimolMethod(name: unknown): name is EquimolMethod {
  return typeof name === 'string' && (EQUIMOL_METHODS as readonly string[]).includes(name);
}

/** Method of an invoke channel, or undefined for an unknown channel. */
export function methodOfChannel(channel: string): EquimolMethod | undefined {
  if (!channel.startsWith('equimol:')) return undefined;
  const name = channel.slice('equimol:'.length);
  return isEquimolMethod(name) ? name : undefined;
}

/** Settings a fresh install starts with. */
export const DEFAULT_SETTINGS: Settings = {
  theme: 'system',
  viewerStyle: 'ball-and-stick',
  showCell: true,
  showLabels: false,
  recentFiles: [],
  maxConcurrentJobs: 1,
  layout: {},
};

import type { Structure } from '../structure/structure';

/** One output column of a predictor, with its unit for headers and plots. */
export interface PredictionColumn {
  readonly key: string;
  readonly label: string;
  /** 'eV', 'Debye', 'Å²', '' for dimensionless ... */
  readonly unit: string;
  readonly kind: 'number' | 'string' | 'vector';
  /** Width of a vector column (3 for a dipole); 1 otherwise. */
  readonly width?: number;
}

export type PredictionValue = number | string | readonly number[] | null;

/** Values for one structure; per-atom outputs (charges, forces) go in atomArrays, [nAtoms * width]. */
export interface Prediction {
  readonly values: Readonly<Record<string, PredictionValue>>;
  readonly atomArrays?: Readonly<Record<string, { readonly width: number; readonly data: Float64Array }>>;
  /**
   * A new structure the values belong to, when the predictor makes one (a relaxation's final geometry): the row
   * and structure outputs carry it instead of the input structure.
   */
  readonly structure?: Structure;
}

/**
 * Anything that turns structures into numbers: RDKit descriptors, an equivariant model, xTB.
 * `predict` receives a batch and returns one result per structure, in order; a structure it cannot handle
 * yields an Error in its slot (it becomes an error row) rather than failing the batch.
 */
export interface Predictor {
  readonly id: string;
  readonly description: string;
  readonly columns: readonly PredictionColumn[];
  /** Preferred batch size for throughput. */
  readonly batchSize: number;
  prepare?(): Promise<void>;
  predict(batch: readonly Structure[], signal?: AbortSignal): Promise<ReadonlyArray<Prediction | Error>>;
  dispose?(): void;
}

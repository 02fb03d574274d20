/**
 * Sampler output as documents: each SamplerFrame (core/sampling/frames.ts) becomes a Structure whose properties
 * are step, energy (eV), fmax (eV/Å) and, for MD, time (fs), kinetic and total energy (eV), temperature (K) and
 * pressure (GPa), with per-atom forces (eV/Å) and velocities (Å/fs); the table lists frames with these columns
 * and getColumnValues gives them to plots. A JobDocument grows while its job runs and is kept, with the frames
 * so far, when the job stops or is cancelled.
 */
import type { DocumentOrigin } from '../../contract/equimol-api';
import type { SamplerFrame } from '../../sampling/frames';
import { createStructure, type AtomArray, type PropertyValue, type Structure } from '../../structure/structure';
import type { DocumentService } from '../document-service';
import type { ColumnLabel, OpenDocument } from '../documents';
import { yieldToEventLoop, type JobContext } from '../job-queue';
import { GPA_PER_EV_PER_A3 } from '../../calc/calculator';


/** Labels and units of the frame properties. */
export const FRAME_COLUMN_LABELS: Readonly<Record<string, ColumnLabel>> = {
  step: { label: 'Step', unit: '' },
  energy: { label: 'Energy', unit: 'eV' },
  fmax: { label: 'Largest force', unit: 'eV/Å' },
  time: { label: 'Time', unit: 'fs' },
  kinetic: { label: 'Kinetic energy', unit: 'eV' },
  total: { label: 'Total energy', unit: 'eV' },
  temperature: { label: 'Temperature', unit: 'K' },
  pressure: { label: 'Pressure', unit: 'GPa' },
  steps: { label: 'Steps', unit: '' },
  converged: { label: 'Converged (1 yes, 0 no)', unit: '' },
};

/** A frame of `source`'s sampling as a structure (new arrays; the source's atoms, charge and bonds). */
export function frameStructure(source: Structure, frame: SamplerFrame, name: string): Structure {
  const properties: Record<string, PropertyValue> = { step: frame.step, energy: frame.energy, fmax: frame.fmax };
  if (frame.time !== undefined) properties['time'] = frame.time;
  if (frame.kinetic !== undefined) properties['kinetic'] = frame.kinetic;
  if (frame.total !== undefined) properties['total'] = frame.total;
  if (frame.temperature !== undefined) properties['temperature'] = frame.temperature;
  if (frame.pressure !== undefined) properties['pressure'] = frame.pressure * GPA_PER_EV_PER_A3;
  if (frame.stress) properties['stress'] = Array.from(frame.stress);
  const atomArrays: Record<string, AtomArray> = { forces: { kind: 'float', width: 3, data: Float64Array.from(frame.forces) } };
  if (frame.velocities) atomArrays['velocities'] = { kind: 'float', width: 3, data: Float64Array.from(frame.velocities) };
  const cell = frame.cell ?? source.cell;
  return createStructure({
    name,
    numbers: source.numbers,
    positions: frame.positions,
    ...(source.bonds ? { bonds: source.bonds } : {}),
    ...(source.formalCharges ? { formalCharges: source.formalCharges } : {}),
    charge: source.charge,
    multiplicity: source.multiplicity,
    ...(cell ? { cell } : {}),
    pbc: source.pbc,
    properties,
    atomArrays,
  });
}

/** A document a job writes: created with its first structure, listed in the job's outputDocIds, live until `finish`. */
export class JobDocument {
  private document: OpenDocument | undefined;

  constructor(
    private readonly documents: DocumentService,
    private readonly context: JobContext,
    private readonly name: string,
    private readonly origin: Omit<DocumentOrigin, 'live'>,
  ) {}

  get id(): string | undefined {
    return this.document?.id;
  }

  get count(): number {
    return this.document?.count ?? 0;
  }

  add(structure: Structure): void {
    if (!this.document) {
      this.document = this.documents.create(this.name, [structure], { origin: { ...this.origin, live: true }, columnLabels: FRAME_COLUMN_LABELS });
      this.context.addOutputDocument(this.document.id);
      return;
    }
    this.document.append([structure]);
    this.documents.changed(this.document.id, false);
  }

  /** The job stopped adding: the document is no longer live (announced at once). */
  finish(): void {
    if (!this.document) return;
    this.document.origin = { ...this.origin, live: false };
    this.documents.changed(this.document.id, true);
  }
}

/** Lets IPC calls and cancellation through during a fast sampler: a macrotask turn every `intervalMs`. */
export function createYielder(intervalMs = 20): () => Promise<void> {
  const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
  let last = clock();
  return async () => {
    if (clock() - last < intervalMs) return;
    await yieldToEventLoop();
    last = clock();
  };
}

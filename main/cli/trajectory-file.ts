/**
 * Sampler frames (core/sampling/frames.ts) as extended-XYZ trajectory files that ASE reads back
 * (`ase.io.read(path, ':')`): each frame is one structure whose info line carries the per-frame values and whose
 * per-atom columns carry forces and velocities. Frames are written as they arrive (flushed at least every
 * `flushMs`), so a run stopped by Ctrl-C or a watchdog keeps every frame it made.
 *
 * Keys and units (ASE 3.22.1 ase/io/extxyz.py puts `energy` and `forces` into a SinglePointCalculator, so
 * `atoms.get_potential_energy()` and `atoms.get_forces()` work; other keys land in `atoms.info` / `atoms.arrays`):
 *   info    step, energy (eV), fmax (eV/Å); MD: time (fs), kinetic, total (eV), temperature (K), pressure (eV/Å³);
 *           stress (eV/Å³, 3×3, ASE sign) for periodic cells
 *   arrays  forces (eV/Å); MD: velocities (Å/fs) and momenta in ASE's units (amu·Å per ASE time unit,
 *           1 ASE time unit = Å·√(amu/eV) ≈ 10.18 fs), so `atoms.get_velocities()`, `get_kinetic_energy()` (eV)
 *           and `get_temperature()` (K) of the read-back Atoms agree with the frame's own values.
 */
import { createExtxyzWriter } from '../../core/formats/xyz/writer';
import { elementOf } from '../../core/structure/elements';
import type { SamplerFrame } from '../../core/sampling/frames';
import { ASE_FS } from '../../core/sampling/md/units';
import { createStructure, type AtomArray, type PropertyValue, type Structure } from '../../core/structure/structure';
import { FileTextSink } from '../io/files';

/** Per-atom keys of the input that describe its own geometry, not the frame's. */
const STALE_ARRAYS = ['forces', 'velocities', 'momenta', 'energies', 'stresses'];
const STALE_PROPERTIES = ['energy', 'free_energy', 'stress', 'virial', 'fmax', 'step', 'time', 'kinetic', 'total', 'temperature', 'pressure'];

/** One frame of `structure` as a structure of its own (positions, cell, values and per-atom arrays of the frame). */
export function frameStructure(structure: Structure, frame: SamplerFrame): Structure {
  const properties: Record<string, PropertyValue> = {};
  for (const [key, value] of Object.entries(structure.properties)) if (!STALE_PROPERTIES.includes(key)) properties[key] = value;
  properties['step'] = frame.step;
  properties['energy'] = frame.energy;
  properties['fmax'] = frame.fmax;
  if (frame.time !== undefined) properties['time'] = frame.time;
  if (frame.kinetic !== undefined) properties['kinetic'] = frame.kinetic;
  if (frame.total !== undefined) properties['total'] = frame.total;
  if (frame.temperature !== undefined) properties['temperature'] = frame.temperature;
  if (frame.pressure !== undefined) properties['pressure'] = frame.pressure;
  if (frame.stress) properties['stress'] = Array.from(frame.stress);
  const atomArrays: Record<string, AtomArray> = {};
  for (const [key, array] of Object.entries(structure.atomArrays)) if (!STALE_ARRAYS.includes(key)) atomArrays[key] = array;
  atomArrays['forces'] = { kind: 'float', width: 3, data: Float64Array.from(frame.forces) };
  if (frame.velocities) {
    atomArrays['velocities'] = { kind: 'float', width: 3, data: Float64Array.from(frame.velocities) };
    const momenta = new Float64Array(frame.velocities.length);
    for (let i = 0; i < structure.numbers.length; i++) {
      const mass = elementOf(structure.numbers[i]!).mass; // amu
      for (let k = 0; k < 3; k++) momenta[3 * i + k] = (mass * frame.velocities[3 * i + k]!) / ASE_FS;
    }
    atomArrays['momenta'] = { kind: 'float', width: 3, data: momenta };
  }
  const cell = frame.cell ?? structure.cell;
  return createStructure({
    name: structure.name,
    numbers: structure.numbers,
    positions: Float64Array.from(frame.positions),
    charge: structure.charge,
    multiplicity: structure.multiplicity,
    ...(cell ? { cell: Float64Array.from(cell) } : {}),
    pbc: structure.pbc,
    properties,
    atomArrays,
  });
}

/** An extXYZ trajectory file being written frame by frame. */
export class TrajectoryFile {
  private readonly writer = createExtxyzWriter();
  private count = 0;

  private constructor(
    private readonly sink: FileTextSink,
    readonly path: string,
  ) {}

  /** Truncates `path`; frames reach the disk at least every `flushMs` (default 500 ms) and on close. */
  static async open(path: string, flushMs = 500): Promise<TrajectoryFile> {
    return new TrajectoryFile(await FileTextSink.open(path, 'w', 1 << 20, flushMs), path);
  }

  get frames(): number {
    return this.count;
  }

  async write(structure: Structure, frame: SamplerFrame): Promise<void> {
    await this.sink.write(this.writer.write(frameStructure(structure, frame), this.count));
    this.count++;
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}

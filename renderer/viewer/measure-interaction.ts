/**
 * Measuring in the viewer: collecting clicked atom images into a distance, angle or dihedral (MeasurePicker),
 * evaluating a measurement on the shown structure, and drawing measurements as dashed lines with value labels.
 */
import { BufferGeometry, Float32BufferAttribute, Group, LineDashedMaterial, LineSegments } from 'three';
import type { LabelFactory, LabelStyle } from './labels';
import { formatMeasure, measurePoints } from './measure';
import type { AtomHit } from './picking';
import type { CellImage, InteractionMode, Measurement, MeasureResult, Vec3 } from './viewer-api';

/** Atoms a measurement of each measure mode takes; 0 for 'select'. */
export function atomsNeeded(mode: InteractionMode): number {
  return mode === 'distance' ? 2 : mode === 'angle' ? 3 : mode === 'dihedral' ? 4 : 0;
}

/** The atom images picked so far for the measurement under way. */
export class MeasurePicker {
  private picks: AtomHit[] = [];

  get pending(): readonly AtomHit[] {
    return this.picks;
  }

  reset(): void {
    this.picks = [];
  }

  /**
   * A click in `mode`: a miss (null) drops the picks so far; a hit adds its atom image and, when that completes
   * the mode's atom count, returns the measurement (and starts over). 'select' collects nothing.
   */
  click(mode: InteractionMode, hit: AtomHit | null): Measurement | null {
    const needed = atomsNeeded(mode);
    if (needed === 0) return null;
    if (!hit) {
      this.picks = [];
      return null;
    }
    this.picks.push(hit);
    if (this.picks.length < needed) return null;
    const measurement: Measurement = { atoms: this.picks.map((p) => p.atom), images: this.picks.map((p) => p.image) };
    this.picks = [];
    return measurement;
  }
}

/** Where an atom image is (Å), or null when it is not in the shown structure. */
export type AtomLocator = (atom: number, image?: CellImage) => Vec3 | null;

/** Value of a measurement with atoms located by `locate`, or null when an atom is missing or the points are degenerate. */
export function measurementResultOf(measurement: Measurement, locate: AtomLocator): MeasureResult | null {
  const points: Vec3[] = [];
  for (let k = 0; k < measurement.atoms.length; k++) {
    const point = locate(measurement.atoms[k]!, measurement.images?.[k]);
    if (!point) return null;
    points.push(point);
  }
  try {
    return measurePoints(points);
  } catch {
    return null;
  }
}

/** Label position: the bond midpoint (distance), near the vertex (angle), the middle of the central bond (dihedral). */
export function measureLabelPosition(points: readonly Vec3[]): Vec3 {
  if (points.length < 2 || points.length > 4) throw new RangeError(`a measurement label needs 2, 3 or 4 points, got ${points.length}`);
  const [a, b, c] = points as readonly [Vec3, Vec3, Vec3];
  if (points.length === 2) return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];
  if (points.length === 3) return [b[0] + 0.3 * (a[0] + c[0] - 2 * b[0]), b[1] + 0.3 * (a[1] + c[1] - 2 * b[1]), b[2] + 0.3 * (a[2] + c[2] - 2 * b[2])];
  return [(b[0] + c[0]) / 2, (b[1] + c[1]) / 2, (b[2] + c[2]) / 2];
}

/** Dashed lines through each measurement's atoms and its formatted value as a label; null when none can be drawn. */
export function createMeasureGroup(measurements: readonly Measurement[], locate: AtomLocator, labels: LabelFactory, lineColor: number, labelStyle: LabelStyle): Group | null {
  if (measurements.length === 0) return null;
  const group = new Group();
  const vertices: number[] = [];
  for (const measurement of measurements) {
    if (measurement.atoms.length < 2 || measurement.atoms.length > 4) continue;
    const result = measurementResultOf(measurement, locate);
    if (!result) continue;
    const points = measurement.atoms.map((atom, k) => locate(atom, measurement.images?.[k])!);
    for (let k = 0; k + 1 < points.length; k++) vertices.push(...points[k]!, ...points[k + 1]!);
    const at = measureLabelPosition(points);
    group.add(labels.create(formatMeasure(result), at[0], at[1], at[2], labelStyle));
  }
  if (vertices.length > 0) {
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new Float32BufferAttribute(vertices, 3));
    const material = new LineDashedMaterial({ color: lineColor, dashSize: 0.18, gapSize: 0.1, depthTest: false, transparent: true });
    const lines = new LineSegments(geometry, material);
    lines.computeLineDistances();
    lines.renderOrder = 8;
    group.add(lines);
  }
  return group;
}

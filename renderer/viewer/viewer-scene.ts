/**
 * The viewer's three.js scene: lights, the atom and bond meshes, and one slot per overlay (cell box, polyhedra,
 * halos, labels, measurements, force arrows, dipole, fixed-atom markers, overlay structures, the a/b/c inset),
 * each rebuilt only when ViewerChanges says its inputs changed.
 */
import { AmbientLight, Color, DirectionalLight, HemisphereLight, Scene, Sprite, type BufferGeometry, type Group, type InstancedMesh, type LineSegments, type PerspectiveCamera } from 'three';
import type { Structure } from '../../core/structure';
import { createLabelGroup } from './atom-labels';
import { createCellBox } from './cell-box';
import { CellAxesInset, createPolyhedraGroup } from './crystal-overlays';
import { dipoleArrowInstances, dipoleArrowOf, formatDipole } from './dipole-arrow';
import { arrowInstancesOf, fixedAtomsOf } from './force-arrows';
import { LabelFactory } from './labels';
import { createMeasureGroup, type AtomLocator } from './measure-interaction';
import { MoleculeMeshes } from './molecule-meshes';
import { createOverlayGroup, type OverlayCounts } from './overlay-structures';
import { createHaloMesh, haloInstances, type AtomHit } from './picking';
import type { SceneData } from './scene-data';
import { SceneSlot } from './scene-util';
import type { ThemeColors } from './themes';
import { createArrowGroup, createFixedMarkers } from './viewer-overlays';
import type { ViewerInfo, ViewerState } from './viewer-api';
import type { ViewerChanges } from './viewer-state';

/** What the scene draws: the scene data of the shown structure, the state and the theme's colours. */
export interface SceneInput {
  readonly data: SceneData | null;
  readonly structure: Structure | null;
  readonly state: ViewerState;
  readonly theme: ThemeColors;
  /** Atom images picked so far for a measurement (haloed). */
  readonly pending: readonly AtomHit[];
  /** Whether atoms and bonds are drawn as impostors. */
  readonly impostor: boolean;
  readonly locate: AtomLocator;
}

export type SceneCounts = Pick<ViewerInfo, 'polyhedra' | 'cellAxes' | 'forceArrows' | 'fixedMarkers' | 'dipoleArrow' | 'overlayStructures' | 'overlayAtoms'>;

export class ViewerScene {
  readonly scene = new Scene();
  readonly axesInset = new CellAxesInset();
  private readonly meshes = new MoleculeMeshes(this.scene);
  private readonly cell = new SceneSlot<Group>(this.scene);
  private readonly polyhedra = new SceneSlot<Group>(this.scene);
  private readonly halos = new SceneSlot<InstancedMesh>(this.scene);
  private readonly labels = new SceneSlot<Group>(this.scene);
  private readonly measures = new SceneSlot<Group>(this.scene);
  private readonly arrows = new SceneSlot<Group>(this.scene);
  private readonly dipole = new SceneSlot<Group>(this.scene);
  private readonly fixed = new SceneSlot<LineSegments>(this.scene);
  private readonly overlay = new SceneSlot<Group>(this.scene);
  private readonly labelFactory = new LabelFactory();
  private readonly measureLabelFactory = new LabelFactory();
  private readonly dipoleLabelFactory = new LabelFactory();
  private background = new Color(0xffffff);

  /** Lighting: soft sky/ground fill plus a key light and a weak rim light that follow `camera`. */
  constructor(camera: PerspectiveCamera) {
    this.scene.add(new HemisphereLight(0xffffff, 0x8a8f99, 1.25));
    this.scene.add(new AmbientLight(0xffffff, 0.35));
    const key = new DirectionalLight(0xffffff, 2.1);
    key.position.set(-1.2, 1.6, 2.4);
    const rim = new DirectionalLight(0xffffff, 0.45);
    rim.position.set(1.5, -0.6, -1);
    camera.add(key, rim);
    key.target.position.set(0, 0, -1);
    rim.target.position.set(0, 0, -1);
    camera.add(key.target, rim.target);
    this.scene.add(camera);
  }

  setBackground(css: string): void {
    this.background = new Color(css);
    this.scene.background = this.background;
  }

  /** No background (the renderer's clear colour and alpha show) for transparent export, or the background again. */
  setTransparent(transparent: boolean): void {
    this.scene.background = transparent ? null : this.background;
  }

  /** Rebuilds the parts `changes` names. */
  update(changes: ViewerChanges, input: SceneInput): void {
    const { data, structure, state, theme } = input;
    if (changes.geometry) {
      this.meshes.update(data?.atoms ?? null, data?.bonds ?? null, { pickCount: data?.pickAtoms.count ?? 0, impostor: input.impostor, wireframe: state.style === 'wireframe' });
    }
    if (changes.polyhedra) this.polyhedra.set(createPolyhedraGroup(data?.polyhedra ?? null, theme.supercell));
    if (changes.cellAxes) this.axesInset.update(state.cellAxes ? (data?.cell ?? null) : null, theme.label);
    if (changes.cell) this.cell.set(data?.cell && state.showCell ? createCellBox(data.cell, data.supercell, theme.cell, theme.supercell) : null);
    if (changes.halos) this.updateHalos(input);
    if (changes.labels) {
      this.labels.clear();
      this.labelFactory.dispose();
      this.labels.set(data && structure ? createLabelGroup(structure, data.pickAtoms, state.labels, state.labelProperty, this.labelFactory, theme.label) : null);
    }
    if (changes.measurements) {
      this.measures.clear();
      this.measureLabelFactory.dispose();
      this.measures.set(data ? createMeasureGroup(state.measurements, input.locate, this.measureLabelFactory, theme.measure, theme.measureLabel) : null);
    }
    if (changes.forceArrows) {
      const options = state.forceArrows;
      const arrows = options && data && structure ? arrowInstancesOf(structure, data.pickAtoms, options.scale, options.array) : null;
      this.arrows.set(arrows ? createArrowGroup(arrows, theme.arrow) : null);
    }
    if (changes.fixedAtoms) {
      this.fixed.set(data && structure ? createFixedMarkers(data.pickAtoms, new Set(fixedAtomsOf(structure, state.fixedAtoms)), theme.fixed) : null);
    }
    if (changes.dipole) this.updateDipole(input);
    if (changes.overlay) this.overlay.set(createOverlayGroup(state.overlay));
  }

  /** Translucent shells around selected atoms and atoms picked so far for a measurement. */
  updateHalos({ data, state, theme, pending }: SceneInput): void {
    this.halos.set(data ? createHaloMesh(data.pickAtoms, haloInstances(data.pickAtoms, state.selection, pending), theme.selection) : null);
  }

  /** The dipole arrow from the centroid with its magnitude at the tip (state.dipoleArrow). */
  private updateDipole({ structure, state, theme }: SceneInput): void {
    this.dipole.clear();
    this.dipoleLabelFactory.dispose();
    const options = state.dipoleArrow;
    const arrow = options && structure ? dipoleArrowOf(structure, options) : null;
    const group = arrow ? createArrowGroup(dipoleArrowInstances(arrow), theme.dipole, { shaftRadius: 0.09, headRadius: 0.22, headMax: 0.6 }) : null;
    if (!arrow || !group) return;
    const tip = arrow.start.map((x, c) => x + arrow.direction[c]! * (arrow.length + 0.35));
    group.add(this.dipoleLabelFactory.create(formatDipole(arrow.magnitude), tip[0]!, tip[1]!, tip[2]!, theme.measureLabel));
    group.userData['length'] = arrow.length;
    group.children.forEach((child) => (child.renderOrder = 9));
    this.dipole.set(group);
  }

  /** Keeps label sprites `scale` world units high per unit of their height (constant size on screen). */
  scaleLabels(scale: number): void {
    for (const group of [this.labels.object, this.measures.object, this.dipole.object]) {
      group?.children.forEach((child) => {
        if (child instanceof Sprite) child.scale.set(scale * (child.userData['aspect'] as number), scale, 1);
      });
    }
  }

  counts(): SceneCounts {
    const overlay = this.overlay.object?.userData['counts'] as OverlayCounts | undefined;
    return {
      polyhedra: this.polyhedra.count('polyhedra'),
      cellAxes: this.axesInset.shown,
      forceArrows: this.arrows.count('arrows'),
      fixedMarkers: this.fixed.count('markers'),
      dipoleArrow: this.dipole.count('length'),
      overlayStructures: overlay?.structures ?? 0,
      overlayAtoms: overlay?.atoms ?? 0,
    };
  }

  /** Frees every geometry, material and texture of the scene. */
  dispose(): void {
    let spriteGeometry: BufferGeometry | null = null;
    this.scene.traverse((child) => {
      if (child instanceof Sprite) spriteGeometry = child.geometry;
    });
    this.polyhedra.clear();
    this.axesInset.dispose();
    this.meshes.dispose();
    for (const slot of [this.halos, this.cell, this.labels, this.measures, this.arrows, this.dipole, this.fixed, this.overlay]) slot.clear();
    (spriteGeometry as BufferGeometry | null)?.dispose();
    this.labelFactory.dispose();
    this.measureLabelFactory.dispose();
    this.dipoleLabelFactory.dispose();
  }
}

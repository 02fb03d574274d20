/** The viewer toolbar's view controls: styles, crystal cell / polyhedra / supercell, labels, measure, fit, PNG, play, forces, colour by. */
import type { LabelMode, ViewerStyle } from '../../../viewer/viewer-api';
import { AtomColoringControls } from '../../components/atom-coloring-controls';
import { CameraIcon, CellIcon, FitIcon, LabelIcon, PauseIcon, PlayIcon, RulerIcon } from '../../components/icons';
import { supercellAxis, updateSupercell } from '../../state/actions';
import { supercellOf } from '../../state/app-state';
import { downloadBytes } from '../../util/download';
import { registerCommand, registerPanel, type PanelContext, type PanelProps } from '../panel-registry';

export const VIEW_GROUPS = { styles: 100, crystal: 200, view: 300, playback: 400 } as const;

const STYLES: ReadonlyArray<{ id: ViewerStyle; label: string; key: string }> = [
  { id: 'ball-and-stick', label: 'Ball+stick', key: '1' },
  { id: 'spacefill', label: 'Spacefill', key: '2' },
  { id: 'licorice', label: 'Licorice', key: '3' },
  { id: 'wireframe', label: 'Wire', key: '4' },
];

/** Force arrows need a structure with forces (the shown frame or record). */
const hasForces = (ctx: PanelContext) => Boolean(ctx.shownStructure?.atomArrays['forces']);
/** The crystal controls follow the selected record: a cell means periodic. */
const periodic = (ctx: PanelContext) => Boolean(ctx.structure?.cell);
const set = (ctx: PanelContext, patch: Parameters<PanelContext['store']['setState']>[0]) => ctx.store.setState(patch);

for (const style of STYLES) {
  registerCommand({ id: `equimol.style.${style.id}`, title: `${style.label} style`, keybinding: style.key, run: (ctx) => ctx.services.changeStyle(style.id) });
}

function StyleButtons({ ctx }: PanelProps) {
  return (
    <div className="seg" role="radiogroup" aria-label="Style">
      {STYLES.map((s) => (
        <button key={s.id} className={`btn${ctx.state.style === s.id ? ' active' : ''}`} onClick={() => ctx.services.changeStyle(s.id)} title={`${s.label} (${s.key})`} data-testid={`style-${s.id}`}>
          {s.label}
        </button>
      ))}
    </div>
  );
}
registerPanel({ id: 'equimol.styles', title: 'Viewer style', location: 'toolbar', group: VIEW_GROUPS.styles, order: 10, component: StyleButtons });

registerCommand({
  id: 'equimol.toggle-cell',
  title: 'Unit cell',
  keybinding: 'C',
  menu: 'toggle-cell',
  toolbar: { area: 'viewer', group: VIEW_GROUPS.crystal, order: 10, label: 'Cell', icon: CellIcon, tooltip: 'Unit cell (C)', testId: 'cell-button', when: periodic },
  active: (ctx) => ctx.state.showCell,
  run: (ctx) => set(ctx, (s) => ({ showCell: !s.showCell })),
});
registerCommand({
  id: 'equimol.toggle-polyhedra',
  title: 'Coordination polyhedra',
  toolbar: { area: 'viewer', group: VIEW_GROUPS.crystal, order: 20, label: 'Polyhedra', testId: 'polyhedra-button', when: periodic },
  active: (ctx) => ctx.state.polyhedra,
  run: (ctx) => set(ctx, (s) => ({ polyhedra: !s.polyhedra })),
});

function SupercellInputs({ ctx }: PanelProps) {
  const supercell = supercellOf(ctx.state);
  return (
    <label title="Supercell repeats along a, b, c">
      Supercell
      {([0, 1, 2] as const).map((axis) => (
        <input
          key={axis}
          className="input tiny mono"
          type="number"
          min={1}
          max={6}
          value={supercell[axis]}
          onChange={(e) => {
            const typed = e.target.value;
            set(ctx, (s) => updateSupercell(s, (current) => supercellAxis(current, axis, typed)));
          }}
          aria-label={`Supercell ${'abc'[axis]}`}
        />
      ))}
    </label>
  );
}
registerPanel({ id: 'equimol.supercell', title: 'Supercell', location: 'toolbar', group: VIEW_GROUPS.crystal, order: 30, when: periodic, component: SupercellInputs });

/** The Labels button's cycle: off → element symbols → atom numbers (1-based, as in the measurements) → off. */
export function nextLabelMode(mode: LabelMode): LabelMode {
  if (mode === 'none') return 'element';
  if (mode === 'element') return 'index';
  return 'none';
}
registerCommand({
  id: 'equimol.toggle-labels',
  title: 'Atom labels: element, then atom number',
  keybinding: 'L',
  menu: 'toggle-labels',
  toolbar: { area: 'viewer', group: VIEW_GROUPS.view, order: 10, label: (ctx) => (ctx.state.labels === 'index' ? 'Labels #' : 'Labels'), icon: LabelIcon, tooltip: 'Atom labels: element, then atom number, then off (L)', testId: 'labels-button' },
  active: (ctx) => ctx.state.labels !== 'none',
  run: (ctx) => set(ctx, (s) => ({ labels: nextLabelMode(s.labels) })),
});
registerCommand({
  id: 'equimol.measure',
  title: 'Measure distances, angles, dihedrals',
  keybinding: 'M',
  toolbar: { area: 'viewer', group: VIEW_GROUPS.view, order: 20, label: 'Measure', icon: RulerIcon, tooltip: 'Measure distances, angles, dihedrals (M)', testId: 'measure-button' },
  active: (ctx) => ctx.state.measuring,
  run: (ctx) => set(ctx, (s) => ({ measuring: !s.measuring })),
});
registerCommand({
  id: 'equimol.fit',
  title: 'Fit to view',
  keybinding: 'F',
  menu: 'reset-view',
  toolbar: { area: 'viewer', group: VIEW_GROUPS.view, order: 30, label: 'Fit', icon: FitIcon, tooltip: 'Fit to view (F)', testId: 'fit-button' },
  run: (ctx) => ctx.store.getState().viewer?.fitToView(),
});
registerCommand({
  id: 'equimol.save-png',
  title: 'Save the view as PNG',
  toolbar: { area: 'viewer', group: VIEW_GROUPS.view, order: 40, icon: CameraIcon, variant: 'icon', tooltip: 'Save the view as PNG' },
  enabled: (ctx) => ctx.structure !== null,
  run: (ctx) => {
    const viewer = ctx.store.getState().viewer;
    if (!viewer) return;
    const name = (ctx.selectedSummary?.name || 'structure').replace(/[^\w.-]+/g, '_');
    viewer.toPNG().then(
      (blob) => blob.arrayBuffer().then((buffer) => downloadBytes(`${name}.png`, new Uint8Array(buffer), 'image/png')),
      (error: unknown) => ctx.notify('error', 'PNG export failed', String(error)),
    );
  },
});

registerCommand({
  id: 'equimol.play',
  title: 'Play the file as a trajectory',
  keybinding: 'Space',
  toolbar: {
    area: 'viewer',
    group: VIEW_GROUPS.playback,
    order: 10,
    label: (ctx) => (ctx.state.playing ? 'Pause' : 'Play'),
    iconOf: (ctx) => (ctx.state.playing ? PauseIcon : PlayIcon),
    tooltip: 'Play the file as a trajectory (Space)',
  },
  active: (ctx) => ctx.state.playing,
  enabled: (ctx) => (ctx.activeDocument?.recordCount ?? 0) > 1,
  run: (ctx) => ctx.services.togglePlay(ctx.frames.length),
});
registerCommand({
  id: 'equimol.toggle-forces',
  title: 'Force arrows, 1 Å per eV/Å (structures with forces)',
  toolbar: { area: 'viewer', group: VIEW_GROUPS.playback, order: 20, label: 'Forces', testId: 'forces-button' },
  active: (ctx) => ctx.state.showForces,
  enabled: hasForces,
  run: (ctx) => set(ctx, (s) => ({ showForces: !s.showForces })),
});

function ColoringControls({ ctx }: PanelProps) {
  return <AtomColoringControls coloring={ctx.coloring} />;
}
registerPanel({ id: 'equimol.color-by', title: 'Colour by', location: 'toolbar', group: VIEW_GROUPS.playback, order: 30, component: ColoringControls });

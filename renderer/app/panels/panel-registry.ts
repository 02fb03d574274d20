/**
 * Panels and commands registered, not wired by hand in app.tsx (VS Code style): a module under
 * renderer/app/panels/ calls registerPanel / registerCommand when imported, and contributions.ts imports each
 * such module once. The app renders every panel of a location whose `when` holds, each with one PanelContext,
 * and binds each command to its toolbar button, key and menu entry. No React runtime here: unit-tested under node.
 */
import type { ComponentType } from 'react';
import type { DocumentId, DocumentInfo, EquimolApi, ExportedFile, ExportFormat, JobId, JobProgress, JobRequest, StructureSummary } from '../../../core/contract/equimol-api';
import type { Structure } from '../../../core/structure';
import type { StructureViewer } from '../../viewer/viewer-api';
import type { AtomColoring } from '../hooks/use-atom-coloring';
import type { AppServices } from '../state/app-services';
import type { AppState, AppStore } from '../state/app-state';

export type NotifyKind = 'info' | 'success' | 'error';

export interface StartJobOptions {
  /** Toast title when startJob rejects (default 'Could not start the job'). */
  readonly errorTitle?: string;
  /**
   * Which of the job's output documents to show, asked on every progress until it names a listed document or the
   * job ends (every job's output documents are added to the list as progress names them).
   */
  readonly show?: (job: JobProgress, documents: readonly DocumentInfo[]) => DocumentId | undefined;
}

/** What every panel and command gets: the api, the store, the active document and selection, and app services. */
export interface PanelContext {
  readonly api: EquimolApi;
  /** The whole app state (this render's snapshot) and the store, for what the fields below do not cover. */
  readonly state: AppState;
  readonly store: AppStore;
  /** The app's api-backed actions (open, export, play, styles, theme, jobs panel): what the built-in commands run. */
  readonly services: AppServices;
  readonly platform: 'electron' | 'web';
  readonly theme: 'light' | 'dark';
  readonly documents: readonly DocumentInfo[];
  readonly activeDocument: DocumentInfo | undefined;
  /** The selected record (0-based index in the active document), or null. */
  readonly selectedIndex: number | null;
  /** The selected row's summary (name, formula, atoms, values), as the structure list shows it. */
  readonly selectedSummary: StructureSummary | undefined;
  /** The selected record's structure, once loaded. */
  readonly structure: Structure | null;
  /** What the viewer and side panel show: the trajectory frame on screen, else `structure`. */
  readonly shownStructure: Structure | null;
  readonly shownSummary: StructureSummary | undefined;
  /** Trajectory frames on screen (a trajectory document's, or those Play loaded) and the one shown. */
  readonly frames: readonly Structure[];
  readonly frameIndex: number;
  readonly coloring: AtomColoring;
  readonly jobs: readonly JobProgress[];
  /** The live viewer, null until it is ready. */
  readonly viewer: StructureViewer | null;
  /** The id of the dialog shown (a 'dialog' panel), or null. */
  readonly dialog: string | null;

  /** Selects a record of the active document by its index (resets the list's sort and filter so it is in view). */
  selectRecord(index: number): void;
  /** Makes a listed document the active one. */
  showDocument(docId: DocumentId): void;
  /** Lists documents the app does not list yet (ignores those it does). */
  addDocuments(docs: readonly DocumentInfo[]): void;
  /** Shows a toast. */
  notify(kind: NotifyKind, title: string, detail?: string): void;
  /** Saves exported bytes: a download in web mode, the save dialog on the desktop; rejects on failure. */
  save(file: ExportedFile): Promise<void>;
  /** Exports records of the active document (all without indices) and saves them; failures become a toast. */
  exportStructures(format: ExportFormat, indices?: readonly number[]): void;
  /** Shows a trajectory frame (stops playback). */
  seekFrame(frame: number): void;
  /** A job was started: lists its first progress and opens the jobs panel. */
  onJobStarted(progress: JobProgress): void;
  /** api.startJob, then onJobStarted; a rejection becomes an error toast and resolves undefined. */
  startJob(request: JobRequest, options?: StartJobOptions): Promise<JobProgress | undefined>;
  /** Shows the trajectory (else the first) document a job made. */
  showJobOutput(jobId: JobId): void;
  /** Shows the 'dialog' panel with this id (closing any other); closeDialog hides it. */
  openDialog(id: string): void;
  closeDialog(): void;
}

/**
 * Where a panel renders:
 * - 'toolbar': a widget in the viewer toolbar (between command buttons, by `order`; see ToolbarPlacement.group);
 * - 'overlay': over the 3D view (captions, legends, floating bars);
 * - 'bottom': under the viewer in the centre column (trajectory plots, conformer energies, training curves);
 * - 'side': the right-hand column, under the structure's properties;
 * - 'dock': the full-width strip above the status bar (the jobs panel);
 * - 'dialog': a modal, rendered only while ctx.dialog is its id;
 * - 'service': always mounted, for hooks that follow jobs; renders nothing visible as a rule.
 */
export type PanelLocation = 'toolbar' | 'overlay' | 'bottom' | 'side' | 'dock' | 'dialog' | 'service';

export interface PanelProps {
  readonly ctx: PanelContext;
}

export interface PanelContribution {
  /** Unique id, e.g. 'equimol.trajectory'; a dialog's id is what openDialog takes. */
  readonly id: string;
  readonly title: string;
  readonly location: PanelLocation;
  /** Lower first (default 100); ties keep registration order. */
  readonly order?: number;
  /** Toolbar panels: the group they sit in (see ToolbarPlacement.group). */
  readonly group?: number;
  /** Shown only while this holds (default: always). */
  readonly when?: (ctx: PanelContext) => boolean;
  readonly component: ComponentType<PanelProps>;
}

export type ToolbarArea = 'titlebar' | 'titlebar-end' | 'viewer';

export interface ToolbarPlacement {
  readonly area: ToolbarArea;
  /** Items are grouped by this number (a separator between groups in the viewer toolbar), lower first. */
  readonly group: number;
  /** Order within the group, lower first (default 100). */
  readonly order?: number;
  /** Button text; default the command's title (none for icon-only buttons). */
  readonly label?: string | ((ctx: PanelContext) => string);
  readonly icon?: ComponentType;
  /** An icon that depends on the state (e.g. play / pause); wins over `icon`. */
  readonly iconOf?: (ctx: PanelContext) => ComponentType;
  /** Shows the button only while this holds; the command (keys, menu) stays available (default: always). */
  readonly when?: (ctx: PanelContext) => boolean;
  /** Enables the button only while this holds too (the command's keys and menu do not ask it). */
  readonly enabled?: (ctx: PanelContext) => boolean;
  /** 'text' (default): a button with its label; 'icon': icon only; 'ghost-icon': a flat icon-only button. */
  readonly variant?: 'text' | 'icon' | 'ghost-icon';
  /** Tooltip; default the title and the keybinding. */
  readonly tooltip?: string | ((ctx: PanelContext) => string);
  /** Why the command is disabled, shown as the button's data-reason. */
  readonly reason?: (ctx: PanelContext) => string | undefined;
  readonly testId?: string;
}

export interface CommandContribution {
  /** Unique id, e.g. 'equimol.open'. */
  readonly id: string;
  readonly title: string;
  /** Keys, e.g. 'Mod+O' (Ctrl or Cmd), 'F', 'Space', 'Delete', '?', 'Escape', '1'; plain keys do nothing while typing in a field. */
  readonly keybinding?: string | readonly string[];
  /** Electron menu command ids that run it (the menu sends { id }). */
  readonly menu?: string | readonly string[];
  readonly toolbar?: ToolbarPlacement;
  /** Shown while this holds (default: always). */
  readonly when?: (ctx: PanelContext) => boolean;
  /** Runs only while this holds; its toolbar button is disabled otherwise (default: always). */
  readonly enabled?: (ctx: PanelContext) => boolean;
  /** A toggle's state: its button shows as pressed. */
  readonly active?: (ctx: PanelContext) => boolean;
  run(ctx: PanelContext): void;
}

const panels: PanelContribution[] = [];
const commands: CommandContribution[] = [];
const listeners = new Set<() => void>();
let version = 0;

function changed(): void {
  version++;
  for (const listener of [...listeners]) listener();
}

function checkId(kind: string, id: string, taken: readonly { id: string }[]): void {
  if (typeof id !== 'string' || id.trim() === '') throw new Error(`A ${kind} needs a non-empty id.`);
  if (taken.some((c) => c.id === id)) throw new Error(`A ${kind} with id '${id}' is already registered.`);
}

/** Registers a panel; returns the function that unregisters it. Throws on a missing or taken id. */
export function registerPanel(panel: PanelContribution): () => void {
  checkId('panel', panel.id, panels);
  panels.push(panel);
  changed();
  return () => {
    const i = panels.indexOf(panel);
    if (i >= 0) {
      panels.splice(i, 1);
      changed();
    }
  };
}

/** Registers a command; returns the function that unregisters it. Throws on a missing or taken id. */
export function registerCommand(command: CommandContribution): () => void {
  checkId('command', command.id, commands);
  commands.push(command);
  changed();
  return () => {
    const i = commands.indexOf(command);
    if (i >= 0) {
      commands.splice(i, 1);
      changed();
    }
  };
}

function byOrder<T extends { readonly order?: number }>(list: readonly T[]): T[] {
  return list.map((item, i) => ({ item, i })).sort((a, b) => (a.item.order ?? 100) - (b.item.order ?? 100) || a.i - b.i).map((e) => e.item);
}

/** Registered panels, in order; of one location if given. */
export function getPanels(location?: PanelLocation): readonly PanelContribution[] {
  return byOrder(location ? panels.filter((p) => p.location === location) : panels);
}

export function getCommands(): readonly CommandContribution[] {
  return [...commands];
}

export function getCommand(id: string): CommandContribution | undefined {
  return commands.find((c) => c.id === id);
}

/** Whether a contribution's `when` holds (true without one; false, logged, if it throws). */
export function isShown(item: { readonly id: string; readonly when?: (ctx: PanelContext) => boolean }, ctx: PanelContext): boolean {
  try {
    return item.when ? item.when(ctx) : true;
  } catch (error) {
    console.error(`'when' of ${item.id} failed:`, error);
    return false;
  }
}

export function isEnabled(command: CommandContribution, ctx: PanelContext): boolean {
  try {
    return isShown(command, ctx) && (command.enabled ? command.enabled(ctx) : true);
  } catch (error) {
    console.error(`'enabled' of ${command.id} failed:`, error);
    return false;
  }
}

/** The panels of a location to show now. */
export function visiblePanels(location: PanelLocation, ctx: PanelContext): readonly PanelContribution[] {
  return getPanels(location).filter((p) => (location === 'dialog' ? ctx.dialog === p.id : true) && isShown(p, ctx));
}

/** Runs a command by id if it is shown and enabled; returns whether it ran. Throws for an unknown id. */
export function runCommand(id: string, ctx: PanelContext): boolean {
  const command = getCommand(id);
  if (!command) throw new Error(`No command '${id}' is registered.`);
  if (!isEnabled(command, ctx)) return false;
  command.run(ctx);
  return true;
}

/** Subscribe to registrations (for useSyncExternalStore); registryVersion changes with each. */
export function subscribeRegistry(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function registryVersion(): number {
  return version;
}

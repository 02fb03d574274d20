/** Settings of a session: merged patches, capped recent files, a 'settings-changed' event on each change. */
import { DEFAULT_SETTINGS, LIMITS, type Settings, type SettingsPatch } from '../contract/equimol-api';
import type { Emit } from './events';

export class SettingsService {
  private settings: Settings;

  constructor(
    initial: Partial<Settings> | undefined,
    private readonly emit: Emit,
    /** Called after each change (the job queue follows maxConcurrentJobs). */
    private readonly onChange: (settings: Settings) => void = () => {},
  ) {
    this.settings = { ...DEFAULT_SETTINGS, ...initial };
  }

  get current(): Settings {
    return this.settings;
  }

  set(patch: SettingsPatch): Settings {
    const next: Settings = { ...this.settings, ...patch };
    this.settings = { ...next, recentFiles: next.recentFiles.slice(0, LIMITS.maxRecentFiles) };
    this.onChange(this.settings);
    this.emit({ type: 'settings-changed', settings: this.settings });
    return this.settings;
  }

  /** Puts opened paths first in the recent files (most recent first). */
  addRecentFiles(paths: readonly string[]): void {
    const recent = [...paths.slice().reverse(), ...this.settings.recentFiles.filter((p) => !paths.includes(p))];
    this.set({ recentFiles: recent.slice(0, LIMITS.maxRecentFiles) });
  }
}

/**
 * Settings of a session: merged patches, capped recent files, a 'settings-changed' event on each change; and
 * the check of settings read back from storage (a file in Electron, IndexedDB in web mode), which keeps each
 * field that passes the contract's setSettings validation and reports each one that does not.
 */
import { DEFAULT_SETTINGS, LIMITS, type Settings, type SettingsPatch } from '../contract/equimol-api';
import { validateArguments } from '../contract/validate';
import type { Emit } from './events';

/** Settings read back from storage: the valid fields, and one line per field (or whole value) dropped. */
export interface SanitizedSettings {
  readonly patch: SettingsPatch;
  readonly problems: readonly string[];
}

/** Keeps the fields of a stored settings value that setSettings accepts; invalid or unknown ones are dropped and named. */
export function sanitizeStoredSettings(value: unknown): SanitizedSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { patch: {}, problems: [`stored settings are not an object (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}): defaults used`] };
  }
  const patch: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    try {
      validateArguments('setSettings', [{ [key]: v }]);
      patch[key] = v;
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^setSettings: patch/, 'stored settings') : String(error);
      problems.push(`${message} (ignored)`);
    }
  }
  return { patch: patch as SettingsPatch, problems };
}

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

/**
 * Settings persisted as JSON in userData (Electron). Loading keeps only fields that pass the contract's own
 * setSettings validation (core/session/settings-service.ts), so a corrupt or hand-edited file can never inject bad
 * values; what was dropped is reported (the app's notices) and ignored.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Settings, SettingsPatch } from '../../core/contract/equimol-api';
import { sanitizeStoredSettings, type SanitizedSettings } from '../../core/session/settings-service';

/** The valid fields of a parsed settings object; invalid or unknown ones are dropped one by one. */
export function sanitizeSettings(value: unknown): SettingsPatch {
  return sanitizeStoredSettings(value).patch;
}

/** The settings file's valid fields and what was wrong with it; a missing file is no problem (first start). */
export function readSettingsFile(file: string): SanitizedSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { patch: {}, problems: code === 'ENOENT' ? [] : [`settings file ${file} could not be read (${code ?? String(error)}): defaults used`] };
  }
  try {
    const sanitized = sanitizeStoredSettings(JSON.parse(text));
    return { patch: sanitized.patch, problems: sanitized.problems.map((p) => `settings file ${file}: ${p}`) };
  } catch (error) {
    return { patch: {}, problems: [`settings file ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}): defaults used`] };
  }
}

export function loadSettings(file: string): SettingsPatch {
  return readSettingsFile(file).patch;
}

export function saveSettings(file: string, settings: Settings): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(settings, null, 2));
  renameSync(temp, file);
}

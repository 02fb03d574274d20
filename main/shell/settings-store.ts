/**
 * Settings persisted as JSON in userData (Electron). Loading keeps only fields that pass the contract's own
 * setSettings validation, so a corrupt or hand-edited file can never inject bad values.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Settings, SettingsPatch } from '../../core/contract/equimol-api';
import { validateArguments } from '../../core/contract/validate';

/** The valid fields of a parsed settings object; invalid or unknown ones are dropped one by one. */
export function sanitizeSettings(value: unknown): SettingsPatch {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    try {
      validateArguments('setSettings', [{ [key]: v }]);
      out[key] = v;
    } catch {
      // dropped
    }
  }
  return out as SettingsPatch;
}

export function loadSettings(file: string): SettingsPatch {
  try {
    return sanitizeSettings(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return {};
  }
}

export function saveSettings(file: string, settings: Settings): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  writeFileSync(temp, JSON.stringify(settings, null, 2));
  renameSync(temp, file);
}

/**
 * Keybindings of registered commands: 'Mod+O' (Ctrl or Cmd, also while typing in a field), plain keys such as
 * 'F', '?', 'Space', 'Delete', 'Escape', '1' (letters either case; none while typing, nor with Ctrl/Cmd/Alt).
 */
import type { CommandContribution } from '../panels/panel-registry';

export interface KeyPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
}

export interface Keybinding {
  readonly mod: boolean;
  /** The KeyboardEvent.key it matches, lower case for letters (' ' for Space). */
  readonly key: string;
}

export function parseKeybinding(text: string): Keybinding {
  const parts = text.split('+').map((p) => p.trim());
  // '+' itself: 'Mod++' or '+'.
  if (text.endsWith('++') || text === '+') parts.splice(parts.length - 2, 2, '+');
  const key = parts.pop() ?? '';
  const modifiers = parts.map((p) => p.toLowerCase());
  if (key === '') throw new Error(`Keybinding '${text}' names no key.`);
  for (const m of modifiers) if (m !== 'mod') throw new Error(`Keybinding '${text}': only 'Mod+' is supported as a modifier, not '${m}'.`);
  const named = key.toLowerCase() === 'space' ? ' ' : key;
  return { mod: modifiers.length > 0, key: named.length === 1 ? named.toLowerCase() : named };
}

export function matchesKeybinding(binding: Keybinding, event: KeyPress, typing: boolean): boolean {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (binding.mod) return mod && key === binding.key;
  return !mod && !event.altKey && !typing && key === binding.key;
}

export function bindingsOf(command: CommandContribution): readonly string[] {
  const kb = command.keybinding;
  return kb === undefined ? [] : typeof kb === 'string' ? [kb] : kb;
}

/** The first command bound to this key press (commands bound with Mod first), or undefined. */
export function commandForKey(commands: readonly CommandContribution[], event: KeyPress, typing: boolean): CommandContribution | undefined {
  const parsed = commands.flatMap((command) => bindingsOf(command).map((text) => ({ command, binding: parseKeybinding(text) })));
  return (parsed.find((p) => p.binding.mod && matchesKeybinding(p.binding, event, typing)) ?? parsed.find((p) => matchesKeybinding(p.binding, event, typing)))?.command;
}

/** The first command an Electron menu id runs, or undefined. */
export function commandForMenu(commands: readonly CommandContribution[], menuId: string): CommandContribution | undefined {
  return commands.find((c) => (typeof c.menu === 'string' ? c.menu === menuId : (c.menu ?? []).includes(menuId)));
}

/** How a keybinding reads in a tooltip: 'Ctrl+O', 'Space', 'F'. */
export function keybindingLabel(text: string): string {
  const { mod, key } = parseKeybinding(text);
  const shown = key === ' ' ? 'Space' : key.length === 1 ? key.toUpperCase() : key;
  return mod ? `Ctrl+${shown}` : shown;
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandForKey, commandForMenu, keybindingLabel, matchesKeybinding, parseKeybinding } from '../../renderer/app/commands/keybindings';
import type { CommandContribution } from '../../renderer/app/panels/panel-registry';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });
const command = (id: string, keybinding?: string | string[], menu?: string): CommandContribution => ({ id, title: id, ...(keybinding ? { keybinding } : {}), ...(menu ? { menu } : {}), run: () => undefined });

test('keybindings parse Mod+, named keys and single characters; an unknown modifier or no key is an error', () => {
  assert.deepEqual(parseKeybinding('Mod+O'), { mod: true, key: 'o' });
  assert.deepEqual(parseKeybinding('Space'), { mod: false, key: ' ' });
  assert.deepEqual(parseKeybinding('Escape'), { mod: false, key: 'Escape' });
  assert.deepEqual(parseKeybinding('?'), { mod: false, key: '?' });
  assert.deepEqual(parseKeybinding('Mod++'), { mod: true, key: '+' });
  assert.throws(() => parseKeybinding('Shift+K'), /only 'Mod\+' is supported/);
  assert.throws(() => parseKeybinding(''), /names no key/);
});

test('a plain key matches either case, not with Ctrl/Cmd/Alt and not while typing; Mod+ keys work while typing', () => {
  const f = parseKeybinding('F');
  assert.equal(matchesKeybinding(f, key('f'), false), true);
  assert.equal(matchesKeybinding(f, key('F'), false), true);
  assert.equal(matchesKeybinding(f, key('f'), true), false);
  assert.equal(matchesKeybinding(f, key('f', { ctrlKey: true }), false), false);
  assert.equal(matchesKeybinding(f, key('f', { altKey: true }), false), false);
  const open = parseKeybinding('Mod+O');
  assert.equal(matchesKeybinding(open, key('o', { metaKey: true }), true), true);
  assert.equal(matchesKeybinding(open, key('O', { ctrlKey: true }), false), true);
  assert.equal(matchesKeybinding(open, key('o'), false), false);
});

test('a key press finds its command (Mod bindings first) and a menu id the command that names it', () => {
  const commands = [command('fit', 'F', 'reset-view'), command('find', 'Mod+F'), command('play', ['Space', 'P'])];
  assert.equal(commandForKey(commands, key('f', { ctrlKey: true }), false)?.id, 'find');
  assert.equal(commandForKey(commands, key('f'), false)?.id, 'fit');
  assert.equal(commandForKey(commands, key('p'), false)?.id, 'play');
  assert.equal(commandForKey(commands, key(' '), true), undefined);
  assert.equal(commandForMenu(commands, 'reset-view')?.id, 'fit');
  assert.equal(commandForMenu(commands, 'about'), undefined);
  assert.equal(keybindingLabel('Mod+O'), 'Ctrl+O');
  assert.equal(keybindingLabel('Space'), 'Space');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextLabelMode } from '../../renderer/app/panels/builtin/view-commands';
import { getCommand, runCommand } from '../../renderer/app/panels/panel-registry';
import { fakeContext } from './app-fixtures';

test('the Labels command (L) cycles off, element symbols, atom numbers, off; a property colouring label goes off', () => {
  const { ctx } = fakeContext({ labels: 'none' });
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    assert.equal(runCommand('equimol.toggle-labels', ctx), true);
    seen.push(ctx.store.getState().labels);
  }
  assert.deepEqual(seen, ['element', 'index', 'none']);
  assert.equal(getCommand('equimol.toggle-labels')!.keybinding, 'L');
  assert.equal(nextLabelMode('property'), 'none');
});

test('the Labels button says when it shows atom numbers, and is pressed while any labels show', () => {
  const command = getCommand('equimol.toggle-labels')!;
  assert.equal(command.toolbar?.testId, 'labels-button');
  const shown = (labels: 'none' | 'element' | 'index') => {
    const { ctx } = fakeContext({ labels });
    const label = command.toolbar!.label;
    return { label: typeof label === 'function' ? label(ctx) : label, active: command.active!(ctx) };
  };
  assert.deepEqual(shown('none'), { label: 'Labels', active: false });
  assert.deepEqual(shown('element'), { label: 'Labels', active: true });
  assert.deepEqual(shown('index'), { label: 'Labels #', active: true });
});

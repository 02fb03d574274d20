import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import {
  getCommand,
  getPanels,
  registerCommand,
  registerPanel,
  registryVersion,
  runCommand,
  subscribeRegistry,
  visiblePanels,
  type PanelContribution,
} from '../../renderer/app/panels/panel-registry';
import { toolbarItems } from '../../renderer/app/panels/toolbar-items';
import { doc, fakeContext } from './app-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});
const Nothing = () => null;
function panel(id: string, extra: Partial<PanelContribution> = {}): PanelContribution {
  const p: PanelContribution = { id, title: id, location: 'bottom', component: Nothing, ...extra };
  cleanups.push(registerPanel(p));
  return p;
}

test('panels come back by location, ordered by `order` (default 100) and then registration', () => {
  panel('t.c', { order: 100 });
  panel('t.a', { order: 5 });
  panel('t.b');
  panel('t.side', { location: 'side' });
  assert.deepEqual(getPanels('bottom').map((p) => p.id).filter((id) => id.startsWith('t.')), ['t.a', 't.c', 't.b']);
  assert.deepEqual(getPanels('side').map((p) => p.id), ['t.side']);
});

test('registering a taken or empty id throws a clear error; unregistering frees the id', () => {
  const unregister = registerPanel({ id: 't.once', title: 'x', location: 'side', component: Nothing });
  assert.throws(() => registerPanel({ id: 't.once', title: 'y', location: 'side', component: Nothing }), /panel with id 't.once' is already registered/);
  assert.throws(() => registerCommand({ id: ' ', title: 'x', run: () => undefined }), /needs a non-empty id/);
  unregister();
  cleanups.push(registerPanel({ id: 't.once', title: 'z', location: 'side', component: Nothing }));
});

test("a panel shows while its `when` holds for the context; a throwing `when` hides it instead of crashing", (t) => {
  t.mock.method(console, 'error', () => undefined);
  panel('t.when', { when: (ctx) => ctx.activeDocument?.id === 'a' });
  panel('t.broken', { when: () => { throw new Error('boom'); } });
  const ids = (ctx: ReturnType<typeof fakeContext>['ctx']) => visiblePanels('bottom', ctx).map((p) => p.id).filter((id) => id.startsWith('t.'));
  assert.deepEqual(ids(fakeContext({ documents: [doc('a')], activeDocId: 'a' }).ctx), ['t.when']);
  assert.deepEqual(ids(fakeContext({ documents: [doc('b')], activeDocId: 'b' }).ctx), []);
});

test('a dialog panel shows only while ctx.dialog is its id', () => {
  panel('t.dialog', { location: 'dialog' });
  assert.equal(visiblePanels('dialog', fakeContext({ dialog: null }).ctx).some((p) => p.id === 't.dialog'), false);
  assert.deepEqual(visiblePanels('dialog', fakeContext({ dialog: 't.dialog' }).ctx).map((p) => p.id), ['t.dialog']);
});

test('runCommand runs an enabled command with the context, skips a disabled one and throws for an unknown id', () => {
  const ran: string[] = [];
  cleanups.push(registerCommand({ id: 't.cmd', title: 'Go', enabled: (ctx) => ctx.selectedIndex !== null, run: (ctx) => ran.push(`ran ${ctx.selectedIndex}`) }));
  const selected = fakeContext({ documents: [doc('a')], activeDocId: 'a', selected: { docId: 'a', index: 1 } }).ctx;
  assert.equal(runCommand('t.cmd', selected), true);
  assert.equal(runCommand('t.cmd', fakeContext().ctx), false);
  assert.deepEqual(ran, ['ran 1']);
  assert.equal(getCommand('t.cmd')?.title, 'Go');
  assert.throws(() => runCommand('t.nope', selected), /No command 't.nope'/);
});

test('registering and unregistering notify subscribers and bump the registry version', () => {
  let notified = 0;
  const unsubscribe = subscribeRegistry(() => notified++);
  const before = registryVersion();
  const unregister = registerPanel({ id: 't.live', title: 'x', location: 'dock', component: Nothing });
  unregister();
  unsubscribe();
  assert.equal(notified, 2);
  assert.equal(registryVersion(), before + 2);
});

test('a toolbar lists its commands and widgets by group then order; a button hidden by toolbar.when keeps its command', () => {
  cleanups.push(registerCommand({ id: 't.late', title: 'Late', toolbar: { area: 'viewer', group: 9002, order: 1 }, run: () => undefined }));
  cleanups.push(registerCommand({ id: 't.early', title: 'Early', toolbar: { area: 'viewer', group: 9001, order: 50 }, run: () => undefined }));
  cleanups.push(registerCommand({ id: 't.hidden', title: 'Hidden', toolbar: { area: 'viewer', group: 9001, order: 60, when: () => false }, run: () => undefined }));
  cleanups.push(registerCommand({ id: 't.title', title: 'Elsewhere', toolbar: { area: 'titlebar', group: 9001 }, run: () => undefined }));
  panel('t.widget', { location: 'toolbar', group: 9001, order: 10 });
  const { ctx } = fakeContext();
  const items = toolbarItems('viewer', ctx).filter((i) => i.id.startsWith('t.'));
  assert.deepEqual(items.map((i) => [i.kind, i.id, i.group]), [['panel', 't.widget', 9001], ['command', 't.early', 9001], ['command', 't.late', 9002]]);
  assert.ok(getCommand('t.hidden'));
  assert.deepEqual(toolbarItems('titlebar', ctx).filter((i) => i.id.startsWith('t.')).map((i) => i.id), ['t.title']);
});

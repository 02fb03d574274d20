import { Fragment, type ComponentType } from 'react';
import { bindingsOf, keybindingLabel } from '../commands/keybindings';
import { useRegistryVersion } from './panel-slot';
import { isEnabled, isShown, runCommand, type CommandContribution, type PanelContext, type ToolbarArea } from './panel-registry';
import { toolbarItems } from './toolbar-items';

function resolve<T>(value: T | ((ctx: PanelContext) => T) | undefined, ctx: PanelContext): T | undefined {
  return typeof value === 'function' ? (value as (ctx: PanelContext) => T)(ctx) : value;
}

function defaultTooltip(command: CommandContribution): string {
  const key = bindingsOf(command)[0];
  return key ? `${command.title} (${keybindingLabel(key)})` : command.title;
}

/** A registered command as a toolbar button: disabled unless enabled, pressed while active. */
export function CommandButton(props: { readonly command: CommandContribution; readonly ctx: PanelContext }) {
  const { command, ctx } = props;
  const placement = command.toolbar;
  const variant = placement?.variant ?? 'text';
  const active = command.active?.(ctx) ?? false;
  const enabled = isEnabled(command, ctx) && (placement?.enabled ? isShown({ id: command.id, when: placement.enabled }, ctx) : true);
  const Icon: ComponentType | undefined = placement?.iconOf ? placement.iconOf(ctx) : placement?.icon;
  const label = variant === 'text' ? (resolve(placement?.label, ctx) ?? command.title) : '';
  const className = `btn${variant === 'icon' ? ' icon' : variant === 'ghost-icon' ? ' ghost icon' : ''}${active ? ' active' : ''}`;
  return (
    <button
      className={className}
      onClick={() => runCommand(command.id, ctx)}
      disabled={!enabled}
      title={resolve(placement?.tooltip, ctx) ?? defaultTooltip(command)}
      data-reason={placement?.reason?.(ctx)}
      data-testid={placement?.testId}
      data-command={command.id}
    >
      {Icon ? <Icon /> : null}
      {Icon && label ? ' ' : null}
      {label}
    </button>
  );
}

/** A toolbar area: its commands and (viewer toolbar) widgets in order, a separator between groups when asked. */
export function Toolbar(props: { readonly area: ToolbarArea; readonly ctx: PanelContext; readonly separators?: boolean }) {
  useRegistryVersion();
  const items = toolbarItems(props.area, props.ctx);
  return (
    <Fragment>
      {items.map((item, i) => (
        <Fragment key={item.id}>
          {props.separators && i > 0 && items[i - 1]!.group !== item.group ? <span className="sep" /> : null}
          {item.kind === 'command' ? <CommandButton command={item.command} ctx={props.ctx} /> : <item.panel.component ctx={props.ctx} />}
        </Fragment>
      ))}
    </Fragment>
  );
}

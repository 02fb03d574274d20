import { useEffect, useRef } from 'react';
import type { MenuCommand } from '../../../core/contract/equimol-api';
import { getCommand, getCommands, runCommand, type PanelContext } from '../panels/panel-registry';
import { fromSettingsStyle } from '../state/app-services';
import { commandForKey, commandForMenu } from './keybindings';

function isTypingTarget(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element || !element.tagName) return false;
  return element.tagName === 'INPUT' || element.tagName === 'TEXTAREA' || element.tagName === 'SELECT' || element.isContentEditable;
}

/** The command the menu's set-viewer-style runs for a style. */
export function styleCommandId(style: string): string {
  return `equimol.style.${style}`;
}

/** Runs registered commands from their keybindings and from Electron menu commands ('equimol-menu' events). */
export function useCommandKeys(ctx: PanelContext): void {
  const latest = useRef(ctx);
  latest.current = ctx;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const command = commandForKey(getCommands(), event, isTypingTarget(event.target));
      if (!command) return;
      event.preventDefault();
      runCommand(command.id, latest.current);
    };
    const onMenu = (event: Event) => {
      const menu = (event as CustomEvent<MenuCommand>).detail;
      const id = menu.id === 'set-viewer-style' ? styleCommandId(fromSettingsStyle(menu.style)) : commandForMenu(getCommands(), menu.id)?.id;
      if (id && getCommand(id)) runCommand(id, latest.current);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('equimol-menu', onMenu);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('equimol-menu', onMenu);
    };
  }, []);
}

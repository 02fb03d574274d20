/**
 * Recent files over the empty viewer (no file open): one button per recent file, most recent first, that reopens it
 * with openPaths (desktop: the path; web mode: the name, from the files the browser keeps). Imported by
 * session-commands.tsx, which registers it.
 */
import { useEffect, useState } from 'react';
import type { PanelProps } from '../panels/panel-registry';

/** Buttons shown at most. */
const SHOWN = 8;

const baseName = (path: string) => path.split(/[\\/]/).pop() || path;

export function RecentFiles({ ctx }: PanelProps) {
  const { api, services } = ctx;
  const [recent, setRecent] = useState<readonly string[]>([]);
  useEffect(() => {
    let alive = true;
    api.getSettings().then(
      (settings) => alive && setRecent(settings.recentFiles),
      () => undefined,
    );
    const unsubscribe = api.subscribe((event) => {
      if (event.type === 'settings-changed') setRecent(event.settings.recentFiles);
    });
    return () => {
      alive = false;
      unsubscribe();
    };
  }, [api]);
  if (recent.length === 0) return null;
  const reopen = (path: string) =>
    api.openPaths([path]).then(services.openResult, (error: unknown) => services.notify('error', `Could not reopen ${baseName(path)}`, error instanceof Error ? error.message : String(error)));
  return (
    <div
      data-testid="recent-files"
      style={{ position: 'absolute', left: 0, right: 0, bottom: 16, display: 'flex', flexWrap: 'wrap', justifyContent: 'center', alignItems: 'center', gap: 6, padding: '0 16px', pointerEvents: 'none' }}
    >
      <span className="muted">Recent:</span>
      {recent.slice(0, SHOWN).map((path) => (
        <button key={path} className="btn" style={{ pointerEvents: 'auto' }} title={path} onClick={() => void reopen(path)} data-testid="recent-file">
          {baseName(path)}
        </button>
      ))}
    </div>
  );
}

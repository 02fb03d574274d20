/**
 * Files the OS asks the app to open: command-line arguments of the first or a second instance (Windows,
 * Linux file associations) and macOS 'open-file' events, which can arrive before the window exists.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * Existing file paths among command-line arguments. Skips the executable (and, when running unpackaged as
 * `electron .`, the app path), switches (--flag, -psn_ on macOS) and anything that is not a regular file.
 */
export function filePathsFromArgv(argv: readonly string[], cwd: string, packaged: boolean, isFile: (path: string) => boolean = isRegularFile): string[] {
  const args = argv.slice(packaged ? 1 : 2);
  const out: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-') || arg === '') continue;
    const path = isAbsolute(arg) ? arg : resolve(cwd, arg);
    if (isFile(path) && !out.includes(path)) out.push(path);
  }
  return out;
}

export function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Collects paths until the app is ready to open them, then hands each batch over at once. */
export class PendingOpens {
  private queued: string[] = [];
  private handler: ((paths: string[]) => void) | undefined;

  add(paths: readonly string[]): void {
    if (paths.length === 0) return;
    if (this.handler) this.handler([...paths]);
    else this.queued.push(...paths.filter((p) => !this.queued.includes(p)));
  }

  /** Sets the handler and flushes what was queued before it existed. */
  ready(handler: (paths: string[]) => void): void {
    this.handler = handler;
    if (this.queued.length > 0) {
      const paths = this.queued;
      this.queued = [];
      handler(paths);
    }
  }
}

import type { BatchJobProgress } from '../../core/pipeline/job';

/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, otherwise (logs, CI) a plain line every
 * `plainIntervalMs`. Never writes to stdout, which may carry data.
 */
export interface ProgressReporter {
  update(progress: BatchJobProgress): void;
  /** Clears the bar line (TTY) before the summary is printed. */
  finish(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** '1,234 rows/s', '2.5 rows/s', or '6.1 s/row' when a row takes longer than a second (relaxations, conformers). */
export function formatRowRate(rowsPerSecond: number): string {
  if (!(rowsPerSecond > 0)) return '0 rows/s';
  if (rowsPerSecond >= 10) return `${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s`;
  if (rowsPerSecond >= 1) return `${rowsPerSecond.toFixed(1)} rows/s`;
  return `${(1 / rowsPerSecond).toFixed(1)} s/row`;
}

export function describeProgress(p: BatchJobProgress): string {
  const fraction = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : undefined;
  const parts = [
    `${p.rowsWritten.toLocaleString('en-US')} rows`,
    ...(p.errorRows > 0 ? [`${p.errorRows.toLocaleString('en-US')} errors`] : []),
    ...(p.skipped > 0 ? [`${p.skipped.toLocaleString('en-US')} skipped`] : []),
    formatRowRate(p.rate),
    fraction !== undefined ? `${formatBytes(p.bytesRead)} of ${formatBytes(p.totalBytes!)} (${(fraction * 100).toFixed(1)}%)` : formatBytes(p.bytesRead),
    ...(p.etaSeconds !== undefined ? [`ETA ${formatDuration(p.etaSeconds)}`] : []),
  ];
  return parts.join(', ');
}

export function createProgressReporter(stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, plainIntervalMs = 10_000): ProgressReporter {
  if (stderr.isTTY) {
    let drawn = false;
    return {
      update(p) {
        const width = 24;
        const fraction = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
        const filled = Math.round(fraction * width);
        const bar = p.totalBytes ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
        const line = `${bar}${describeProgress(p)}`;
        const columns = stderr.columns || 100;
        stderr.write(`\r\x1b[K${line.slice(0, Math.max(10, columns - 1))}`);
        drawn = true;
      },
      finish() {
        if (drawn) stderr.write('\r\x1b[K');
      },
    };
  }
  let last = performance.now();
  return {
    update(p) {
      const now = performance.now();
      if (now - last < plainIntervalMs) return;
      last = now;
      stderr.write(`progress: ${describeProgress(p)}\n`);
    },
    finish() {},
  };
}

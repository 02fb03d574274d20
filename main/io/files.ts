/**
 * Node adapters between files and core's byte/text interfaces: inputs as AsyncIterable<Uint8Array> from fs streams
 * (or stdin for '-'), outputs as TextSink with real backpressure (each flush awaits the disk write), append for
 * resume, fsync on close, and write-to-temp-then-rename for outputs that must never be seen half written.
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { ByteSource } from '../../core/io/lines';
import type { JobInput } from '../../core/pipeline/job';
import type { TextSink } from '../../core/export/text-sink';
import { resumePointOf, scanOutput, type OutputScan, type TabularKind } from '../../core/pipeline/resume';
import type { ResumePoint } from '../../core/pipeline/job';

/** Read buffer for input files: big enough that per-chunk overhead vanishes on multi-GB files. */
export const READ_CHUNK_BYTES = 1 << 20;

export function fileBytes(path: string, chunkBytes = READ_CHUNK_BYTES): ByteSource {
  if (path === '-') return process.stdin as AsyncIterable<Uint8Array>;
  return createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Uint8Array>;
}

/** A job input for a path ('-' is stdin); the size (for progress) is read when the path exists. */
export async function fileInput(path: string): Promise<JobInput> {
  if (path === '-') return { name: '-', open: () => fileBytes('-') };
  let size: number | undefined;
  try {
    size = (await stat(path)).size;
  } catch {
    size = undefined; // opening it will report the error as the input's error row
  }
  return { name: path, ...(size !== undefined ? { size } : {}), open: () => fileBytes(path) };
}

/** Checks that a path can be opened for reading; returns the error message or undefined. */
export async function unreadableReason(path: string): Promise<string | undefined> {
  if (path === '-') return undefined;
  try {
    const s = await stat(path);
    if (s.isDirectory()) return `${path} is a directory`;
    const handle = await open(path, 'r');
    await handle.close();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Buffers text and writes it in ~1 MiB blocks, or after `flushMs` (so a killed run loses at most about a second
 * of rows); `write` awaits the disk whenever a block goes out.
 */
export class FileTextSink implements TextSink {
  private parts: string[] = [];
  private buffered = 0;
  private closed = false;
  private lastFlush = performance.now();

  private constructor(
    private readonly handle: FileHandle,
    private readonly flushChars: number,
    private readonly flushMs: number,
  ) {}

  /** mode 'w' truncates, 'a' appends (resume). */
  static async open(path: string, mode: 'w' | 'a', flushChars = 1 << 20, flushMs = 1000): Promise<FileTextSink> {
    return new FileTextSink(await open(path, mode), flushChars, flushMs);
  }

  async write(text: string): Promise<void> {
    if (this.closed) throw new Error('write after close');
    this.parts.push(text);
    this.buffered += text.length;
    if (this.buffered >= this.flushChars || performance.now() - this.lastFlush >= this.flushMs) await this.flush();
  }

  async flush(): Promise<void> {
    this.lastFlush = performance.now();
    if (this.parts.length === 0) return;
    const data = this.parts.join('');
    this.parts = [];
    this.buffered = 0;
    await this.handle.write(data);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }
}

/** stdout as a TextSink: waits for 'drain' when the pipe is full. */
export class StdoutSink implements TextSink {
  async write(text: string): Promise<void> {
    if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }

  async close(): Promise<void> {}
}

/**
 * A file written under a temporary name in the same folder and renamed over `path` by `commit()`, so readers
 * never see a half-written file; `discard()` removes the temporary file.
 */
export class AtomicFileSink implements TextSink {
  private constructor(
    private readonly inner: FileTextSink,
    readonly path: string,
    readonly tempPath: string,
  ) {}

  static async open(path: string): Promise<AtomicFileSink> {
    const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
    return new AtomicFileSink(await FileTextSink.open(tempPath, 'w'), path, tempPath);
  }

  write(text: string): Promise<void> {
    return this.inner.write(text);
  }

  /** Flushes and fsyncs; the file appears under its name only on commit(). */
  close(): Promise<void> {
    return this.inner.close();
  }

  async commit(): Promise<void> {
    await this.inner.close();
    await rename(this.tempPath, this.path);
  }

  async discard(): Promise<void> {
    await this.inner.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}

export interface TabularOutput {
  readonly sink: TextSink;
  /** Where the job restarts ({rows: 0} for a fresh output). */
  readonly resume: ResumePoint;
  /** False when the resumed file already has its header. */
  readonly writeHeader: boolean;
  /** The scan of the previous partial output, when resuming. */
  readonly scan?: OutputScan;
}

/**
 * Opens a CSV / JSON-lines output. With `resume`, an existing file is scanned, checked against the expected header,
 * truncated after its last complete row (a row torn by a kill is redone) and appended to.
 */
export async function openTabularOutput(path: string, kind: TabularKind, expectedHeader: readonly string[], resume: boolean): Promise<TabularOutput> {
  if (path === '-') return { sink: new StdoutSink(), resume: { rows: 0 }, writeHeader: true };
  let exists = false;
  try {
    exists = (await stat(path)).isFile();
  } catch {
    exists = false;
  }
  if (!resume || !exists) return { sink: await FileTextSink.open(path, 'w'), resume: { rows: 0 }, writeHeader: true };
  const scan = await scanOutput(fileBytes(path), kind);
  const point = resumePointOf(scan, kind, expectedHeader);
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(scan.completeBytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const writeHeader = kind === 'csv' && scan.header === undefined;
  return { sink: await FileTextSink.open(path, 'a'), resume: point, writeHeader, scan };
}

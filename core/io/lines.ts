/**
 * Bytes -> lines in bounded memory: the hot path for multi-GB inputs.
 *
 * A source is any `AsyncIterable<Uint8Array>` (a Node fs stream, a browser `File.stream()`, a test array).
 * gzip is recognised by its magic bytes (1f 8b) and inflated with the web-standard `DecompressionStream`,
 * text is decoded as UTF-8 with a streaming `TextDecoder` (a leading BOM is dropped, invalid bytes become
 * U+FFFD), and lines end at \n, \r\n or a lone \r. Lines are handed out in batches (one per decoded chunk)
 * because one promise per line would cost more than the parsing itself.
 */

export type ByteSource = AsyncIterable<Uint8Array>;

/** A run of consecutive lines; `firstLine` is the 1-based number of `lines[0]`. */
export interface LineBatch {
  readonly lines: string[];
  readonly firstLine: number;
}

export interface NumberedLine {
  readonly text: string;
  /** 1-based line number. */
  readonly line: number;
}

/** Thrown when the bytes cannot be read as text: corrupt gzip, or a line longer than `maxLineLength`. */
export class InputReadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputReadError';
  }
}

export interface LineOptions {
  /** Inflate gzip when the first bytes are the gzip magic number (default true). */
  readonly gunzip?: boolean;
  /** A line longer than this many characters is an error rather than unbounded memory (default 256 Mi). */
  readonly maxLineLength?: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** Counts the raw (possibly compressed) bytes that pass through, for progress against a file size. */
export class ByteCounter {
  bytes = 0;

  count(source: ByteSource): ByteSource {
    const add = (n: number) => {
      this.bytes += n;
    };
    return {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of source) {
          add(chunk.byteLength);
          yield chunk;
        }
      },
    };
  }
}

/** Yields the first chunks again, then the rest of an already started iterator. */
async function* replay(first: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for (const chunk of first) yield chunk;
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await rest.return?.();
  }
}

/**
 * Inflates gzip with DecompressionStream, pumping the source into its writable side ourselves. A consumer that
 * stops early aborts the writable side (never `cancel()` on the readable side: Node 20's stream adapter then
 * throws 'Controller is already closed' from a late zlib 'data' event, an uncaught exception).
 */
async function* inflate(source: AsyncIterator<Uint8Array>, first: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let stopped = false;
  let sourceFailure: { error: unknown } | undefined;
  const pump = async () => {
    try {
      for (const chunk of first) {
        if (stopped) return;
        await writer.write(chunk as Uint8Array<ArrayBuffer>);
      }
      for (;;) {
        if (stopped) return;
        let next: IteratorResult<Uint8Array>;
        try {
          next = await source.next();
        } catch (error) {
          sourceFailure = { error };
          throw error;
        }
        if (next.done || stopped) break;
        await writer.write(next.value as Uint8Array<ArrayBuffer>);
      }
      if (!stopped) await writer.close();
    } catch (error) {
      // Corrupt data rejects the write and the read alike: the reader reports it. A failing source is passed on.
      if (!stopped) await writer.abort(error).catch(() => undefined);
    }
  };
  const pumping = pump();
  let finished = false;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (sourceFailure) throw sourceFailure.error;
        throw new InputReadError(`gzip data is corrupt or truncated (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (!finished) {
      stopped = true;
      const aborting = writer.abort(new Error('reading stopped')).catch(() => undefined);
      // An abort waits for the write in flight, which waits for room on the readable side: drain until it errors.
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch {
        // errored by the abort, as intended
      }
      await aborting;
    }
    reader.releaseLock();
    if (finished) {
      await pumping;
    } else {
      // Do not wait for the pump: it may be blocked on a source that never ends (stdin). Close the source instead.
      void pumping;
      void Promise.resolve(source.return?.()).catch(() => undefined);
    }
  }
}

/** The decompressed bytes of a source: gzip inflated when its magic number is present, anything else passed through. */
export function decompressed(source: ByteSource): ByteSource {
  return {
    async *[Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      const first: Uint8Array[] = [];
      let have = 0;
      // The magic number may straddle chunks: wait for two bytes (or the end).
      while (have < 2) {
        const next = await iterator.next();
        if (next.done) break;
        if (next.value.byteLength === 0) continue;
        first.push(next.value);
        have += next.value.byteLength;
      }
      const headBytes = first.length === 1 ? first[0]! : concatBytes(first, 2);
      if (isGzip(headBytes)) yield* inflate(iterator, first);
      else yield* replay(first, iterator);
    },
  };
}

function concatBytes(chunks: readonly Uint8Array[], limit = Infinity): Uint8Array {
  const total = Math.min(limit, chunks.reduce((s, c) => s + c.byteLength, 0));
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= total) break;
    const take = Math.min(chunk.byteLength, total - offset);
    out.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), offset);
    offset += take;
  }
  return out;
}

export interface Head {
  /** The first `maxBytes` of the decompressed text (BOM dropped), for format sniffing. */
  readonly text: string;
  /** The whole decompressed byte stream, the head included: read this instead of the original source. */
  readonly bytes: ByteSource;
}

/**
 * Peeks at the start of a source without losing it (stdin cannot be read twice): decompresses, decodes the
 * first `maxBytes` for sniffing and returns a stream that replays them followed by the rest.
 */
export async function readHead(source: ByteSource, maxBytes = 64 * 1024): Promise<Head> {
  const iterator = decompressed(source)[Symbol.asyncIterator]();
  const first: Uint8Array[] = [];
  let have = 0;
  let failure: { error: unknown } | undefined;
  while (have < maxBytes) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await iterator.next();
    } catch (error) {
      // A short corrupt file: sniff what arrived; the stream replays it and then fails where the bytes did.
      failure = { error };
      break;
    }
    if (next.done) break;
    first.push(next.value);
    have += next.value.byteLength;
  }
  if (failure && first.length === 0) throw failure.error;
  const text = new TextDecoder('utf-8').decode(concatBytes(first, maxBytes));
  const bytes: ByteSource = failure
    ? {
        async *[Symbol.asyncIterator]() {
          for (const chunk of first) yield chunk;
          throw failure.error;
        },
      }
    : { [Symbol.asyncIterator]: () => replay(first, iterator) };
  return { text, bytes };
}

/**
 * Lines of a byte source in batches. The last line is yielded even without a trailing newline; an empty
 * source yields nothing; a file ending in a newline has no extra empty last line.
 */
export async function* lineBatches(source: ByteSource, options: LineOptions = {}): AsyncGenerator<LineBatch> {
  const bytes = options.gunzip === false ? source : decompressed(source);
  const maxLineLength = options.maxLineLength ?? 256 * 1024 * 1024;
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let nextLine = 1;
  for await (const chunk of bytes) {
    let text = carry + decoder.decode(chunk, { stream: true });
    let heldCR = false;
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) {
      // A \r at the end of a chunk may be the first half of \r\n: decide when the next chunk arrives.
      text = text.slice(0, -1);
      heldCR = true;
    }
    const lines = text.indexOf('\r') < 0 ? text.split('\n') : text.split(/\r\n|\r|\n/);
    carry = lines.pop()!;
    if (heldCR) carry += '\r';
    if (carry.length > maxLineLength) {
      throw new InputReadError(`line ${nextLine + lines.length} is longer than ${maxLineLength} characters`);
    }
    if (lines.length > 0) {
      yield { lines, firstLine: nextLine };
      nextLine += lines.length;
    }
  }
  const tail = carry + decoder.decode();
  if (tail.length > 0) {
    const lines = tail.indexOf('\r') < 0 ? tail.split('\n') : tail.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines.length > 0) yield { lines, firstLine: nextLine };
  }
}

/** Lines one at a time with their 1-based numbers (convenient; `lineBatches` is faster). */
export async function* linesFromChunks(source: ByteSource, options: LineOptions = {}): AsyncGenerator<NumberedLine> {
  for await (const batch of lineBatches(source, options)) {
    for (let i = 0; i < batch.lines.length; i++) yield { text: batch.lines[i]!, line: batch.firstLine + i };
  }
}

/** A byte source over in-memory data, cut into chunks of `chunkSize` bytes (tests, pasted text, browser blobs). */
export function bytesSource(data: Uint8Array | string, chunkSize = 1 << 20): ByteSource {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return {
    async *[Symbol.asyncIterator]() {
      for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
        yield bytes.subarray(offset, Math.min(bytes.byteLength, offset + chunkSize));
      }
    },
  };
}

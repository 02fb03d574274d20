import type { Structure } from '../structure/structure';
import { toRecordError, type RecordError } from '../structure/errors';
import type { RecordChunk, StructureFormat } from './format';

export interface ReadResult {
  readonly structures: Structure[];
  readonly errors: RecordError[];
}

/** Splits text into lines, accepting \n, \r\n and \r. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Cuts lines into record chunks with the format's splitter. */
export function* chunksOf(lines: Iterable<string>, format: StructureFormat): Generator<RecordChunk> {
  const splitter = format.createSplitter();
  for (const line of lines) {
    const chunk = splitter.push(line);
    if (chunk) yield chunk;
  }
  const last = splitter.end();
  if (last) yield last;
}

/**
 * Reads a whole text in memory: every record parsed, bad records reported (file, record, line) and skipped.
 * Call `await format.prepare?.()` first for formats that need a toolkit.
 */
export function readText(text: string, file: string, format: StructureFormat): ReadResult {
  const structures: Structure[] = [];
  const errors: RecordError[] = [];
  for (const chunk of chunksOf(splitLines(text), format)) {
    try {
      structures.push(format.parseRecord(chunk, file));
    } catch (error) {
      errors.push(toRecordError(error, file, chunk.index, chunk.firstLine));
    }
  }
  return { structures, errors };
}

/** Whole structure files into memory (training sets, evaluation data); the batch pipeline streams instead. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { RecordChunk } from '../../core/formats/format';
import { detectFormat, formatById } from '../../core/formats/registry';
import { lineBatches, readHead } from '../../core/io/lines';
import { toRecordError } from '../../core/structure/errors';
import { readText } from '../../core/formats/read-text';
import type { Structure } from '../../core/structure/structure';
import { fileBytes } from './files';

/** Reads every structure of a (possibly gzipped) structure file; throws on records that fail to parse. */
export async function readStructures(path: string): Promise<Structure[]> {
  let bytes: Buffer = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8');
  const format = detectFormat(path.replace(/\.gz$/, ''), text.slice(0, 4096));
  await format.prepare?.();
  const { structures, errors } = readText(text, path, format);
  if (errors.length > 0) throw new Error(`${path}: ${errors.length} records could not be read (first: ${errors[0]!.message})`);
  return structures;
}

/**
 * Reads only record `index` (0-based) of a structure file ('-' is stdin), streaming: the records before it are
 * cut but not parsed, and reading stops once it is found. Throws an Error naming the file, record (1-based) and
 * line when the record does not parse, or when the file has fewer records.
 */
export async function readRecord(path: string, index: number, formatId?: string): Promise<Structure> {
  const head = await readHead(fileBytes(path));
  const format = formatId !== undefined ? formatById(formatId) : detectFormat(path.replace(/\.gz$/, ''), head.text);
  if (!format) throw new Error(`unknown format '${formatId}'`);
  await format.prepare?.();
  const splitter = format.createSplitter();
  let count = 0;
  let found: RecordChunk | undefined;
  const lines = lineBatches(head.bytes, { gunzip: false })[Symbol.asyncIterator]();
  const take = (chunk: RecordChunk | undefined) => {
    if (!chunk) return;
    count++;
    if (chunk.index === index) found = chunk;
  };
  try {
    for (;;) {
      const next = await lines.next();
      if (next.done) break;
      for (const line of next.value.lines) {
        take(splitter.push(line));
        if (found) break;
      }
      if (found) break;
    }
    if (!found) take(splitter.end());
  } finally {
    await lines.return?.(undefined);
  }
  if (!found) throw new Error(`${path} has ${count} record${count === 1 ? '' : 's'}; there is no record ${index + 1}`);
  try {
    return format.parseRecord(found, path);
  } catch (error) {
    const e = toRecordError(error, path, found.index, found.firstLine);
    throw new Error(`${path}: record ${index + 1}, line ${e.line}: ${e.message}`);
  }
}

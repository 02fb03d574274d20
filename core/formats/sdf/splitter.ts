import type { RecordChunk, RecordSplitter } from '../format';

function isDelimiter(line: string): boolean {
  return line.charCodeAt(0) === 36 && line.startsWith('$$$$') && line.trimEnd() === '$$$$';
}

/**
 * Cuts an SD file into records at '$$$$' lines (not included in the chunk). Holds one record at a time.
 * A lone molfile without '$$$$' is one record; trailing blank lines after the last '$$$$' are dropped.
 */
export function createSdfSplitter(): RecordSplitter {
  let lines: string[] = [];
  let firstLine = 1;
  let lineNo = 0;
  let index = 0;
  const take = (): RecordChunk => {
    const chunk: RecordChunk = { index: index++, firstLine, lines };
    lines = [];
    return chunk;
  };
  return {
    push(line: string): RecordChunk | undefined {
      lineNo++;
      if (isDelimiter(line)) {
        const chunk = take();
        firstLine = lineNo + 1;
        return chunk;
      }
      lines.push(line);
      return undefined;
    },
    end(): RecordChunk | undefined {
      if (lines.every((l) => l.trim() === '')) return undefined;
      return take();
    },
  };
}

import type { RecordChunk, RecordSplitter } from '../format';

const HEADER_RECORDS = new Set(['CRYST1', 'TITLE ', 'HEADER']);
const MAX_HEADER_LINES = 64;

/**
 * Cuts a PDB file into models at ENDMDL. A file without MODEL records is one record. CRYST1 / TITLE / HEADER
 * lines from before the first model are passed to later models in `header` (model 1 starts at line 1).
 * Trailing lines after the last ENDMDL without atoms (CONECT, MASTER, END) make no record.
 */
export function createPdbSplitter(): RecordSplitter {
  let lines: string[] = [];
  let firstLine = 1;
  let lineNo = 0;
  let index = 0;
  let hasAtoms = false;
  const header: string[] = [];
  let inModel = false;
  const take = (): RecordChunk => {
    const chunk: RecordChunk = index > 0 && header.length > 0 ? { index, firstLine, lines, header: [...header] } : { index, firstLine, lines };
    index++;
    lines = [];
    hasAtoms = false;
    return chunk;
  };
  return {
    push(line: string): RecordChunk | undefined {
      lineNo++;
      lines.push(line);
      const record = line.slice(0, 6);
      if (record === 'ATOM  ' || record === 'HETATM') hasAtoms = true;
      else if (record === 'MODEL ') inModel = true;
      else if (!inModel && index === 0 && HEADER_RECORDS.has(record) && header.length < MAX_HEADER_LINES) header.push(line);
      else if (record === 'ENDMDL') {
        inModel = false;
        const chunk = take();
        firstLine = lineNo + 1;
        return chunk;
      }
      return undefined;
    },
    end(): RecordChunk | undefined {
      if (!hasAtoms && index > 0) return undefined;
      if (lines.length === 0) return undefined;
      return take();
    },
  };
}

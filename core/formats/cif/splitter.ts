import type { RecordChunk, RecordSplitter } from '../format';

/**
 * Cuts CIF text into data blocks: a record starts at each line beginning with `data_` (outside ;text fields;).
 * Comment lines before the first block belong to it. Holds one block in memory.
 */
export class CifSplitter implements RecordSplitter {
  private lineNo = 0;
  private index = 0;
  private lines: string[] = [];
  private firstLine = 1;
  private inTextField = false;
  private seenData = false;

  push(line: string): RecordChunk | undefined {
    this.lineNo++;
    if (this.lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1); // byte-order mark
    if (line.charCodeAt(0) === 59) this.inTextField = !this.inTextField;
    let out: RecordChunk | undefined;
    if (!this.inTextField && /^\s*data_/i.test(line)) {
      if (this.seenData) out = this.take();
      if (this.lines.length === 0) this.firstLine = this.lineNo;
      this.seenData = true;
    }
    if (this.lines.length === 0 && !this.seenData && line.trim() === '') {
      // leading blank lines are not part of any record
      return out;
    }
    if (this.lines.length === 0) this.firstLine = this.lineNo;
    this.lines.push(line);
    return out;
  }

  end(): RecordChunk | undefined {
    if (this.lines.length === 0) return undefined;
    if (this.lines.every((l) => l.trim() === '' || l.trimStart().startsWith('#'))) {
      this.lines = [];
      return undefined;
    }
    return this.take();
  }

  private take(): RecordChunk {
    const chunk: RecordChunk = { index: this.index++, firstLine: this.firstLine, lines: this.lines };
    this.lines = [];
    return chunk;
  }
}

import type { RecordChunk, RecordSplitter } from '../format';
import { parseAtomCount } from './parser';

/** Most lines gathered into one record of unframed text before it is handed on (bounds memory on garbage). */
const MAX_GARBAGE_LINES = 1000;

/**
 * Cuts XYZ text into frames: a count line N, then N + 1 lines. Blank lines between frames are skipped.
 * A bare integer where an atom line is expected ends the frame early (it is the next frame's count).
 * Lines where a count is expected but none is found are gathered (up to the next count line) into one record
 * that parseRecord rejects with their first line number. Holds only the current frame in memory.
 */
export class XyzSplitter implements RecordSplitter {
  private lineNo = 0;
  private index = 0;
  private lines: string[] = [];
  private firstLine = 0;
  /** Lines still owed to the current frame; -1 while waiting for a count line. */
  private remaining = -1;
  private garbage = false;

  push(line: string): RecordChunk | undefined {
    this.lineNo++;
    if (this.lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1); // byte-order mark
    if (this.remaining > 0) {
      // An atom line is never a bare integer: such a line means the frame is shorter than its count says.
      // Hand on the short frame (parseRecord reports it) and start the next one here, so one wrong count
      // costs one frame, not the rest of the file.
      if (this.lines.length >= 2 && parseAtomCount(line) !== undefined) {
        const short = this.take();
        this.lines = [line];
        this.firstLine = this.lineNo;
        this.remaining = (parseAtomCount(line) ?? 0) + 1;
        return short;
      }
      this.lines.push(line);
      if (--this.remaining === 0) {
        this.remaining = -1;
        return this.take();
      }
      return undefined;
    }
    const count = parseAtomCount(line);
    if (count === undefined) {
      if (!this.garbage) {
        if (line.trim() === '') return undefined;
        this.garbage = true;
        this.lines = [];
        this.firstLine = this.lineNo;
      }
      this.lines.push(line);
      if (this.lines.length >= MAX_GARBAGE_LINES) {
        this.garbage = false;
        return this.take();
      }
      return undefined;
    }
    const pending = this.garbage ? this.take() : undefined;
    this.garbage = false;
    this.lines = [line];
    this.firstLine = this.lineNo;
    this.remaining = count + 1;
    return pending;
  }

  end(): RecordChunk | undefined {
    if (this.lines.length === 0) return undefined;
    this.remaining = -1;
    this.garbage = false;
    return this.take();
  }

  private take(): RecordChunk {
    const chunk: RecordChunk = { index: this.index++, firstLine: this.firstLine, lines: this.lines };
    this.lines = [];
    return chunk;
  }
}

/** A problem with one record of a file: the file, the 0-based record index and the 1-based line. */
export interface RecordError {
  readonly file: string;
  readonly record: number;
  readonly line: number;
  readonly message: string;
}

/** Thrown by parsers for malformed input; `line` is 1-based within the file, `record` 0-based. */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly record = 0,
    readonly file = '',
  ) {
    super(message);
    this.name = 'FormatError';
  }

  /** Same error, tagged with file and record (parsers often know only the line). */
  withLocation(file: string, record: number): FormatError {
    return new FormatError(this.message, this.line, record, file);
  }

  toRecordError(): RecordError {
    return { file: this.file, record: this.record, line: this.line, message: this.message };
  }

  override toString(): string {
    return `${this.file || '<input>'}: record ${this.record + 1}, line ${this.line}: ${this.message}`;
  }
}

/** Converts anything thrown while reading a record into a RecordError naming file, record and line. */
export function toRecordError(error: unknown, file: string, record: number, line: number): RecordError {
  if (error instanceof FormatError) return { file, record, line: error.line || line, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { file, record, line, message };
}

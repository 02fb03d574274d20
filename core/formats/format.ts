import type { Structure } from '../structure/structure';

/**
 * One record's lines as cut from a file by a format's splitter.
 * `firstLine` is the 1-based line number of `lines[0]` in the file; `index` the 0-based record index.
 * `header` carries lines a splitter keeps for every record (e.g. the CSV header row).
 */
export interface RecordChunk {
  readonly index: number;
  readonly firstLine: number;
  readonly lines: readonly string[];
  readonly header?: readonly string[];
}

/**
 * Cuts a stream of lines into records, one line at a time, in bounded memory.
 * `push` returns the record completed by this line (if any); `end` flushes the last one.
 * A splitter never throws: malformed framing is left to `parseRecord`, which reports the line.
 */
export interface RecordSplitter {
  push(line: string): RecordChunk | undefined;
  end(): RecordChunk | undefined;
}

/** Serialises structures to one file format, record by record, so writers can stream. */
export interface StructureWriter {
  /** Text written once before the first record (may be ''). */
  begin?(): string;
  /** One record's text, ending in a newline. */
  write(structure: Structure, index: number): string;
  /** Text written once after the last record (may be ''). */
  end?(): string;
}

/** A file format as the registry knows it: identity, file names, sniffing, splitting, parsing, writing. */
export interface StructureFormat {
  /** Stable id used by --format and in provenance: 'xyz', 'extxyz', 'sdf', 'pdb', 'cif', 'poscar', 'smi', 'smiles-csv'. */
  readonly id: string;
  /** Human name for menus and errors, e.g. 'MDL SDF/MOL'. */
  readonly name: string;
  /** Lower-case extensions without the dot, e.g. ['sdf', 'sd', 'mol']. */
  readonly extensions: readonly string[];
  /** Exact base names matched case-insensitively, e.g. ['POSCAR', 'CONTCAR']. */
  readonly fileNames?: readonly string[];
  /** Confidence in [0, 1] that text starting with `head` (first few KB) is in this format. */
  sniff(head: string): number;
  /** Loads toolkits (RDKit / openchemlib wasm) before parsing; idempotent. */
  prepare?(): Promise<void>;
  createSplitter(): RecordSplitter;
  /**
   * True when parseRecord builds 3D coordinates (SMILES: about a second per molecule): readers split the whole file
   * first, then parse record by record in the background, yielding after each one.
   */
  readonly embeds?: boolean;
  /** Parses one record; throws FormatError carrying the 1-based file line of the problem. */
  parseRecord(chunk: RecordChunk, file: string): Structure;
  /** Present when the format can be written. */
  createWriter?(options?: WriterOptions): StructureWriter;
}

export interface WriterOptions {
  /** Property keys to write (SD fields, extXYZ info); all when undefined. */
  readonly properties?: readonly string[];
  /** Force SDF V3000 even for small molecules. */
  readonly v3000?: boolean;
}

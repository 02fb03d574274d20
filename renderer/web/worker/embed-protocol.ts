/** Messages between the session worker and its embed worker (SMILES → 3D off the session's thread). */
import type { RecordChunk } from '../../../core/formats/format';
import type { Structure } from '../../../core/structure/structure';

export interface EmbedRequest {
  readonly id: number;
  readonly formatId: string;
  readonly chunk: RecordChunk;
  readonly file: string;
}

export type EmbedReply =
  | { readonly id: number; readonly ok: true; readonly structure: Structure }
  /** `line` > 0: a bad record (a FormatError at that line); `broken`: the worker cannot embed at all (toolkits did not load). */
  | { readonly id: number; readonly ok: false; readonly message: string; readonly line: number; readonly broken: boolean };

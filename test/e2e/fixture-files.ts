/**
 * Real input files for the e2e tests, read where they live (test fixtures, ../shared/datasets) — never copied
 * into the repository — plus the small independent readers the tests use to know what a file implies.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REPO_ROOT } from '../helpers/browser';
import type { DroppedFile } from './web-app-harness';

export const DATASETS_DIR = resolve(REPO_ROOT, '..', 'shared', 'datasets');

/** One member of a .tar.gz (ustar), by base name. */
export function readTarGzMember(archivePath: string, memberName: string): Uint8Array {
  const tar = gunzipSync(readFileSync(archivePath));
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    const name = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    const start = offset + 512;
    if (name === memberName || name.endsWith(`/${memberName}`)) return new Uint8Array(tar.subarray(start, start + size));
    offset = start + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${memberName} not found in ${archivePath}`);
}

/** COD 1000041 (NaCl, Fm-3m, symmetry operations to expand) from the CGCNN CIF set. */
export function naclCif(): DroppedFile {
  return { name: '1000041.cif', bytes: readTarGzMember(resolve(DATASETS_DIR, 'cif_fixtures_cgcnn', 'cgcnn_cod_cifs.tar.gz'), '1000041.cif') };
}

/** Number of records of an SDF text: one per '$$$$' terminator. */
export function sdfRecordCount(text: string): number {
  return text.split(/\r?\n/).filter((line) => line.trim() === '$$$$').length;
}

/** Atom coordinates of the first molfile (V2000) in an SDF text: [x, y, z] per atom, Å. */
export function firstMolfileCoordinates(text: string): Array<[number, number, number]> {
  const lines = text.split(/\r?\n/);
  const atoms = parseInt(lines[3]!.slice(0, 3), 10);
  return lines.slice(4, 4 + atoms).map((line) => [parseFloat(line.slice(0, 10)), parseFloat(line.slice(10, 20)), parseFloat(line.slice(20, 30))]);
}

export function distance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}

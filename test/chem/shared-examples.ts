// Reads files from ../shared/datasets/protein_ligand_examples/protein_ligand_examples.tar.gz in memory
// (node:zlib + a minimal ustar reader), so tests use the shared data without copying it into the repo.
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const sharedExamplesTar = join(repoRoot, '..', 'shared', 'datasets', 'protein_ligand_examples', 'protein_ligand_examples.tar.gz');

export function sharedExamplesAvailable(): boolean {
  return existsSync(sharedExamplesTar);
}

/** Text of the file whose base name is `name` inside a .tar.gz. */
export function readFromTarGz(tarGzPath: string, name: string): string {
  const tar = gunzipSync(readFileSync(tarGzPath));
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const cString = (start: number, end: number) => {
      const text = header.subarray(start, end).toString('latin1');
      const nul = text.indexOf('\0');
      return nul < 0 ? text : text.slice(0, nul);
    };
    const rawName = cString(0, 100);
    const prefix = cString(345, 500);
    const size = parseInt(cString(124, 136).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const fullName = prefix ? `${prefix}/${rawName}` : rawName;
    const base = fullName.split('/').pop();
    if ((type === '0' || type === '\0') && base === name) {
      return tar.subarray(offset + 512, offset + 512 + size).toString('utf8');
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not found in ${tarGzPath}`);
}

export function readFixture(relativePath: string): string {
  return readFileSync(join(repoRoot, 'test', 'fixtures', relativePath), 'utf8');
}

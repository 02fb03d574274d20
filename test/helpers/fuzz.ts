/**
 * Deterministic mutation fuzzing of real files: each mutant is the original text with one to three
 * random edits (delete / duplicate / swap lines, truncate, replace a token by garbage, flip characters).
 * Use with a reader to check it never throws anything but its own errors, never hangs, and names a line.
 */
import { seededRandom } from '../../core/util/seeded-random';

export { seededRandom };

const GARBAGE = ['', 'nan', 'NaN', 'inf', '-1', '0', '999999999', '1e309', '-0', 'x', '#', '"', "'", '$$$$', 'M  END', 'END', 'loop_', '_', '=', '1.2.3', '\t', '  ', 'ÿ', '\u0000', '-2147483649'];

export function mutate(text: string, random: () => number): string {
  let lines = text.split('\n');
  const edits = 1 + Math.floor(random() * 3);
  const pick = (n: number) => Math.floor(random() * Math.max(1, n));
  for (let e = 0; e < edits; e++) {
    const kind = pick(8);
    const i = pick(lines.length);
    switch (kind) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[i] ?? ''); break;
      case 2: { const j = pick(lines.length); const t = lines[i]!; lines[i] = lines[j]!; lines[j] = t; break; }
      case 3: lines = lines.slice(0, i); break;
      case 4: {
        const tokens = (lines[i] ?? '').split(/(\s+)/);
        const k = pick(tokens.length);
        tokens[k] = GARBAGE[pick(GARBAGE.length)]!;
        lines[i] = tokens.join('');
        break;
      }
      case 5: {
        const line = lines[i] ?? '';
        const k = pick(line.length);
        lines[i] = line.slice(0, k) + String.fromCharCode(32 + pick(95)) + line.slice(k + 1);
        break;
      }
      case 6: lines[i] = (lines[i] ?? '').slice(0, pick((lines[i] ?? '').length)); break;
      default: lines.splice(i, 0, GARBAGE[pick(GARBAGE.length)]!); break;
    }
  }
  return lines.join('\n');
}

/** `count` mutants of `text`, reproducible from `seed`. */
export function* mutants(text: string, count: number, seed: number): Generator<string> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) yield mutate(text, random);
}

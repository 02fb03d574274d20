/**
 * Space-group operations by number or Hermann-Mauguin symbol, for CIFs that name a group but list no
 * operations. Table from ASE (spacegroup.generated-data.ts); the full operation list is built as ASE's
 * Spacegroup.get_symop(): for parity +1 (and -1 when centrosymmetric), for each centring translation,
 * each operation with rotation × parity and translation + centring (mod 1).
 */
import { SPACE_GROUP_ROWS } from './spacegroups.generated-data';
import { parseSymmetryOperation, type SymmetryOperation } from './symmetry';

/** Space groups with a rhombohedral setting (2) besides the hexagonal one (1). */
export const RHOMBOHEDRAL_GROUPS: ReadonlySet<number> = new Set([146, 148, 155, 160, 161, 166, 167]);

/** Older symbols ASE maps to the current ones. */
const OLD_NAMES: Record<string, string> = { Abm2: 'Aem2', Aba2: 'Aea2', Cmca: 'Cmce', Cmma: 'Cmme', Ccca: 'Ccc1' };

const compact = (symbol: string) => symbol.replace(/\s+/g, '');

export interface SpaceGroupSetting {
  readonly number: number;
  readonly setting: number;
  readonly symbol: string;
  readonly operations: readonly SymmetryOperation[];
}

function build(row: (typeof SPACE_GROUP_ROWS)[number]): SpaceGroupSetting {
  const [number, setting, symbol, centrosymmetric, centring, ops] = row;
  const base = ops.map(parseSymmetryOperation);
  const shifts = centring.map((c) => parseSymmetryOperation(c).translation);
  const operations: SymmetryOperation[] = [];
  for (const parity of centrosymmetric ? [1, -1] : [1]) {
    for (const shift of shifts) {
      for (const op of base) {
        operations.push({
          rotation: op.rotation.map((r) => r * parity),
          translation: op.translation.map((t, k) => {
            const x = t + shift[k]!;
            return x - Math.floor(x);
          }),
        });
      }
    }
  }
  return { number, setting, symbol, operations };
}

/**
 * Looks a group up by IT number (preferred) or H-M symbol (spaces ignored; a ':1'/':2'/':H'/':R' suffix
 * picks the setting). `setting` 1 is the default (hexagonal axes for rhombohedral groups), 2 the alternative.
 */
export function spaceGroupSetting(number: number | undefined, symbol: string | undefined, setting = 1): SpaceGroupSetting | undefined {
  let wanted = setting;
  let name = symbol?.trim();
  if (name) {
    const colon = name.indexOf(':');
    if (colon >= 0) {
      const suffix = name.slice(colon + 1).trim().toUpperCase();
      if (suffix === '2' || suffix === 'R') wanted = 2;
      else if (suffix === '1' || suffix === 'H') wanted = 1;
      name = name.slice(0, colon).trim();
    }
    name = OLD_NAMES[name] ?? name;
  }
  let row;
  if (number !== undefined && Number.isInteger(number)) {
    row = SPACE_GROUP_ROWS.find((r) => r[0] === number && r[1] === wanted) ?? SPACE_GROUP_ROWS.find((r) => r[0] === number);
  } else if (name) {
    const key = compact(name);
    row = SPACE_GROUP_ROWS.find((r) => compact(r[2]) === key && r[1] === wanted) ?? SPACE_GROUP_ROWS.find((r) => compact(r[2]) === key);
  }
  return row ? build(row) : undefined;
}

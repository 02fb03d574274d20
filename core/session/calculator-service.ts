/**
 * The calculators a session offers to its sampler jobs (relax, md): lazy entries, each created once on first use
 * (a model's weights, the xtb library), listed as CalculatorInfo and checked against structures for the chooser.
 */
import type { CalculatorCheck, CalculatorInfo } from '../contract/equimol-api';
import { elementCoverageReason, structureLabel, type Calculator, type CalculatorDescription } from '../calc/calculator';
import type { CalculatorEntry as CatalogueEntry } from '../calc/catalogue';
import type { Structure } from '../structure/structure';

/**
 * A calculator the session can create when a job needs it: the catalogue entry of core/calc/catalogue.ts, which
 * may also say, without creating it, why it cannot run here. The session creates each once and disposes it.
 * An entry whose create() failed is listed unavailable with the error as its reason.
 */
export interface CalculatorEntry extends CatalogueEntry {
  unavailableReason?(): string | undefined | Promise<string | undefined>;
}

export class UnknownCalculatorError extends Error {
  constructor(
    readonly calculator: string,
    known: readonly string[],
  ) {
    super(`unknown calculator '${calculator.slice(0, 64)}' (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownCalculatorError';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A listing that can change while the session runs (the host's models folder gains a trained model): `list` is
 * called on first need and again after each `onChange` notification, so the next listing re-reads it.
 */
export interface RefreshableCalculatorSource {
  readonly list: () => Promise<readonly CalculatorEntry[]>;
  /** Registers the service's refresh; the source calls it when its listing changed. */
  readonly onChange: (refresh: () => void) => void;
}

/**
 * Calculator entries: a list; a function read on every call (late registrations show); a function returning a
 * promise, called once on first need (the host lists its model files then); a promise of the list; or a
 * refreshable listing (re-read after it says it changed).
 */
export type CalculatorSource =
  | readonly CalculatorEntry[]
  | Promise<readonly CalculatorEntry[]>
  | (() => readonly CalculatorEntry[] | Promise<readonly CalculatorEntry[]>)
  | RefreshableCalculatorSource;

function isRefreshable(source: CalculatorSource): source is RefreshableCalculatorSource {
  return typeof source === 'object' && !(source instanceof Promise) && !Array.isArray(source) && 'onChange' in source;
}

export class CalculatorService {
  private readonly created = new Map<string, Promise<Calculator>>();
  private readonly failed = new Map<string, string>();
  private listed: Promise<readonly CalculatorEntry[]> | undefined;

  constructor(
    private readonly source: CalculatorSource = [],
    private readonly onListError: (error: unknown) => void = (e) => console.error('calculator list failed:', e),
  ) {
    if (isRefreshable(source)) source.onChange(() => this.refresh());
  }

  /**
   * Forgets the listing so the next call re-reads the source (a new model file). Calculators already created
   * stay, keyed by id.
   */
  refresh(): void {
    this.listed = undefined;
  }

  async all(): Promise<readonly CalculatorEntry[]> {
    if (this.listed) return this.listed;
    const source = this.source;
    const value = isRefreshable(source) ? source.list() : typeof source === 'function' ? source() : source;
    if (!(value instanceof Promise)) return value;
    this.listed = value.catch((error: unknown) => {
      this.onListError(error);
      return [];
    });
    return this.listed;
  }

  async ids(): Promise<string[]> {
    return (await this.all()).map((e) => e.id);
  }

  /** The description of a calculator; throws UnknownCalculatorError for an id not offered. */
  async describe(id: string): Promise<CalculatorDescription> {
    return (await this.entry(id)).description;
  }

  private async entry(id: string): Promise<CalculatorEntry> {
    const all = await this.all();
    const entry = all.find((e) => e.id === id);
    if (!entry) throw new UnknownCalculatorError(id, all.map((e) => e.id));
    return entry;
  }

  /** The calculator with this id, created once; a failed creation is retried on the next call. */
  async get(id: string): Promise<Calculator> {
    const entry = await this.entry(id);
    let created = this.created.get(id);
    if (!created) {
      created = (async () => {
        const reason = await entry.unavailableReason?.();
        if (reason) throw new Error(`${entry.description.name} is not available here: ${reason}`);
        return entry.create();
      })();
      this.created.set(id, created);
      created.then(
        () => this.failed.delete(id),
        (error: unknown) => {
          this.created.delete(id);
          this.failed.set(id, messageOf(error));
        },
      );
    }
    return created;
  }

  private async unavailable(entry: CalculatorEntry): Promise<string | undefined> {
    try {
      return (await entry.unavailableReason?.()) ?? this.failed.get(entry.id);
    } catch (error) {
      return messageOf(error);
    }
  }

  async list(): Promise<readonly CalculatorInfo[]> {
    const infos: CalculatorInfo[] = [];
    for (const entry of await this.all()) {
      const d = entry.description;
      const reason = await this.unavailable(entry);
      infos.push({
        id: entry.id,
        name: d.name,
        method: d.method,
        elements: d.elements,
        charge: d.charge,
        spin: d.spin,
        periodic: d.periodic,
        stress: d.stress,
        ...(d.notes !== undefined ? { notes: d.notes } : {}),
        available: reason === undefined,
        ...(reason !== undefined ? { reason } : {}),
      });
    }
    return infos;
  }

  /**
   * Per calculator: why it cannot evaluate the first of `structures` it cannot (named), or null when it can
   * evaluate them all. A calculator already created answers itself (unsupportedReason); one not yet created is
   * judged from its description (elements, periodic cells), so a chooser never loads weights or libraries.
   */
  async check(structures: readonly Structure[]): Promise<readonly CalculatorCheck[]> {
    const checks: CalculatorCheck[] = [];
    for (const entry of await this.all()) {
      const unavailable = await this.unavailable(entry);
      if (unavailable !== undefined) {
        checks.push({ id: entry.id, reason: unavailable });
        continue;
      }
      const created = this.created.has(entry.id) ? await this.get(entry.id).catch(() => undefined) : undefined;
      const d = entry.description;
      const unsupported = (s: Structure): string | undefined =>
        created
          ? created.unsupportedReason(s)
          : (elementCoverageReason(s, d.elements, d.name) ?? (s.cell && !d.periodic ? `${d.name} does not take periodic cells` : undefined));
      let reason: string | null = null;
      for (let i = 0; i < structures.length && reason === null; i++) {
        const why = unsupported(structures[i]!);
        if (why !== undefined) reason = `${structureLabel(structures[i]!, i)}: ${why}`;
      }
      checks.push({ id: entry.id, reason });
    }
    return checks;
  }

  dispose(): void {
    for (const created of this.created.values()) created.then((c) => c.dispose?.(), () => undefined);
    this.created.clear();
  }
}

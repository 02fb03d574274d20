/** The predictors a session offers: ready instances or lazy registry entries, each created once on first use. */
import type { PredictorInfo } from '../contract/equimol-api';
import type { Predictor } from '../predict/predictor';
import { PREDICTORS, type PredictorEntry } from '../predict/registry';

/** A predictor instance, or a registry entry that creates one on first use. */
export type PredictorSource = Predictor | PredictorEntry;

export class UnknownPredictorError extends Error {
  constructor(
    readonly predictor: string,
    known: readonly string[],
  ) {
    super(`unknown predictor '${predictor.slice(0, 64)}' (known: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownPredictorError';
  }
}

export class PredictorService {
  private readonly created = new Map<PredictorEntry, Promise<Predictor>>();

  /** A list, or a function read on every call so late registrations show. Default: PREDICTORS. */
  constructor(private readonly sources: readonly PredictorSource[] | (() => readonly PredictorSource[]) | undefined) {}

  all(): readonly PredictorSource[] {
    const p = this.sources;
    return typeof p === 'function' ? p() : (p ?? PREDICTORS);
  }

  /** The predictor with this id, created (once) from its registry entry when needed. */
  async get(id: string): Promise<Predictor> {
    const sources = this.all();
    const source = sources.find((p) => p.id === id);
    if (!source) throw new UnknownPredictorError(id, sources.map((p) => p.id));
    if ('predict' in source) return source;
    let created = this.created.get(source);
    if (!created) {
      created = source.create();
      this.created.set(source, created);
      created.catch(() => this.created.delete(source));
    }
    return created;
  }

  async list(): Promise<readonly PredictorInfo[]> {
    const infos: PredictorInfo[] = [];
    for (const source of this.all()) {
      // Entries are created to learn their columns; registry entries are cheap until prepare() loads weights.
      const predictor = await this.get(source.id).catch(() => undefined);
      infos.push({ id: source.id, description: source.description, columns: predictor?.columns ?? [], batchSize: predictor?.batchSize ?? 1 });
    }
    return infos;
  }
}

/**
 * Main's IPC entry point, Electron-free: every renderer call is validated against the contract (unknown
 * channels and bad arguments rejected), then either served here (the calls that need the file system or a
 * native dialog) or forwarded to the compute host. The renderer reaches files only through these calls.
 */
import {
  LIMITS,
  type AppInfo,
  type CalculatorInfo,
  type FormatInfo,
  type OpenFailure,
  type OpenResult,
  type PredictorInfo,
  type FileInput,
  type SaveRequest,
  type SaveResult,
  type SessionOpenResult,
  type Settings,
} from '../../core/contract/equimol-api';
import { validateCall } from '../../core/contract/validate';
import type { LocalFileInput } from '../../core/session/session';
import { parseSession } from '../../core/session/session-file';
import { restoreSession } from '../../core/session/session-restore';
import { basename, isAbsolute } from 'node:path';
import type { HostMethod } from '../compute-host/protocol';

export interface HostCaller {
  call<T = unknown>(method: HostMethod, args?: readonly unknown[]): Promise<T>;
}

/** What main provides to the router: dialogs and file access (Electron and node:fs in the app, fakes in tests). */
export interface ShellServices {
  /** Native open dialog; [] when cancelled. */
  showOpenDialog(): Promise<string[]>;
  /** Native save dialog; undefined when cancelled. */
  showSaveDialog(suggestedName: string): Promise<string | undefined>;
  fileSize(path: string): Promise<number>;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
}

/** True when a file name (a trailing .gz ignored) has a known format's extension or exact name. */
export function isStructureFileName(path: string, formats: readonly FormatInfo[]): boolean {
  let name = basename(path).toLowerCase();
  if (name.endsWith('.gz')) name = name.slice(0, -3);
  const dot = name.lastIndexOf('.');
  const ext = dot < 0 ? '' : name.slice(dot + 1);
  const stem = dot < 0 ? name : name.slice(0, dot);
  return formats.some(
    (f) => (ext !== '' && f.extensions.includes(ext)) || (f.fileNames ?? []).some((n) => n.toLowerCase() === name || n.toLowerCase() === stem),
  );
}

/** The kind of a startJob request as received (unvalidated), to know which ids to check it against. */
function requestKindOf(args: readonly unknown[]): unknown {
  const request = args[0];
  return request && typeof request === 'object' ? (request as { kind?: unknown }).kind : undefined;
}

export class ApiRouter {
  private predictorIds: readonly string[] | undefined;
  private calculatorIds: readonly string[] | undefined;
  private formats: readonly FormatInfo[] | undefined;

  constructor(
    private readonly host: HostCaller,
    private readonly services: ShellServices,
    /** Problems main found restoring stored state (a corrupt settings file), added to getAppInfo's notices. */
    private readonly notices: readonly string[] = [],
  ) {}

  /** Handles one IPC call: `channel` and `args` exactly as received from the renderer. */
  async handle(channel: unknown, args: readonly unknown[]): Promise<unknown> {
    if (channel === 'equimol:startJob') {
      const kind = requestKindOf(args);
      if (kind === 'predict' && this.predictorIds === undefined) await this.refreshPredictors();
      if ((kind === 'relax' || kind === 'md') && this.calculatorIds === undefined) await this.refreshCalculators();
    }
    const call = validateCall(channel, args, {
      ...(this.predictorIds ? { predictorIds: this.predictorIds } : {}),
      ...(this.calculatorIds ? { calculatorIds: this.calculatorIds } : {}),
    });
    switch (call.method) {
      case 'openPaths':
        return this.openPaths(call.args[0] as readonly string[], { requireStructureName: true });
      case 'showOpenDialog':
        return this.openPaths(await this.services.showOpenDialog());
      case 'saveFile':
        return this.saveFile(call.args[0] as SaveRequest);
      case 'openSession':
        return this.openSession(call.args[0] as FileInput);
      case 'getAppInfo': {
        const info = await this.host.call<AppInfo>('getAppInfo');
        const notices = [...(info.notices ?? []), ...this.notices];
        return notices.length > 0 ? { ...info, notices } : info;
      }
      case 'listPredictors': {
        const predictors = await this.host.call<readonly PredictorInfo[]>('listPredictors');
        this.predictorIds = predictors.map((p) => p.id);
        return predictors;
      }
      case 'listCalculators': {
        const calculators = await this.host.call<readonly CalculatorInfo[]>('listCalculators');
        if (Array.isArray(calculators)) this.calculatorIds = calculators.map((c) => c.id);
        return calculators;
      }
      default:
        return this.host.call(call.method, call.args);
    }
  }

  /** The formats the host can read (asked once; the host's registry is fixed for its lifetime). */
  async knownFormats(): Promise<readonly FormatInfo[]> {
    this.formats ??= (await this.host.call<AppInfo>('getAppInfo')).formats;
    return this.formats;
  }

  async refreshPredictors(): Promise<void> {
    const predictors = await this.host.call<readonly PredictorInfo[]>('listPredictors');
    this.predictorIds = predictors.map((p) => p.id);
  }

  /**
   * The host's calculator ids, for checking relax and md requests. Without a list (the host could not give one)
   * the ids stay unchecked here; the host's session rejects an unknown calculator itself.
   */
  async refreshCalculators(): Promise<void> {
    const calculators = await this.host.call<readonly CalculatorInfo[]>('listCalculators').catch(() => undefined);
    if (Array.isArray(calculators)) this.calculatorIds = calculators.map((c) => c.id);
  }

  /**
   * Reads files from disk (size-checked) and opens them in the host with their paths; per-file failures.
   * Paths named by the renderer (not by a dialog or the OS) must look like structure files, so a compromised
   * renderer cannot use openPaths to read arbitrary files.
   */
  async openPaths(paths: readonly string[], options: { readonly requireStructureName?: boolean } = {}): Promise<OpenResult> {
    const formats = options.requireStructureName ? await this.knownFormats() : [];
    const inputs: LocalFileInput[] = [];
    const failures: OpenFailure[] = [];
    for (const path of paths.slice(0, LIMITS.maxFilesPerCall)) {
      try {
        if (!isAbsolute(path)) throw new Error('not an absolute path');
        if (options.requireStructureName && !isStructureFileName(path, formats)) throw new Error('not a structure file name (unknown extension)');
        const size = await this.services.fileSize(path);
        if (size > LIMITS.maxFileBytes) throw new Error(`file is too large (${size} bytes; the limit is ${LIMITS.maxFileBytes})`);
        inputs.push({ name: basename(path), path, bytes: await this.services.readFile(path) });
      } catch (error) {
        failures.push({ file: path, message: `${basename(path)}: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    if (inputs.length === 0) return { documents: [], failures };
    const result = await this.host.call<OpenResult>('openLocalFiles', [inputs]);
    return { documents: result.documents, failures: [...failures, ...result.failures], ...(result.cancelled ? { cancelled: result.cancelled } : {}) };
  }

  /**
   * A session file from the renderer: parsed and checked here, its paths read like openPaths named by the renderer
   * (structure file names only), its embedded files opened in the host, its theme and viewer style applied.
   */
  private openSession(file: FileInput): Promise<SessionOpenResult> {
    return restoreSession(parseSession(file.bytes), {
      openFiles: (files) => this.host.call<OpenResult>('openFiles', [files]),
      openPaths: (paths) => this.openPaths(paths, { requireStructureName: true }),
      setSettings: (patch) => this.host.call<Settings>('setSettings', [patch]),
    });
  }

  private async saveFile(request: SaveRequest): Promise<SaveResult> {
    const path = await this.services.showSaveDialog(basename(request.suggestedName));
    if (!path) return { saved: false };
    await this.services.writeFile(path, request.bytes);
    return { saved: true, path };
  }
}

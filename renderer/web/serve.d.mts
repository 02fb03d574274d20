export declare const SECURITY_HEADERS: Readonly<Record<string, string>>;
export interface StaticServer {
  /** Base URL ending in '/', e.g. 'http://127.0.0.1:41234/'. */
  readonly url: string;
  close(): Promise<void>;
}
/** Serves `root` (default dist/web) read-only on 127.0.0.1 with COOP/COEP and CSP headers; port 0 picks a free one. */
export declare function startStaticServer(options?: { root?: string; port?: number }): Promise<StaticServer>;

/**
 * The app's own URL scheme, equimol://app/..., serving the built UI (dist/web) with the security headers.
 * A custom privileged scheme instead of file:// gives the page a real origin, lets every response carry the
 * Content-Security-Policy header (webRequest does not see file:// responses) and confines the renderer to
 * one folder: paths are resolved against it and anything escaping it is refused.
 */
import { extname, resolve, sep } from 'node:path';

export const APP_SCHEME = 'equimol';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.sdf': 'text/plain; charset=utf-8',
  '.xyz': 'text/plain; charset=utf-8',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that an app URL names, or undefined for another scheme or host, a path escaping
 * the root (../, encoded or not), NUL bytes, or backslashes. '/' maps to index.html.
 */
export function resolveAppFile(url: string, root: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  if (path === '/' || path === '') path = '/index.html';
  const base = resolve(root);
  const file = resolve(base, `.${path}`);
  if (file !== base && !file.startsWith(base + sep)) return undefined;
  return file;
}

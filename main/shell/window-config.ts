/**
 * The main window's options and web security policy as plain data, so tests can assert them without Electron.
 * main/electron/main.ts passes these objects to BrowserWindow and session.webRequest unchanged.
 */

export interface WindowBounds {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
}

/** The subset of Electron's WebPreferences we set: every security-relevant switch explicit. */
export interface SecureWebPreferences {
  readonly preload: string;
  readonly contextIsolation: true;
  readonly sandbox: true;
  readonly nodeIntegration: false;
  readonly nodeIntegrationInWorker: false;
  readonly nodeIntegrationInSubFrames: false;
  readonly webSecurity: true;
  readonly allowRunningInsecureContent: false;
  readonly webviewTag: false;
  readonly experimentalFeatures: false;
  readonly navigateOnDragDrop: false;
  readonly spellcheck: false;
  readonly safeDialogs: true;
}

export interface MainWindowOptions extends WindowBounds {
  readonly minWidth: number;
  readonly minHeight: number;
  readonly show: false;
  readonly title: string;
  readonly backgroundColor: string;
  readonly icon?: string;
  readonly webPreferences: SecureWebPreferences;
}

export const MIN_WINDOW_WIDTH = 720;
export const MIN_WINDOW_HEIGHT = 480;
export const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 820 };

export function mainWindowOptions(preload: string, bounds: WindowBounds = DEFAULT_BOUNDS, icon?: string): MainWindowOptions {
  return {
    ...bounds,
    minWidth: MIN_WINDOW_WIDTH,
    minHeight: MIN_WINDOW_HEIGHT,
    // Shown on 'ready-to-show' to avoid a white flash.
    show: false,
    title: 'Equimol',
    backgroundColor: '#1e1f22',
    ...(icon ? { icon } : {}),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}

/**
 * Content-Security-Policy of the renderer: only the app's own files; no remote content at all; inline
 * scripts and eval forbidden. 'wasm-unsafe-eval' lets the renderer compile WebAssembly (none today: RDKit and
 * tfjs run in the compute host), blob: workers are allowed for the viewer's helpers, data:/blob: images
 * for SVG depictions and screenshots. No inline styles either: React sets style attributes through the CSSOM,
 * which CSP does not restrict (test/main/electron-renderer.test.ts runs the UI under this policy).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers added to every response the renderer loads. */
export function securityHeaders(): Record<string, string[]> {
  return {
    'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    'X-Content-Type-Options': ['nosniff'],
    'Cross-Origin-Opener-Policy': ['same-origin'],
  };
}

/**
 * The one place the window may show: the app's own origin (equimol://app, see app-protocol.ts), a file:
 * index.html, or in development the given dev server origin. Everything else (links, drag-and-dropped files, window.open) is refused.
 */
export function isAllowedNavigation(url: string, appUrl: string): boolean {
  let target: URL;
  let app: URL;
  try {
    target = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return target.protocol === 'file:' && target.pathname === app.pathname;
  // Scheme and host (with port) compared explicitly: URL.origin is 'null' for custom schemes like equimol:.
  return target.protocol === app.protocol && target.host === app.host && target.username === '' && target.password === '';
}

/** URLs handed to the OS browser instead (Help > Documentation links): https only. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Permission requests (camera, geolocation, notifications ...) are all denied; clipboard writes are allowed. */
export function isPermissionAllowed(permission: string): boolean {
  return permission === 'clipboard-sanitized-write';
}

/**
 * Electron main process: app lifecycle, single-instance lock, the one window (bounds remembered), native
 * menus, files opened from the OS, dialogs, and IPC. Thin glue: the logic lives in main/shell (pure, tested
 * in Node) and the compute host (an Electron utilityProcess running the EquimolSession off the UI thread).
 * Bundled by scripts/build-main.mjs into dist/main/main.cjs (package.json "main").
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
  type MenuItemConstructorOptions,
} from 'electron';
import {
  EQUIMOL_CHANNELS,
  EQUIMOL_EVENT_CHANNEL,
  type EquimolEvent,
  type FormatInfo,
  type MenuCommand,
  type OpenResult,
  type Settings,
} from '../../core/contract/equimol-api';
import { HostSupervisor, type HostProcess } from '../compute-host/supervisor';
import { ApiRouter } from '../shell/api-router';
import { APP_INDEX_URL, APP_SCHEME, contentTypeOf, resolveAppFile } from '../shell/app-protocol';
import { filePathsFromArgv, PendingOpens } from '../shell/launch-files';
import { buildMenuTemplate, type MenuItemSpec } from '../shell/menu';
import { readSettingsFile, saveSettings } from '../shell/settings-store';
import { isAllowedNavigation, isExternalLinkAllowed, isPermissionAllowed, mainWindowOptions, securityHeaders } from '../shell/window-config';
import { fitToDisplays, loadWindowState, saveWindowState } from '../shell/window-state';

const DOCS_URL = 'https://github.com/equimol/equimol#readme';

/** dist/main/ holds main.cjs, preload.cjs, compute-host.cjs; dist/web/ the UI (`npm run build:web`), or EQUIMOL_DEV_URL. */
const distMain = __dirname;
const preloadPath = join(distMain, 'preload.cjs');
const hostPath = join(distMain, 'compute-host.cjs');
const rendererRoot = join(distMain, '..', 'web');
const rendererUrl = process.env.EQUIMOL_DEV_URL && !app.isPackaged ? process.env.EQUIMOL_DEV_URL : APP_INDEX_URL;
const iconPath = join(distMain, '..', '..', 'assets', 'icons', 'png', '512x512.png');

let mainWindow: BrowserWindow | undefined;
let host: HostSupervisor | undefined;
let router: ApiRouter | undefined;
let settings: Settings | undefined;
const pendingOpens = new PendingOpens();
let quitting = false;

// The UI is served from equimol://app/ (a standard, secure scheme: real origin, CSP header on every response).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

// ----- single instance: a second launch forwards its files to the first and quits -----

if (!app.requestSingleInstanceLock({ files: filePathsFromArgv(process.argv, process.cwd(), app.isPackaged) })) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    pendingOpens.add(filePathsFromArgv(argv, workingDirectory, app.isPackaged));
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  // macOS: Finder / Dock drops, file associations; may fire before 'ready'.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    pendingOpens.add([path]);
  });
  pendingOpens.add(filePathsFromArgv(process.argv, process.cwd(), app.isPackaged));
  app.whenReady().then(start, (error: unknown) => {
    dialog.showErrorBox('Equimol could not start', error instanceof Error ? error.message : String(error));
    app.quit();
  });
}

function sendEvent(event: EquimolEvent): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EQUIMOL_EVENT_CHANNEL, event);
}

// ----- compute host -----

/** One utilityProcess running the compute host (dist/main/compute-host.cjs). */
function spawnHostProcess(): HostProcess {
  const child = utilityProcess.fork(hostPath, [`--app-version=${app.getVersion()}`, `--models-dir=${join(app.getPath('userData'), 'models')}`], { serviceName: 'Equimol Compute' });
  return {
    endpoint: {
      post: (message) => child.postMessage(message),
      onMessage: (handler) => child.on('message', handler),
    },
    onExit: (callback) => child.on('exit', callback),
    kill: () => void child.kill(),
  };
}

/** The supervised compute host: restarted (settings kept, UI told) if it crashes; given up on if it keeps crashing. */
function startComputeHost(): HostSupervisor {
  const supervisor = new HostSupervisor(spawnHostProcess, {
    onGiveUp: (reason) => {
      if (!quitting) dialog.showErrorBox('Equimol', `${reason}. Please restart Equimol.`);
    },
  });
  supervisor.subscribe((event) => {
    if (event.type === 'settings-changed') onSettingsChanged(event.settings);
    sendEvent(event);
  });
  return supervisor;
}

function settingsFile(): string {
  return join(app.getPath('userData'), 'settings.json');
}

function onSettingsChanged(next: Settings): void {
  settings = next;
  nativeTheme.themeSource = next.theme;
  try {
    saveSettings(settingsFile(), next);
  } catch {
    // a read-only profile must not break the app
  }
  rebuildMenu();
  for (const path of next.recentFiles.slice(0, 1)) app.addRecentDocument(path);
}

// ----- menu -----

function toElectronMenu(items: readonly MenuItemSpec[]): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const { submenu, ...rest } = item;
    return { ...(rest as MenuItemConstructorOptions), ...(submenu ? { submenu: toElectronMenu(submenu) } : {}) };
  });
}

function rebuildMenu(): void {
  if (!settings) return;
  const template = buildMenuTemplate(process.platform, settings, {
    command: (command: MenuCommand) => sendEvent({ type: 'menu', command }),
    openRecent: (path) => void openFromShell([path]),
    clearRecent: () => {
      app.clearRecentDocuments();
      void host?.call('setSettings', [{ recentFiles: [] }]);
    },
    setTheme: (theme) => void host?.call('setSettings', [{ theme }]),
    openDocumentation: () => void shell.openExternal(DOCS_URL),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(toElectronMenu(template)));
}

/** Opens files named by the OS / menu (not the renderer) and tells the UI. */
async function openFromShell(paths: readonly string[]): Promise<void> {
  if (!router || paths.length === 0) return;
  const result: OpenResult = await router.openPaths(paths);
  sendEvent({ type: 'files-opened', result });
}

// ----- window -----

function windowStateFile(): string {
  return join(app.getPath('userData'), 'window-state.json');
}

function createWindow(): BrowserWindow {
  const state = loadWindowState(windowStateFile());
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  const window = new BrowserWindow(mainWindowOptions(preloadPath, fitToDisplays(state.bounds, displays), iconPath));
  if (state.maximized) window.maximize();

  window.once('ready-to-show', () => window.show());
  const remember = () => {
    if (window.isDestroyed()) return;
    try {
      saveWindowState(windowStateFile(), { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
    } catch {
      // not fatal
    }
  };
  window.on('close', remember);

  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, rendererUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadURL(rendererUrl);
  return window;
}

function serveAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(request.url, rendererRoot);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { 'Content-Type': contentTypeOf(file), ...flatHeaders(securityHeaders()) } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}

function flatHeaders(headers: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
}

function installSecurityPolicy(): void {
  serveAppProtocol();
  const ses = session.defaultSession;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, ...securityHeaders() } });
  });
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
  // No remote content: only file: (packaged) or the dev server origin.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const url = details.url;
    const allowed =
      url.startsWith(`${APP_SCHEME}:`) || url.startsWith('devtools:') || url.startsWith('data:') || url.startsWith('blob:') || isAllowedNavigation(url, rendererUrl);
    callback({ cancel: !allowed });
  });
}

function registerIpc(apiRouter: ApiRouter): void {
  for (const channel of EQUIMOL_CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      // Only our own window's top frame may call the API.
      const frameUrl = event.senderFrame?.url ?? '';
      if (!mainWindow || event.sender !== mainWindow.webContents || !isAllowedNavigation(frameUrl, rendererUrl)) {
        throw new Error(`${channel}: caller is not the Equimol window`);
      }
      return apiRouter.handle(channel, args);
    });
  }
}

/** Open-dialog filters from the formats the compute host reads. */
function fileFilters(formats: readonly FormatInfo[]): Electron.FileFilter[] {
  const extensions = [...new Set(formats.flatMap((f) => f.extensions))];
  return [
    { name: 'Structure files', extensions: [...extensions, 'gz'] },
    ...formats.map((f) => ({ name: f.name, extensions: [...f.extensions] })),
    { name: 'All files', extensions: ['*'] },
  ];
}

async function start(): Promise<void> {
  installSecurityPolicy();
  host = startComputeHost();
  await host.start();
  const stored = readSettingsFile(settingsFile());
  for (const problem of stored.problems) console.warn(problem);
  settings = await host.call<Settings>('setSettings', [stored.patch]);
  nativeTheme.themeSource = settings.theme;
  router = new ApiRouter(host, {
    showOpenDialog: async () => {
      const formats = (await router?.knownFormats()) ?? [];
      const options: Electron.OpenDialogOptions = { properties: ['openFile', 'multiSelections'], filters: fileFilters(formats) };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    showSaveDialog: async (suggestedName) => {
      const options: Electron.SaveDialogOptions = { defaultPath: join(app.getPath('documents'), suggestedName) };
      const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return result.canceled ? undefined : result.filePath;
    },
    fileSize: async (path) => (await stat(path)).size,
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile: (path, bytes) => writeFile(path, bytes),
  }, stored.problems);
  registerIpc(router);
  rebuildMenu();
  mainWindow = createWindow();
  mainWindow.on('closed', () => (mainWindow = undefined));
  // Files from argv / open-file wait until the renderer has loaded and subscribed.
  mainWindow.webContents.once('did-finish-load', () => pendingOpens.ready((paths) => void openFromShell(paths)));
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('activate', () => {
  if (app.isReady() && !mainWindow && router) {
    mainWindow = createWindow();
    mainWindow.on('closed', () => (mainWindow = undefined));
  }
});

app.on('before-quit', () => {
  quitting = true;
  host?.stop();
});

// Defence in depth: no window may open webviews or be created by the renderer.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

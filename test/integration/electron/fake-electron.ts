/**
 * A stand-in for the `electron` module, enough to run the bundled main process
 * (dist/main/electron.cjs) under Node and see what it asks Electron to do. Electron itself
 * cannot be downloaded on the build machines (docs/testing.md), so this is how main/electron/ gets exercised.
 */
import { EventEmitter } from 'node:events';
import { FakeIpcMain } from '../transport/fake-electron-ipc';

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => unknown) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => unknown) {
    this.windowOpenHandler = handler;
  }
  /** Emits an Electron-style event and reports whether a listener prevented it. */
  prevented(name: string, url?: string): boolean {
    let prevented = false;
    const event = { url, preventDefault: () => (prevented = true) };
    this.emit(name, event, url);
    return prevented;
  }
}

/** What a stand-in file dialog answers next, as Electron's `showSaveDialog`/`showOpenDialog` do. */
export type SaveDialogAnswer = { canceled: boolean; filePath?: string };
export type OpenDialogAnswer = { canceled: boolean; filePaths: string[] };

export function createFakeElectron(options: { userData: string; singleInstance?: boolean; downloads?: string }) {
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let isReady = false;
  const calls: string[] = [];

  const app = Object.assign(new EventEmitter(), {
    quitCalls: 0,
    exitCode: undefined as number | undefined,
    sandboxed: false,
    requestSingleInstanceLock: () => options.singleInstance ?? true,
    enableSandbox() {
      if (isReady) throw new Error('app.enableSandbox after ready');
      this.sandboxed = true;
    },
    whenReady: () => ready,
    isReady: () => isReady,
    getPath: (name: string) => {
      if (name === 'downloads' && options.downloads) return options.downloads;
      if (name !== 'userData') throw new Error(`unexpected app.getPath(${name})`);
      return options.userData;
    },
    quit() {
      this.quitCalls++;
    },
    exit(code: number) {
      this.exitCode = code;
    },
  });

  const protocol = {
    privileged: [] as unknown[],
    registeredBeforeReady: false,
    handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
    registerSchemesAsPrivileged(schemes: unknown[]) {
      calls.push('registerSchemesAsPrivileged');
      this.registeredBeforeReady = !isReady;
      this.privileged.push(...schemes);
    },
    handle(scheme: string, handler: (request: Request) => Promise<Response> | Response) {
      if (!isReady) throw new Error('protocol.handle before ready');
      calls.push(`protocol.handle:${scheme}`);
      this.handlers.set(scheme, handler);
    },
  };

  const permissions = {
    request: undefined as
      undefined | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void),
    check: undefined as undefined | ((...args: unknown[]) => boolean),
  };
  const session = {
    get defaultSession() {
      if (!isReady) throw new Error('session.defaultSession before ready');
      return {
        setPermissionRequestHandler: (handler: typeof permissions.request) => (permissions.request = handler),
        setPermissionCheckHandler: (handler: typeof permissions.check) => (permissions.check = handler),
      };
    },
  };

  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    loadedUrl: string | undefined;
    constructor(readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
      super();
      if (!isReady) throw new Error('BrowserWindow before ready');
      calls.push('new BrowserWindow');
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
    static getAllWindows() {
      return windows;
    }
    static getFocusedWindow() {
      return windows[0] ?? null;
    }
    loadURL(url: string) {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    show() {}
    focused = 0;
    focus() {
      this.focused++;
    }
    isMinimized() {
      return false;
    }
    restore() {}
  }

  const errors: [string, string][] = [];
  // File dialogs answer from these queues (a test says what the user picks); every call is kept.
  const dialogs = {
    saveAnswers: [] as SaveDialogAnswer[],
    openAnswers: [] as OpenDialogAnswer[],
    calls: [] as { kind: 'save' | 'open'; parent: unknown; options: Record<string, unknown> }[],
  };
  function dialogCall(kind: 'save' | 'open', args: unknown[]) {
    if (!isReady) throw new Error(`dialog.show${kind}Dialog before ready`);
    const [parent, options] = args.length > 1 ? args : [undefined, args[0]];
    dialogs.calls.push({ kind, parent, options: options as Record<string, unknown> });
  }
  const dialog = {
    showErrorBox: (title: string, message: string) => errors.push([title, message]),
    showSaveDialog: async (...args: unknown[]): Promise<SaveDialogAnswer> => {
      dialogCall('save', args);
      const answer = dialogs.saveAnswers.shift();
      if (!answer) throw new Error('a save dialog nobody expected');
      return answer;
    },
    showOpenDialog: async (...args: unknown[]): Promise<OpenDialogAnswer> => {
      dialogCall('open', args);
      const answer = dialogs.openAnswers.shift();
      if (!answer) throw new Error('an open dialog nobody expected');
      return answer;
    },
  };
  /** Every URL handed to the OS, and every text put on the clipboard. */
  const shell = {
    opened: [] as string[],
    openExternal: async (url: string) => {
      shell.opened.push(url);
    },
  };
  const clipboard = {
    written: [] as string[],
    writeText: (text: string) => {
      clipboard.written.push(text);
    },
  };
  /** Every notification main made, in order; `click()` is the user clicking it. */
  const notifications: FakeNotification[] = [];
  class FakeNotification extends EventEmitter {
    shown = false;
    constructor(readonly options: { title: string; body: string }) {
      super();
      if (!isReady) throw new Error('Notification before ready');
      notifications.push(this);
    }
    static isSupported() {
      return true;
    }
    show() {
      this.shown = true;
    }
    click() {
      this.emit('click', {});
    }
  }
  const ipcMain = new FakeIpcMain();
  const originalHandle = ipcMain.handle.bind(ipcMain);
  ipcMain.handle = (channel: string, listener: Parameters<FakeIpcMain['handle']>[1]) => {
    calls.push(`ipcMain.handle:${channel}`);
    originalHandle(channel, listener);
  };

  return {
    module: {
      app,
      protocol,
      session,
      BrowserWindow: FakeBrowserWindow,
      dialog,
      shell,
      clipboard,
      Notification: FakeNotification,
      ipcMain,
      contextBridge: {},
      ipcRenderer: {},
    },
    app,
    protocol,
    permissions,
    windows,
    errors,
    dialogs,
    shell,
    clipboard,
    notifications,
    ipcMain,
    calls,
    /** Fires `ready` and waits for the app's start-up to run. */
    async becomeReady() {
      isReady = true;
      markReady();
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

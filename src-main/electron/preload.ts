/**
 * The preload: runs sandboxed before the renderer and exposes the contract as `window.gateway`.
 * Bundled by scripts/build-preload.ts into one CommonJS file (a sandboxed preload can require
 * nothing but 'electron'), dist/main/electron/preload.cjs.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createPreloadBridge } from './preload-bridge.ts';

contextBridge.exposeInMainWorld('gateway', createPreloadBridge(ipcRenderer, webUtils));

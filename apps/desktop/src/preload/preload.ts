/**
 * The preload script (sandboxed, context-isolated): exposes `window.veza`, exactly the contract
 * (one function per command plus onEvent) and nothing generic. It must stay tiny and free of
 * logic; esbuild bundles it into one file because a sandboxed preload can only require 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge } from './bridge.js';

contextBridge.exposeInMainWorld('veza', buildBridge(ipcRenderer));

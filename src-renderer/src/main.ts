/**
 * Renderer entry: picks the transport (Electron's preload bridge when present, else the browser
 * WebSocket bridge of `serve --ui-port`) and mounts the shell. The only file that knows transports.
 */
import { mount } from 'svelte';
import './lib/theme.css';
import App from './App.svelte';
import { setBridge } from './lib/bridge.ts';
import { connectBrowserBridge } from './transport/ws-bridge.ts';

setBridge(window.gateway ?? connectBrowserBridge());

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });

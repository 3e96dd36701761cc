/**
 * Renderer entry: picks the transport (Electron's preload bridge when present, else the browser
 * WebSocket bridge of `serve --ui-port`) and mounts the shell, or says why it cannot.
 */
import { mount } from 'svelte';
import './lib/theme.css';
import App from './App.svelte';
import { setBridge } from './lib/bridge.ts';
import { pickBridge } from './transport/pick-bridge.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const picked = pickBridge(window);
if ('failure' in picked) {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.className = 'startup-failure';
  message.textContent = picked.failure;
  target.replaceChildren(message);
} else {
  setBridge(picked.bridge);
  mount(App, { target });
}

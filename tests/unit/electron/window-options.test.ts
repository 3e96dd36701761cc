/** The window's options: the renderer gets no Node and no way around the isolation. */
import { describe, expect, it } from 'vitest';
import { mainWindowOptions, secureWebPreferences } from '../../../src-main/electron/window-options.ts';

const prefs = secureWebPreferences('/app/preload.cjs');

describe('window options', () => {
  it('load the given preload, the renderer’s only way to the engine', () => {
    expect(prefs.preload).toBe('/app/preload.cjs');
  });

  it('give the renderer Node in no form: every nodeIntegration* option is stated and off', () => {
    // Stated, not left to Electron's defaults, which have changed between versions.
    const nodeOptions = Object.entries(prefs).filter(([key]) => key.startsWith('nodeIntegration'));
    expect(nodeOptions.map(([key]) => key).sort()).toEqual(['nodeIntegration', 'nodeIntegrationInSubFrames', 'nodeIntegrationInWorker']);
    expect(nodeOptions.filter(([, on]) => on !== false)).toEqual([]);
  });

  it.each(['contextIsolation', 'sandbox', 'webSecurity'] as const)('keep the renderer isolated: %s is on', (option) => {
    expect(prefs[option]).toBe(true);
  });

  it.each(['allowRunningInsecureContent', 'webviewTag', 'experimentalFeatures', 'navigateOnDragDrop'] as const)(
    'leave no way around the isolation: %s is off',
    (option) => {
      expect(prefs[option]).toBe(false);
    },
  );

  it('keep the window hidden until painted and carry the icon when one is given', () => {
    const options = mainWindowOptions({ preloadPath: '/app/preload.cjs', iconPath: '/app/icon.png' });
    expect(options).toMatchObject({ show: false, icon: '/app/icon.png', title: 'DICOM Gateway' });
    expect(options.webPreferences).toEqual(prefs);
    expect(mainWindowOptions({ preloadPath: '/p' })).not.toHaveProperty('icon');
  });
});

/** The window's options: the renderer gets no Node and no way around the isolation. */
import { describe, expect, it } from 'vitest';
import { mainWindowOptions, secureWebPreferences } from '../../../src-main/electron/window-options.ts';

describe('window options', () => {
  it('isolate and sandbox the renderer, with no Node anywhere and web security on', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('keep the window hidden until painted and carry the icon when one is given', () => {
    const options = mainWindowOptions({ preloadPath: '/app/preload.cjs', iconPath: '/app/icon.png' });
    expect(options).toMatchObject({ show: false, icon: '/app/icon.png', title: 'DICOM Gateway' });
    expect(mainWindowOptions({ preloadPath: '/p' })).not.toHaveProperty('icon');
  });
});

import { describe, expect, it } from 'vitest';
import { defaultDataFolder, defaultStorageFolder } from '../../../src-main/electron/data-folder.ts';

describe('the default store folder', () => {
  it('is under %LOCALAPPDATA% on Windows, never the roaming %APPDATA%', () => {
    const info = {
      platform: 'win32' as const,
      env: { LOCALAPPDATA: 'C:\\Users\\rad\\AppData\\Local', APPDATA: 'C:\\Users\\rad\\AppData\\Roaming' },
      home: 'C:\\Users\\rad',
    };
    expect(defaultStorageFolder(info)).toBe('C:\\Users\\rad\\AppData\\Local\\DICOM Gateway\\storage');
    expect(defaultStorageFolder({ ...info, env: {} })).toBe('C:\\Users\\rad\\AppData\\Local\\DICOM Gateway\\storage');
  });

  it('is in Application Support on macOS', () => {
    expect(defaultStorageFolder({ platform: 'darwin', env: {}, home: '/Users/rad' })).toBe(
      '/Users/rad/Library/Application Support/DICOM Gateway/storage',
    );
  });

  it('follows XDG_DATA_HOME on Linux, ~/.local/share without it or when it is not absolute', () => {
    expect(defaultDataFolder({ platform: 'linux', env: { XDG_DATA_HOME: '/data/xdg' }, home: '/home/rad' })).toBe(
      '/data/xdg/dicom-gateway',
    );
    expect(defaultStorageFolder({ platform: 'linux', env: {}, home: '/home/rad' })).toBe('/home/rad/.local/share/dicom-gateway/storage');
    expect(defaultStorageFolder({ platform: 'linux', env: { XDG_DATA_HOME: 'relative' }, home: '/home/rad' })).toBe(
      '/home/rad/.local/share/dicom-gateway/storage',
    );
  });
});

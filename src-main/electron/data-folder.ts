/**
 * Where the desktop app keeps its store by default: the platform's local, non-roaming data folder.
 * Not app.getPath('userData'): Electron documents it as unsuited to large files, and on Windows it
 * is under %APPDATA%, which roams (gigabytes of patient images would be copied with the profile).
 * Electron has no path name for %LOCALAPPDATA%, so it is read from the environment.
 */
import { isAbsolute, join, win32 } from 'node:path';

export interface PlatformInfo {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
}

/** The app's own data folder: %LOCALAPPDATA%\DICOM Gateway, ~/Library/Application Support/DICOM Gateway, $XDG_DATA_HOME/dicom-gateway. */
export function defaultDataFolder({ platform, env, home }: PlatformInfo): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA && win32.isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : win32.join(home, 'AppData', 'Local');
    return win32.join(local, 'DICOM Gateway');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'DICOM Gateway');
  // The XDG base directory spec: a relative XDG_DATA_HOME is invalid and must be ignored.
  const dataHome = env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  return join(dataHome, 'dicom-gateway');
}

export function defaultStorageFolder(info: PlatformInfo): string {
  return info.platform === 'win32' ? win32.join(defaultDataFolder(info), 'storage') : join(defaultDataFolder(info), 'storage');
}

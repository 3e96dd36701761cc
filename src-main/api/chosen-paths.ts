/**
 * The one registry of files and folders the user chose: what the UI may read, scan or send besides
 * stored instances (which are named by id). A page, compromised or not, can name any path in a
 * command; only paths the user picked in a file dialog, dropped on the window, or uploaded through
 * the browser UI are honoured, so `readByteRange('/etc/shadow')` or `scanPaths('/')` are refused.
 *
 * A chosen folder allows what lies beneath it (a dropped series folder is scanned and sent whole).
 * Paths are compared after resolving `.` and `..`, so a chosen path cannot be climbed out of.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import { CommandError } from './command-failure.ts';

export class ChosenPaths {
  private readonly roots = new Set<string>();

  /** Folders whose whole content is allowed from the start (the browser UI's own upload folder). */
  constructor(initialRoots: readonly string[] = []) {
    for (const root of initialRoots) this.roots.add(resolve(root));
  }

  /** Records what the user chose; only absolute paths count (a relative one names nothing the user saw). */
  allow(paths: readonly string[]): void {
    for (const path of paths) {
      if (typeof path === 'string' && path !== '' && !path.includes('\0') && isAbsolute(path)) this.roots.add(resolve(path));
    }
  }

  isAllowed(path: string): boolean {
    if (typeof path !== 'string' || path === '' || path.includes('\0') || !isAbsolute(path)) return false;
    const wanted = resolve(path);
    for (const root of this.roots) {
      if (wanted === root || wanted.startsWith(root.endsWith(sep) ? root : root + sep)) return true;
    }
    return false;
  }

  /** Each path, refused with words and the offending path when the user did not choose it. */
  check(command: string, paths: readonly string[]): void {
    const refused = paths.filter((path) => !this.isAllowed(path));
    if (refused.length === 0) return;
    throw new CommandError(
      'The gateway only opens files and folders you chose or dropped in this window, and images in its store. Choose or drop the file again.',
      `${command}: refused ${refused.length} path(s) the user did not choose: ${refused
        .slice(0, 5)
        .map((p) => JSON.stringify(p))
        .join(', ')}${refused.length > 5 ? ', …' : ''}`,
    );
  }
}

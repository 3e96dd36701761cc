import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertUiBuilt, uiStaticDir, UI_DIR_ENV } from '../../../src-main/api/ui-static-dir.ts';
import { packageRoot } from '../../../src-main/package-info.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('where the browser UI files are', () => {
  it('finds the package root from the source folder and from the build folder', () => {
    expect(packageRoot()).toBe(repoRoot);
    expect(packageRoot(join(repoRoot, 'dist', 'main', 'api'))).toBe(repoRoot);
    expect(existsSync(join(packageRoot(), 'package.json'))).toBe(true);
  });

  it('is dist/renderer in the package, unless DICOM_GATEWAY_UI_DIR names another folder', () => {
    expect(uiStaticDir({})).toBe(join(repoRoot, 'dist', 'renderer'));
    expect(uiStaticDir({ [UI_DIR_ENV]: '/opt/ui' })).toBe('/opt/ui');
  });

  it('refuses a folder without index.html, telling the user to run npm run build', async () => {
    const dir = await makeTempDir('ui-dir-');
    try {
      expect(() => assertUiBuilt(dir)).toThrow(
        `the browser UI is not built: ${join(dir, 'index.html')} is missing. Run \`npm run build\` first`,
      );
      await writeFile(join(dir, 'index.html'), '<!doctype html>');
      expect(() => assertUiBuilt(dir)).not.toThrow();
    } finally {
      await removeDir(dir);
    }
  });
});

/** Where the built renderer is, for `serve --ui-port`: dist/renderer in the package, or DICOM_GATEWAY_UI_DIR. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../package-info.ts';

/** Environment variable naming another folder with a built renderer (index.html and its assets). */
export const UI_DIR_ENV = 'DICOM_GATEWAY_UI_DIR';

export function uiStaticDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[UI_DIR_ENV];
  return override ? resolve(override) : join(packageRoot(), 'dist', 'renderer');
}

/** Refuses to start a browser UI that would only answer 404: says how to build it instead. */
export function assertUiBuilt(dir: string): void {
  if (existsSync(join(dir, 'index.html'))) return;
  throw new Error(
    `the browser UI is not built: ${join(dir, 'index.html')} is missing. Run \`npm run build\` first` +
      ` (or set ${UI_DIR_ENV} to a folder with a built renderer).`,
  );
}

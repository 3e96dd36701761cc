/** Where the built renderer is, for `serve --ui-port`: dist/renderer in the package, or DICOM_GATEWAY_UI_DIR. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Environment variable naming another folder with a built renderer (index.html and its assets). */
export const UI_DIR_ENV = 'DICOM_GATEWAY_UI_DIR';

const PACKAGE_NAME = 'dicom-gateway';

/**
 * The folder holding this package's package.json. Found by walking up from this module, because it
 * runs both from src-main/api/ (source) and from dist/main/api/ (build), at different depths.
 */
export function packageRoot(from: string = import.meta.dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package folder above ${from}`);
  }
}

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

/**
 * electron-builder.yml: valid against electron-builder's own JSON schema, with the targets, app id
 * and icons the installers need; and the unpacked app electron-builder lays out from it (`--dir`,
 * Linux x64) holds everything the desktop app loads. Installers cannot be built here (no Electron
 * binary, no network), so a stub `electronDist` stands in for Electron: electron-builder copies it
 * and renames its executable, and packs the app into resources/app.asar exactly as for a release.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFile, listPackage } from '@electron/asar';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { buildPreload } from '../../../scripts/build-preload.ts';
import { ICON_SIZES } from '../../../scripts/build-icons.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const configPath = join(projectRoot, 'electron-builder.yml');
const schemaPath = join(projectRoot, 'node_modules', 'app-builder-lib', 'scheme.json');

type BuilderConfig = Record<string, unknown> & {
  appId: string;
  productName: string;
  directories: { output: string };
  files: string[];
  linux: { target: string[]; icon: string; category: string; maintainer: string; executableName: string };
  win: { target: string; icon: string };
  mac: { target: string; icon: string; category: string };
};

async function loadConfig(): Promise<BuilderConfig> {
  return parse(await readFile(configPath, 'utf8')) as BuilderConfig;
}

async function schemaValidator() {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as object;
  // The options electron-builder itself validates with, less type coercion (a config must be right as written).
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return (config: unknown) => ({ valid: validate(config), errors: JSON.stringify(validate.errors ?? [], null, 1) });
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's own schema", async () => {
    const validate = await schemaValidator();
    const result = validate(await loadConfig());
    expect(result.errors).toBe('[]');
    expect(result.valid).toBe(true);
  });

  it('flips the Electron fuses that would let the packaged app run as Node or load code from outside its checked asar', async () => {
    expect((await loadConfig()).electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('names the app for taskbars and menus: productName in the config and package.json, desktopName for Linux', async () => {
    const config = await loadConfig();
    const pkg = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as Record<string, string>;
    expect(config.productName).toBe('DICOM Gateway');
    expect(pkg.productName).toBe('DICOM Gateway');
    expect(pkg.desktopName).toBe(`${config.linux.executableName}.desktop`);
  });

  it('is refused by that same schema validation when an option is misspelt (the check can fail)', async () => {
    const validate = await schemaValidator();
    const config = await loadConfig();
    expect(validate({ ...config, linux: { ...config.linux, categroy: 'Science' } }).valid).toBe(false);
    expect(validate({ ...config, win: { ...config.win, target: 42 } }).valid).toBe(false);
  });

  it('builds AppImage and deb for Linux, nsis for Windows and dmg for macOS, as org.dicomgateway.app "DICOM Gateway"', async () => {
    const config = await loadConfig();
    expect(config.appId).toBe('org.dicomgateway.app');
    expect(config.productName).toBe('DICOM Gateway');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Science;MedicalSoftware');
    expect(config.linux.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
    expect(config.directories.output).toBe('dist/installers');
  });

  it('names icons that exist: a PNG per size 16..1024 for Linux, .ico for Windows, .icns for macOS', async () => {
    const config = await loadConfig();
    const linuxIcons = await readdir(join(projectRoot, config.linux.icon));
    for (const size of ICON_SIZES) expect(linuxIcons).toContain(`${size}x${size}.png`);
    expect((await stat(join(projectRoot, config.win.icon))).size).toBeGreaterThan(0);
    expect((await stat(join(projectRoot, config.mac.icon))).size).toBeGreaterThan(0);
  });
});

describe('the unpacked Linux app (electron-builder --dir with a stub electronDist)', () => {
  let work: string;
  let asarPath: string;
  let files: Set<string>;
  let appOutDir: string;

  beforeAll(async () => {
    work = await makeTempDir('electron-builder-dir-');
    const project = join(work, 'project');
    await mkdir(join(project, 'dist', 'renderer'), { recursive: true });
    await cp(join(projectRoot, 'package.json'), join(project, 'package.json'));
    // Fuses are flipped by patching a sentinel inside the real Electron binary; the stub below has
    // none, so this layout check runs without them (the fuse settings are checked above).
    const { electronFuses: _fuses, ...withoutFuses } = await loadConfig();
    await writeFile(join(project, 'electron-builder.yml'), stringify(withoutFuses));
    await cp(join(projectRoot, 'resources'), join(project, 'resources'), { recursive: true });
    // The real dependency tree, which electron-builder walks to pick the production packages.
    await symlink(join(projectRoot, 'node_modules'), join(project, 'node_modules'), 'dir');
    // The real main process (emitted without type checking: other work in progress must not block
    // packaging checks) and the real preload bundle; the renderer build is the renderer's own
    // business and stands here as its entry page.
    await run(
      [
        join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(projectRoot, 'tsconfig.json'),
        '--noCheck',
        '--outDir',
        join(project, 'dist', 'main'),
      ],
      projectRoot,
    );
    await buildPreload(join(project, 'dist', 'main', 'electron', 'preload.cjs'));
    await writeFile(join(project, 'dist', 'renderer', 'index.html'), '<!doctype html><title>DICOM Gateway</title>');
    const electronDist = join(work, 'electron-dist');
    await mkdir(electronDist);
    await writeFile(join(electronDist, 'electron'), '#!/bin/sh\necho stub electron\n', { mode: 0o755 });
    const output = join(work, 'installers');
    await run(
      [
        join(projectRoot, 'node_modules', 'electron-builder', 'cli.js'),
        '--dir',
        '--linux',
        '--x64',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${output}`,
      ],
      project,
    );
    appOutDir = join(output, 'linux-unpacked');
    asarPath = join(appOutDir, 'resources', 'app.asar');
    files = new Set(listPackage(asarPath, { isPack: false }).map((p) => p.replaceAll('\\', '/')));
  }, 240_000);

  afterAll(async () => {
    if (work) await removeDir(work);
  });

  const read = (path: string) => extractFile(asarPath, path.replace(/^\//, '')).toString('utf8');

  it('is the renamed executable with the app packed into resources/app.asar', async () => {
    expect((await stat(join(appOutDir, 'dicom-gateway'))).isFile()).toBe(true);
    expect((await stat(asarPath)).isFile()).toBe(true);
  });

  it('contains package.json, the main entry it names, the preload bundle and the renderer page', () => {
    const manifest = JSON.parse(read('/package.json')) as { main: string; type: string };
    expect(manifest.main).toBe('dist/main/electron/main.js');
    expect(manifest.type).toBe('module');
    expect(files).toContain(`/${manifest.main}`);
    expect(files).toContain('/dist/main/electron/preload.cjs');
    expect(read('/dist/main/electron/preload.cjs')).toContain('require("electron")');
    expect(files).toContain('/dist/renderer/index.html');
    expect(files).toContain('/resources/icons/512x512.png');
  });

  it('resolves every import of the main process and of the engine process inside the app: packed files, production packages, Node built-ins, electron', () => {
    const unresolved: string[] = [];
    const seen = new Set<string>();
    // Two entries: main.js (the shell) and engine-process.js, which the shell starts with utilityProcess.fork.
    const queue = ['/dist/main/electron/main.js', '/dist/main/electron/engine-process.js'];
    expect(files).toContain('/dist/main/electron/engine-process.js');
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(read(file))) {
        if (specifier.startsWith('.')) {
          const target = posix.join(posix.dirname(file), specifier);
          if (files.has(target)) queue.push(target);
          else unresolved.push(`${file} -> ${specifier}`);
        } else if (
          !isBuiltin(specifier) &&
          specifier !== 'electron' &&
          !files.has(`/node_modules/${packageName(specifier)}/package.json`)
        ) {
          unresolved.push(`${file} -> ${specifier}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
    // The walk reached the engine, not just the shell.
    expect(seen).toContain('/dist/main/gateway.js');
    expect(seen).toContain('/dist/main/api/gateway-api.js');
  });

  it('leaves out sources, source maps and development packages', () => {
    const listed = [...files];
    expect(listed.filter((p) => p.startsWith('/src-main') || p.startsWith('/src-renderer') || p.startsWith('/tests'))).toEqual([]);
    expect(listed.filter((p) => p.startsWith('/dist/') && p.endsWith('.map'))).toEqual([]);
    for (const devPackage of ['electron', 'electron-builder', 'vitest', 'svelte', 'typescript', 'esbuild']) {
      expect(files.has(`/node_modules/${devPackage}/package.json`), devPackage).toBe(false);
    }
  });
});

/** Specifiers of static imports, re-exports and dynamic imports with a literal specifier. */
function importsOf(code: string): string[] {
  const found = [
    ...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return found.map((m) => m[1]!);
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Runs a Node script with this Node (the project's Node 24), failing with its output. */
function run(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} exited with ${code} in ${cwd}:\n${output}`))));
  });
}

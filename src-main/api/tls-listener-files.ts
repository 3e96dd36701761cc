/**
 * The PEM files a TLS listener saved from Settings is to use. Each must be one the user chose (a
 * path the listener already uses needs no new choice: the port alone may change). A file uploaded
 * through the browser UI lands in the upload folder, which is emptied at every start: it is copied
 * into <storage>/tls, readable by this user only, so the saved listener still finds it after a restart.
 */
import { copyFile, chmod, mkdir } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { ListenerTls } from '../tls/tls-settings.ts';
import type { ChosenPaths } from './chosen-paths.ts';
import type { TlsListenerChange } from './contract.ts';

export interface TlsFileContext {
  chosen: ChosenPaths;
  uploadDir: string;
  storage: string;
  current: ListenerTls | undefined;
}

export async function keptTlsFiles(change: TlsListenerChange, ctx: TlsFileContext): Promise<TlsListenerChange> {
  const inUse = new Set([ctx.current?.cert, ctx.current?.key, ctx.current?.ca].filter((p) => p !== undefined));
  const paths = [change.cert, change.key, ...(change.ca === null ? [] : [change.ca])];
  ctx.chosen.check(
    'saveTlsListener',
    paths.filter((path) => !inUse.has(path)),
  );
  const keep = (path: string, role: string) => keptFile(path, role, ctx);
  return {
    ...change,
    cert: await keep(change.cert, 'cert'),
    key: await keep(change.key, 'key'),
    ca: change.ca === null ? null : await keep(change.ca, 'ca'),
  };
}

async function keptFile(path: string, role: string, ctx: TlsFileContext): Promise<string> {
  const uploads = resolve(ctx.uploadDir) + sep;
  if (!resolve(path).startsWith(uploads)) return path;
  const folder = join(ctx.storage, 'tls');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  // A new name each time: the files the running listener was started from stay as they were if this one fails.
  const target = join(folder, `${Date.now()}-${role}-${basename(path)}`);
  await copyFile(path, target);
  await chmod(target, 0o600);
  return target;
}

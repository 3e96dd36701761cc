/**
 * The transcode scenario's files: the corpus compressed once by DCMTK's dcmcjpeg (JPEG lossless,
 * first-order prediction, the syntax modalities send most), kept next to the corpus and reused
 * while complete. The gateway then decodes them again on send, which is the cost measured.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DCMTK_ENV } from '../tests/helpers/dcmtk.ts';
import type { Corpus } from './corpus.ts';
import { timedRun } from './processes.ts';

export const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
const PARALLEL = 2;
const made = new Map<string, Promise<string>>();

/** The folder of the corpus's files as JPEG lossless; made on first use. */
export function jpegLosslessCopy(corpus: Corpus): Promise<string> {
  let folder = made.get(corpus.filesDir);
  if (!folder) {
    folder = makeCopy(corpus);
    made.set(corpus.filesDir, folder);
  }
  return folder;
}

async function makeCopy(corpus: Corpus): Promise<string> {
  const dir = join(dirname(corpus.filesDir), 'jpeg-lossless');
  // Written last: its presence means every file was compressed.
  const marker = `${dir}.done`;
  const names = await readdir(corpus.filesDir);
  const done = await readFile(marker, 'utf8').catch(() => '');
  if (done.trim() === String(names.length) && (await readdir(dir).catch(() => [])).length === names.length) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < names.length; i += PARALLEL) {
    await Promise.all(names.slice(i, i + PARALLEL).map((name) => compress(join(corpus.filesDir, name), join(dir, name))));
  }
  await writeFile(marker, `${names.length}\n`);
  return dir;
}

async function compress(from: string, to: string): Promise<void> {
  const run = await timedRun('dcmcjpeg', ['+e1', from, to], DCMTK_ENV, 120_000);
  if (run.code !== 0) throw new Error(`dcmcjpeg ${from} exited with ${run.code}: ${run.stderr.slice(-2000)}`);
}

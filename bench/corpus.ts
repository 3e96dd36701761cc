/**
 * The benchmark corpora: CT-like Explicit VR Little Endian instances of one exact file size,
 * generated once and reused while the manifest still matches the parameters and every file's size.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildP10File,
  FixtureTransferSyntax,
  geometry,
  SopClass,
  writeP10Files,
  type FixtureOptions,
} from '../tests/helpers/dicom-fixtures.ts';
import type { CorpusName } from './bench-args.ts';

/** Bump when the files a given spec produces change, so old corpora are regenerated. 3: whole images (see instanceOptions). */
const GENERATOR_VERSION = 3;

export interface CorpusSpec {
  name: CorpusName;
  count: number;
  /** Every file is exactly this many bytes. */
  fileBytes: number;
  /** Fixture seed: fixes the study/series UIDs and pixel values of the corpus. */
  seed: number;
  transferSyntaxUid: string;
  sopClassUid: string;
  /** Set on the parts of a corpus split into studies (the concurrent scenario): 1, 2, ... */
  study?: number;
}

export interface Corpus {
  spec: CorpusSpec;
  /** Folder holding only the corpus's .dcm files (what storescu and `send` are pointed at). */
  filesDir: string;
  files: number;
  totalBytes: number;
  /** false when an existing corpus was reused. */
  generated: boolean;
}

interface Manifest {
  generatorVersion: number;
  spec: CorpusSpec;
  files: { name: string; size: number }[];
  totalBytes: number;
}

export function corpusSpec(name: CorpusName, quick: boolean): CorpusSpec {
  const common = { transferSyntaxUid: FixtureTransferSyntax.ExplicitVRLittleEndian, sopClassUid: SopClass.CT };
  return name === 'large'
    ? { name, count: quick ? 100 : 1000, fileBytes: 512 * 1024, seed: 512, ...common }
    : { name, count: quick ? 500 : 5000, fileBytes: 10 * 1024, seed: 10, ...common };
}

export function corpusDir(root: string, spec: CorpusSpec): string {
  return join(root, `${spec.name}-${spec.count}x${spec.fileBytes}${spec.study ? `-study${spec.study}` : ''}`);
}

/**
 * The same number of files split into `studies` studies of their own (own seed, so own study,
 * series and SOP instance UIDs), one folder each: what parallel clients send.
 */
export function studySpecs(spec: CorpusSpec, studies: number): CorpusSpec[] {
  if (spec.count % studies !== 0) throw new Error(`corpus ${spec.name}: ${spec.count} files do not split into ${studies} equal studies`);
  return Array.from({ length: studies }, (_, i) => ({ ...spec, count: spec.count / studies, seed: spec.seed * 10 + i + 1, study: i + 1 }));
}

export async function ensureCorpus(root: string, spec: CorpusSpec): Promise<Corpus> {
  const dir = corpusDir(root, spec);
  const filesDir = join(dir, 'files');
  const manifestPath = join(dir, 'manifest.json');
  const existing = await reusableManifest(manifestPath, filesDir, spec);
  if (existing) return { spec, filesDir, files: existing.files.length, totalBytes: existing.totalBytes, generated: false };

  await rm(dir, { recursive: true, force: true });
  await mkdir(filesDir, { recursive: true });
  const paths = await writeP10Files(filesDir, spec.count, (i) => instanceOptions(spec, i));
  const files = await Promise.all(paths.map(async (path) => ({ name: path.slice(filesDir.length + 1), size: (await stat(path)).size })));
  const wrong = files.find((f) => f.size !== spec.fileBytes);
  if (wrong) throw new Error(`corpus ${spec.name}: ${join(filesDir, wrong.name)} is ${wrong.size} bytes, expected ${spec.fileBytes}`);
  const manifest: Manifest = { generatorVersion: GENERATOR_VERSION, spec, files, totalBytes: files.reduce((sum, f) => sum + f.size, 0) };
  // The manifest is written last: its presence means the corpus is complete.
  await writeFile(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  return { spec, filesDir, files: files.length, totalBytes: manifest.totalBytes, generated: true };
}

/** Options for instance i, with the pixel data sized so the whole file is exactly spec.fileBytes. */
export function instanceOptions(spec: CorpusSpec, i: number): FixtureOptions {
  const base: FixtureOptions = {
    transferSyntaxUid: spec.transferSyntaxUid,
    sopClassUid: spec.sopClassUid,
    modality: 'CT',
    seed: spec.seed,
    instanceNumber: i + 1,
    patientName: 'BENCH^CT',
    seriesDescription: `BENCH ${spec.count} x ${spec.fileBytes}`,
  };
  // Everything but the pixel payload varies a little with the instance number (UID and IS lengths).
  // The study description takes up the slack so that the pixels left form a real Rows x Columns image
  // (a prime number of pixels has none, and dcmcjpeg rightly refuses to encode such a file).
  for (let filler = 0; filler <= 40; filler += 2) {
    const options = { ...base, studyDescription: `BENCH${'.'.repeat(filler)}` };
    const overhead = buildP10File({ ...options, pixelDataBytes: 0 }).length;
    const pixelDataBytes = spec.fileBytes - overhead;
    if (pixelDataBytes < 0 || pixelDataBytes % 2 !== 0) break;
    const { rows, columns } = geometry(pixelDataBytes / 2);
    if (rows * columns === pixelDataBytes / 2) return { ...options, pixelDataBytes };
  }
  throw new Error(`corpus ${spec.name}: cannot reach ${spec.fileBytes} bytes per file with a whole image`);
}

async function reusableManifest(manifestPath: string, filesDir: string, spec: CorpusSpec): Promise<Manifest | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.generatorVersion !== GENERATOR_VERSION || JSON.stringify(manifest.spec) !== JSON.stringify(spec)) return undefined;
  if (manifest.files.length !== spec.count) return undefined;
  // A stray or missing file would change what storescu and `send` pick up from the folder.
  const names = new Set(await readdir(filesDir).catch(() => [] as string[]));
  if (names.size !== manifest.files.length) return undefined;
  for (const file of manifest.files) {
    if (!names.has(file.name) || file.size !== spec.fileBytes) return undefined;
    const actual = await stat(join(filesDir, file.name)).catch(() => undefined);
    if (actual?.size !== file.size) return undefined;
  }
  return manifest;
}

/** Reads every file once so the first timed run does not pay for a cold page cache. */
export async function warmPageCache(corpus: Corpus): Promise<void> {
  for (const name of await readdir(corpus.filesDir)) await readFile(join(corpus.filesDir, name));
}

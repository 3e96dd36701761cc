/**
 * Byte regions of a Part-10 file for the integration suites: preamble, `DICM`, meta group, dataset.
 *
 * Parsed here on purpose rather than with src-main/dicom/p10-reader.ts: the suites judge the
 * engine's files, so the ruler must not be a piece of the engine.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';

export interface P10Regions {
  preamble: Buffer;
  prefix: Buffer;
  /** (0002,xxxx) elements, from the first meta tag to the first non-meta tag. */
  meta: Buffer;
  dataset: Buffer;
  /** Header = preamble + prefix + meta; the dataset starts here. */
  datasetOffset: number;
}

const PREAMBLE_LENGTH = 128;
const META_OFFSET = PREAMBLE_LENGTH + 4;
// Explicit VR LE meta elements with these VRs have a 4-byte length after 2 reserved bytes.
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** Splits a file written with preamble and `DICM` (what the gateway and storescp +B write). */
export function splitP10(file: Buffer, source = 'file'): P10Regions {
  if (file.length < META_OFFSET || file.toString('latin1', PREAMBLE_LENGTH, META_OFFSET) !== 'DICM') {
    throw new Error(`${source}: no 128-byte preamble followed by DICM`);
  }
  let offset = META_OFFSET;
  while (offset + 8 <= file.length && file.readUInt16LE(offset) === 0x0002) {
    const vr = file.toString('latin1', offset + 4, offset + 6);
    offset += LONG_VRS.has(vr) ? 12 + file.readUInt32LE(offset + 8) : 8 + file.readUInt16LE(offset + 6);
  }
  if (offset > file.length) throw new Error(`${source}: file ends inside the meta group`);
  return {
    preamble: file.subarray(0, PREAMBLE_LENGTH),
    prefix: file.subarray(PREAMBLE_LENGTH, META_OFFSET),
    meta: file.subarray(META_OFFSET, offset),
    dataset: file.subarray(offset),
    datasetOffset: offset,
  };
}

/** A UID-valued meta element as text, trailing NUL/space padding removed; undefined when absent. */
export function metaUid(file: Buffer, elementNumber: number): string | undefined {
  const { meta } = splitP10(file);
  let offset = 0;
  while (offset + 8 <= meta.length) {
    const element = meta.readUInt16LE(offset + 2);
    const vr = meta.toString('latin1', offset + 4, offset + 6);
    const long = LONG_VRS.has(vr);
    const length = long ? meta.readUInt32LE(offset + 8) : meta.readUInt16LE(offset + 6);
    const valueOffset = offset + (long ? 12 : 8);
    if (element === elementNumber) return meta.toString('latin1', valueOffset, valueOffset + length).replace(/[\0 ]+$/, '');
    offset = valueOffset + length;
  }
  return undefined;
}

export const transferSyntaxOf = (file: Buffer) => metaUid(file, 0x0010);
export const sopInstanceOf = (file: Buffer) => metaUid(file, 0x0003);

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every regular file under `dir`, recursively, as absolute paths sorted by path; [] when `dir` does not exist. */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The instances the gateway stored: every file under DIR/studies, keyed by path relative to DIR. */
export async function storedInstances(storage: string): Promise<Map<string, Buffer>> {
  const files = await listFilesRecursive(join(storage, 'studies'));
  const out = new Map<string, Buffer>();
  for (const file of files) out.set(relative(storage, file), await readFile(file));
  return out;
}

/** Where the gateway keeps an instance (DESIGN store layout); version 1 has no suffix. */
export function storedPath(storage: string, uids: { study: string; series: string; sop: string }, version = 1): string {
  return join(storage, 'studies', uids.study, uids.series, version === 1 ? `${uids.sop}.dcm` : `${uids.sop}.v${version}.dcm`);
}

/** Files a DCMTK storescp wrote (named by modality and UID, not by us), keyed by (0002,0003). */
export async function filesBySopInstance(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const path of await listFilesRecursive(dir)) {
    const bytes = await readFile(path);
    const sop = sopInstanceOf(bytes);
    if (!sop) throw new Error(`${path}: no Media Storage SOP Instance UID (0002,0003)`);
    if (out.has(sop)) throw new Error(`${path}: second file for SOP instance ${sop}`);
    out.set(sop, bytes);
  }
  return out;
}

/** A short, readable account of where two byte strings first differ, for assertion messages. */
export function firstDifference(a: Buffer, b: Buffer): string {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) {
      const window = (x: Buffer) => x.subarray(Math.max(0, i - 8), i + 8).toString('hex');
      return `first difference at byte ${i}: ${window(a)} vs ${window(b)} (lengths ${a.length} and ${b.length})`;
    }
  }
  return a.length === b.length ? 'identical' : `one is a prefix of the other (lengths ${a.length} and ${b.length})`;
}

/** Buffer.equals with a message that says where the bytes part ways. */
export function expectSameBytes(actual: Buffer, expected: Buffer, what: string): void {
  expect(actual.equals(expected), `${what}: ${firstDifference(actual, expected)}`).toBe(true);
}

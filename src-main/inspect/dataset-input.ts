/**
 * One side of a comparison: a Part-10 file (its header read by the P10 reader) or a raw dataset
 * whose transfer syntax the caller states. Knows where the dataset starts and how to stream it.
 */
import { pathKind } from '../dicom/input-path.ts';
import { metaGroupLengthProblem, readP10Header, type P10Header } from '../dicom/p10-reader.ts';
import { encodingOf, type DatasetEncoding } from '../dicom/transfer-syntax.ts';
import { FileByteSource, InflatedByteSource, type ByteSource } from './byte-source.ts';

export interface CompareInput {
  path: string;
  /** Set when the file is a bare dataset (no preamble, no meta group) in this transfer syntax. */
  datasetSyntax?: string;
}

/** An input that cannot be read at all (missing, a folder, no permission): a usage error, not a difference. */
export class CompareInputError extends Error {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'CompareInputError';
    this.path = path;
  }
}

export interface OpenedInput {
  path: string;
  size: number;
  /** Undefined for a raw dataset, or when the file is not Part-10 (then `problem` says why). */
  header: P10Header | undefined;
  problem: string | undefined;
  datasetOffset: number;
  transferSyntaxUid: string | undefined;
  encoding: DatasetEncoding | undefined;
}

export function asInput(input: string | CompareInput): CompareInput {
  return typeof input === 'string' ? { path: input } : input;
}

export async function openInput(input: CompareInput): Promise<OpenedInput> {
  // Never opened when it is not a regular file: a FIFO would block the comparison for good.
  const kind = await pathKind(input.path);
  if (kind.kind !== 'file') throw new CompareInputError(input.path, kind.kind === 'folder' ? 'is not a file' : kind.reason);
  const base = { path: input.path, size: kind.size };
  if (input.datasetSyntax) {
    return {
      ...base,
      header: undefined,
      problem: undefined,
      datasetOffset: 0,
      transferSyntaxUid: input.datasetSyntax,
      encoding: encodingOf(input.datasetSyntax),
    };
  }
  try {
    const header = await readP10Header(input.path);
    const metaProblem = metaGroupLengthProblem(header, header.fileSize);
    if (metaProblem)
      return {
        ...base,
        header: undefined,
        problem: `${input.path}: ${metaProblem}`,
        datasetOffset: 0,
        transferSyntaxUid: undefined,
        encoding: undefined,
      };
    return {
      ...base,
      header,
      problem: undefined,
      datasetOffset: header.datasetOffset,
      transferSyntaxUid: header.transferSyntaxUid,
      encoding: encodingOf(header.transferSyntaxUid),
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ...base, header: undefined, problem: reason, datasetOffset: 0, transferSyntaxUid: undefined, encoding: undefined };
  }
}

/** A reader positioned at the first dataset byte; inflating for the deflated syntax. */
export async function openDatasetSource(input: OpenedInput): Promise<ByteSource> {
  if (input.encoding?.deflated) return InflatedByteSource.open(input.path, input.datasetOffset);
  return FileByteSource.open(input.path, input.datasetOffset);
}

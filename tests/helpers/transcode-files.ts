/** Writes a transcoded dataset as a Part-10 file, and reads values back from one, for comparing with DCMTK's output. */
import { open, writeFile } from 'node:fs/promises';
import { readP10Header } from '../../src-main/dicom/p10-reader.ts';
import { buildP10Header } from '../../src-main/dicom/p10-writer.ts';
import { openDatasetSource, openInput } from '../../src-main/inspect/dataset-input.ts';
import { walkEvents } from '../../src-main/inspect/element-walker.ts';
import { transcodeDataset } from '../../src-main/transcode/transcode-dataset.ts';
import { run } from './dcmtk.ts';

/** Transcodes the dataset of the P10 file `input` to `toSyntax` and writes it, under a fresh meta group, to `output`. */
export async function transcodeFile(input: string, toSyntax: string, output: string): Promise<void> {
  const header = await readP10Header(input);
  const chunks: Buffer[] = [];
  const source = { path: input, offset: header.datasetOffset, length: header.fileSize - header.datasetOffset };
  for await (const chunk of transcodeDataset(source, header.transferSyntaxUid, toSyntax)) chunks.push(chunk);
  const meta = buildP10Header({
    sopClassUid: header.mediaStorageSopClassUid!,
    sopInstanceUid: header.mediaStorageSopInstanceUid!,
    transferSyntaxUid: toSyntax,
  });
  await writeFile(output, Buffer.concat([meta, ...chunks]));
}

/** The value bytes of a top-level element of a P10 file (native syntaxes), as stored. */
export async function topLevelValue(path: string, tag: number): Promise<Buffer | undefined> {
  const input = await openInput({ path });
  if (!input.encoding) throw new Error(`${path}: ${input.problem}`);
  const encoding = input.encoding;
  const source = await openDatasetSource(input);
  try {
    for await (const event of walkEvents(source, { ...encoding, hashValues: false })) {
      if (event.type === 'problem') throw new Error(`${path}: ${event.problem.reason}`);
      if (event.type === 'element' && event.node.tag === tag && !event.node.path.includes('/')) {
        if (encoding.deflated) throw new Error('topLevelValue reads plain files only');
        const handle = await open(path, 'r');
        try {
          const value = Buffer.alloc(event.node.valueLength);
          await handle.read(value, 0, value.length, event.node.valueOffset);
          return value;
        } finally {
          await handle.close();
        }
      }
    }
    return undefined;
  } finally {
    await source.close();
  }
}

/**
 * The dataset as DCMTK reads it, one line per element with its value, without what differs only in
 * encoding: group lengths, sequence and item lengths and delimiters, value lengths.
 */
export async function dcmtkElementLines(path: string): Promise<string[]> {
  const result = await run('dcmdump', ['-q', '+L', path]);
  if (result.code !== 0) throw new Error(`dcmdump ${path} exited ${result.code}: ${result.stderr}`);
  const lines = result.stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('# Dicom-Data-Set'));
  return lines
    .slice(start + 2)
    .filter((line) => line.trim() !== '' && !/\(fffe,e00d\)|\(fffe,e0dd\)|GroupLength/.test(line))
    .map((line) =>
      line
        .replace(/\((Sequence|Item) with (undefined|explicit) length #=\d+\)/, '$1')
        .replace(/ *#.*$/, '')
        .trim(),
    );
}

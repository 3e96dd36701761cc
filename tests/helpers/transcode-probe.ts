/**
 * Run as its own process: transcodes the dataset of a P10 file and prints, as JSON, how many bytes
 * came out and the process's peak resident set size, so a test can bound the transcoder's memory.
 * Usage: node transcode-probe.ts FILE TO_SYNTAX
 */
import { readP10Header } from '../../src-main/dicom/p10-reader.ts';
import { transcodeDataset } from '../../src-main/transcode/transcode-dataset.ts';
import { memoryOf } from './processes.ts';

const [path, toSyntax] = process.argv.slice(2) as [string, string];
const header = await readP10Header(path);
let bytes = 0;
let chunks = 0;
let largestChunk = 0;
const source = { path, offset: header.datasetOffset, length: header.fileSize - header.datasetOffset };
for await (const chunk of transcodeDataset(source, header.transferSyntaxUid, toSyntax)) {
  bytes += chunk.length;
  chunks++;
  largestChunk = Math.max(largestChunk, chunk.length);
}
const peakRssBytes = await memoryOf(process.pid);
process.stdout.write(`${JSON.stringify({ bytes, chunks, largestChunk, peakRssBytes })}\n`);

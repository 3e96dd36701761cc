/** `dicom-gateway send`: files and folders to a DICOM node, byte for byte. */
import { formatPeer } from '../dicom/peer-address.ts';
import { collectSendableFilesSync } from '../dicom/sendable-files.ts';
import { sendFiles, type SendResult } from '../dicom/store-scu.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';
import { CLIENT_TLS_OPTIONS, clientTlsFromFlags, parseAeTitle, parseCommandArgs, parsePeerAddress } from './options.ts';
import { parseNumberFlag } from './schema-flags.ts';
import { maxPdu } from '../api/schemas/values.ts';
import { ExitCode, UsageError } from './usage-error.ts';
import { BatchedLines } from './batched-lines.ts';

const OPTIONS = {
  to: { type: 'string' },
  'calling-ae': { type: 'string' },
  'max-pdu': { type: 'string' },
  json: { type: 'boolean' },
  'allow-transcoding': { type: 'boolean' },
  ...CLIENT_TLS_OPTIONS,
} as const;

export async function sendCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
  if (!values.to) throw new UsageError('--to AE@HOST:PORT is required');
  if (positionals.length === 0) throw new UsageError('name at least one file or folder to send');
  const peer = parsePeerAddress(values.to);
  const callingAe = parseAeTitle(values['calling-ae'] ?? 'DICOMGATEWAY', '--calling-ae');
  const maxPduLength = values['max-pdu'] ? parseNumberFlag(maxPdu, values['max-pdu'], '--max-pdu') : 65536;
  const json = values.json ?? false;

  // Synchronously, on this thread: a send has nothing else to do meanwhile, and a thread of its own
  // would cost this process another JavaScript heap (the engine, which receives meanwhile, uses one).
  const collected = collectSendableFilesSync(positionals);
  const inputErrors = [
    ...collected.missing.map((path) => `${path}: no such file or folder (ENOENT)`),
    ...collected.skipped.filter((s) => s.explicit).map((s) => `${s.file}: ${s.reason}`),
  ];
  const skipped = collected.skipped.map(({ file, reason }) => ({ file, reason }));
  if (inputErrors.length > 0) {
    process.stderr.write(inputErrors.map((e) => `error: ${e}\n`).join(''));
    // Scripts reading --json get the same facts as a report, so they need not parse stderr.
    if (json) printJson({ to: formatPeer(peer), results: [], sent: 0, failed: 0, skipped, errors: inputErrors });
    return ExitCode.Usage;
  }
  if (collected.files.length === 0) {
    process.stderr.write(`error: no DICOM files found in ${positionals.join(', ')}\n`);
    printSkipped(collected.skipped);
    return ExitCode.Usage;
  }

  const started = performance.now();
  const lines = new BatchedLines((text) => process.stdout.write(text));
  const results = await sendFiles(collected.files, peer, {
    callingAe,
    maxPduLength,
    tls: clientTlsFromFlags(values),
    allowTranscoding: values['allow-transcoding'] ?? false,
    // The command does nothing else while a file is read: no trips through libuv's pool for it.
    fileReads: 'sync',
    // Only the --json report shows each file's digest; without it, hashing would be CPU for nothing.
    digests: json,
    onResult: json ? undefined : (result, index) => lines.add(resultLine(result, index, collected.files.length)),
  }).finally(() => lines.flush());
  const seconds = (performance.now() - started) / 1000;
  const sent = results.filter((r) => r.ok).length;
  const failed = results.length - sent;
  if (json) {
    printJson({ to: formatPeer(peer), results, sent, failed, skipped, errors: [] });
  } else {
    printSkipped(collected.skipped);
    const bytes = results.reduce((n, r) => n + r.bytes, 0);
    process.stdout.write(
      `Sent ${sent} of ${results.length} file(s) to ${formatPeer(peer)} in ${seconds.toFixed(1)} s ` +
        `(${(bytes / 1048576 / Math.max(seconds, 1e-3)).toFixed(1)} MB/s)` +
        `${failed ? `; ${failed} failed` : ''}${skipped.length ? `; ${skipped.length} skipped` : ''}\n`,
    );
  }
  return failed > 0 ? ExitCode.DicomFailure : ExitCode.Ok;
}

function printJson(report: object): void {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

/** One line per file: position, outcome, status, file, and for a failure why (with its transfer syntax). */
export function resultLine(result: SendResult, index: number, count: number): string {
  const position = `[${index + 1}/${count}]`;
  if (result.ok) {
    // A converted send is said so on its line: its bytes are not the file's.
    const transcoded = result.transcodedTo
      ? ` (transcoded ${describeTransferSyntax(result.transferSyntaxUid)} -> ${describeTransferSyntax(result.transcodedTo)})`
      : '';
    return `${position} ok     ${result.statusHex} ${result.file}${transcoded}`;
  }
  // Where the error does not name the file's transfer syntax, the line does (once).
  const syntax = result.error?.includes(result.transferSyntaxUid) ? '' : ` [${describeTransferSyntax(result.transferSyntaxUid)}]`;
  return `${position} FAILED ${result.statusHex ?? '------'} ${result.file}: ${result.error}${syntax}`;
}

function printSkipped(skipped: { file: string; reason: string }[]): void {
  for (const s of skipped) process.stdout.write(`skipped ${s.file}: ${s.reason}\n`);
}

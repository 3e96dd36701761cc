/** `dicom-gateway echo`: C-ECHO a node and show the round trip. */
import { echo } from '../dicom/echo-scu.ts';
import { CLIENT_TLS_OPTIONS, clientTlsFromFlags, parseAeTitle, parseCommandArgs, parsePeerAddress } from './options.ts';
import { ExitCode, UsageError } from './usage-error.ts';

export async function echoCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { 'calling-ae': { type: 'string' }, ...CLIENT_TLS_OPTIONS } as const, true);
  if (positionals.length !== 1) throw new UsageError('name exactly one node: AE@HOST:PORT');
  const peer = parsePeerAddress(positionals[0]!);
  const result = await echo(peer, {
    callingAe: parseAeTitle(values['calling-ae'] ?? 'DICOMGATEWAY', '--calling-ae'),
    tls: clientTlsFromFlags(values),
  });
  if (result.ok) {
    process.stdout.write(`C-ECHO ${result.peer}: ${result.statusHex} ${result.meaning} in ${result.roundTripMs} ms\n`);
    return ExitCode.Ok;
  }
  process.stderr.write(`C-ECHO ${result.peer} failed: ${result.error}\n`);
  return ExitCode.DicomFailure;
}

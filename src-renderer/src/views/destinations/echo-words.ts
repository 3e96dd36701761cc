/**
 * A C-ECHO outcome in words a radiographer can act on, with the engine's technical text (peer,
 * status in hex, socket error) kept as the detail.
 */
import type { CommandFailure } from '../../../../src-main/api/contract.ts';
import type { EchoResult } from '../../../../src-main/api/contract.ts';
import { connectionProblemWords } from '../../lib/connection-words.ts';

export function echoFailure(result: EchoResult): CommandFailure {
  return { message: echoFailureWords(result), detail: echoDetail(result) };
}

export function echoFailureWords(result: Pick<EchoResult, 'error' | 'status' | 'statusHex' | 'meaning'>): string {
  const connection = connectionProblemWords(result.error);
  if (connection) return connection;
  if (/Verification/i.test(result.error ?? '')) return 'The destination does not accept echo requests (C-ECHO).';
  if (result.status !== null) return `The destination answered the echo with an error (${result.statusHex}: ${result.meaning}).`;
  return 'The destination did not confirm the echo.';
}

function echoDetail(result: EchoResult): string {
  return [
    `Peer: ${result.peer}`,
    `Result: ${result.meaning}${result.statusHex ? ` (status ${result.statusHex})` : ''}`,
    result.error ? `Error: ${result.error}` : undefined,
    `Time: ${result.roundTripMs} ms`,
  ]
    .filter(Boolean)
    .join('\n');
}

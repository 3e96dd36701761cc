/**
 * A C-ECHO outcome in words a radiographer can act on, with the engine's technical text (peer,
 * status in hex, socket error) kept as the detail.
 */
import type { CommandFailure } from '../../../../src-main/api/contract.ts';
import type { EchoResult } from '../../../../src-main/dicom/echo-scu.ts';

export function echoFailure(result: EchoResult): CommandFailure {
  return { message: echoFailureWords(result), detail: echoDetail(result) };
}

export function echoFailureWords(result: EchoResult): string {
  const error = result.error ?? '';
  if (/ECONNREFUSED|connection refused/i.test(error)) {
    return 'The destination refused the connection. Check that it is switched on and that the port is right.';
  }
  if (/ENOTFOUND|EAI_AGAIN/i.test(error)) return 'The host name could not be found. Check the destination’s address.';
  if (/EHOSTUNREACH|ENETUNREACH/i.test(error)) return 'The destination cannot be reached on the network. Check the address and the network cable or VPN.';
  if (/did not answer|timed? ?out|ETIMEDOUT/i.test(error)) {
    return 'The destination did not answer in time. Check that it is switched on and that its address is right.';
  }
  if (/rejected the association/i.test(error)) {
    return 'The destination refused to talk to this gateway. Check the AE titles: the destination’s AE title, and that it knows this gateway’s.';
  }
  if (/Verification/i.test(error)) return 'The destination does not accept echo requests (C-ECHO).';
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

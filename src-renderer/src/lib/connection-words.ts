/**
 * Why a DICOM peer could not be reached or would not talk, in words a radiographer can act on.
 * Shared by C-ECHO (Destinations, Send) and by sending, so the same cause reads the same everywhere.
 */
export function connectionProblemWords(error: string | null | undefined): string | undefined {
  const text = error ?? '';
  if (/ECONNREFUSED|connection refused/i.test(text)) {
    return 'The destination refused the connection. Check that it is switched on and that the port is right.';
  }
  if (/ENOTFOUND|EAI_AGAIN/i.test(text)) return 'The host name could not be found. Check the destination’s address.';
  if (/EHOSTUNREACH|ENETUNREACH/i.test(text))
    return 'The destination cannot be reached on the network. Check the address and the network cable or VPN.';
  if (/did not answer|timed? ?out|ETIMEDOUT/i.test(text)) {
    return 'The destination did not answer in time. Check that it is switched on and that its address is right.';
  }
  if (/rejected the association/i.test(text)) {
    return 'The destination refused to talk to this gateway. Check the AE titles: the destination’s AE title, and that it knows this gateway’s.';
  }
  return undefined;
}

/**
 * Why a DICOM peer could not be reached or would not talk, in words a radiographer can act on.
 * Shared by C-ECHO (Destinations, Send), by sending and by the Queue, so the same cause reads the
 * same everywhere: a short name where a row has room for a few words, the advice where it has more.
 */
interface ConnectionProblem {
  pattern: RegExp;
  short: string;
  advice: string;
}

const PROBLEMS: readonly ConnectionProblem[] = [
  {
    pattern: /ECONNREFUSED|connection refused/i,
    short: 'Connection refused',
    advice: 'The destination refused the connection. Check that it is switched on and that the port is right.',
  },
  {
    pattern: /ENOTFOUND|EAI_AGAIN/i,
    short: 'Host name not found',
    advice: 'The host name could not be found. Check the destination’s address.',
  },
  {
    pattern: /EHOSTUNREACH|ENETUNREACH/i,
    short: 'Not reachable on the network',
    advice: 'The destination cannot be reached on the network. Check the address and the network cable or VPN.',
  },
  {
    pattern: /did not answer|timed? ?out|ETIMEDOUT/i,
    short: 'No answer in time',
    advice: 'The destination did not answer in time. Check that it is switched on and that its address is right.',
  },
  {
    pattern: /rejected the association/i,
    short: 'Association rejected',
    advice:
      'The destination refused to talk to this gateway. Check the AE titles: the destination’s AE title, and that it knows this gateway’s.',
  },
];

const problemOf = (error: string | null | undefined) => PROBLEMS.find((p) => p.pattern.test(error ?? ''));

/** What to check, in a sentence or two; undefined when the error is not a connection problem. */
export function connectionProblemWords(error: string | null | undefined): string | undefined {
  return problemOf(error)?.advice;
}

/** The cause in two or three words ("Connection refused"); undefined when not a connection problem. */
export function connectionProblemShort(error: string | null | undefined): string | undefined {
  return problemOf(error)?.short;
}

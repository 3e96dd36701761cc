/** C-ECHO as SCU: is the node there, does it accept us, and how long does a round trip take. */
import { describeStatus, statusHex } from './dimse-status.ts';
import { formatPeer, type PeerAddress } from './peer-address.ts';
import { ScuAssociation, type AssociationOptions } from './scu-association.ts';
import { TransferSyntax } from './transfer-syntax.ts';
import { VERIFICATION_SOP_CLASS } from './sop-classes.ts';

import type { EchoResult } from '../api/types/echo.ts';

export async function echo(peer: PeerAddress, opts: AssociationOptions): Promise<EchoResult> {
  // process.hrtime, not performance.now(): the global `performance` loads perf_hooks, a few ms of
  // the 150 ms `dicom-gateway echo` may take to start (docs/benchmarks.md).
  const started = process.hrtime.bigint();
  const elapsed = () => Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
  try {
    const association = await ScuAssociation.open(peer, opts, [
      {
        abstractSyntaxUid: VERIFICATION_SOP_CLASS,
        transferSyntaxUids: [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian],
      },
    ]);
    try {
      if (!association.acceptedContext(VERIFICATION_SOP_CLASS)) {
        return {
          ok: false,
          peer: formatPeer(peer),
          status: null,
          statusHex: null,
          meaning: 'Refused',
          error: `${formatPeer(peer)} does not accept the Verification SOP class`,
          roundTripMs: elapsed(),
        };
      }
      const response = await association.echo();
      const status = response.getStatus();
      const ok = status === 0;
      return {
        ok,
        peer: formatPeer(peer),
        status,
        statusHex: statusHex(status),
        meaning: describeStatus(status),
        error: ok ? undefined : `${formatPeer(peer)} answered C-ECHO with ${statusHex(status)} (${describeStatus(status)})`,
        roundTripMs: elapsed(),
      };
    } finally {
      await association.release();
    }
  } catch (err) {
    return {
      ok: false,
      peer: formatPeer(peer),
      status: null,
      statusHex: null,
      meaning: 'Not reached',
      error: (err as Error).message,
      roundTripMs: elapsed(),
    };
  }
}

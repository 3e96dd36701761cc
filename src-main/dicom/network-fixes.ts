/**
 * Fixes for faults of dcmjs-dimse 0.3.3's Network, applied to every network we create (SCP and
 * SCU). Each is small and named; docs/dcmjs-dimse-fixes.md says how they could go upstream.
 */
import type { DimseCommand, NetworkInternals } from './dimse-library.ts';

type NetworkClass = new (...args: any[]) => any;

const PENDING_STATUSES = new Set([0xff00, 0xff01]);

export function withNetworkFixes<T extends NetworkClass>(Base: T): T {
  const base = Base.prototype as NetworkInternals;
  class FixedNetwork extends Base {}
  const fixed = FixedNetwork.prototype as NetworkInternals;

  fixed._performDimse = function (this: NetworkInternals, presentationContext, dimse) {
    base._performDimse.call(this, presentationContext, dimse);
    clearCommandAccumulator(this);
    forgetAnsweredRequest(this, dimse);
  };
  return FixedNetwork;
}

/**
 * Fault: after a DIMSE message without a dataset (every C-STORE-RSP, C-ECHO), the library keeps
 * the command accumulator, so the next command is appended to it and every later message
 * re-parses all earlier ones: quadratic time over an association.
 */
export function clearCommandAccumulator(network: NetworkInternals): void {
  network.dimseStream = undefined;
}

/**
 * Fault: the library never drops answered requests from `pending`, so an SCU association holds
 * every request (and its dataset) it ever sent until it closes.
 */
export function forgetAnsweredRequest(network: NetworkInternals, dimse: DimseCommand): void {
  if (typeof dimse.getMessageIdBeingRespondedTo !== 'function') return;
  const status = dimse.getStatus?.();
  if (status !== undefined && PENDING_STATUSES.has(status)) return;
  const answered = dimse.getMessageIdBeingRespondedTo();
  const index = network.pending.findIndex((request) => request.getMessageId?.() === answered);
  if (index >= 0) network.pending.splice(index, 1);
}

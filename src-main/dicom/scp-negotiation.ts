/** Which presentation contexts the SCP accepts, and in which transfer syntax. */
import { ContextResult } from './ul/pdu-constants.ts';
import type { NegotiatedPresentationContext, ProposedPresentationContext } from './ul/pdu-codec.ts';
import { VERIFICATION_SOP_CLASS, isKnownNonStorageSopClass, isStorageSopClass } from './sop-classes.ts';

/**
 * Accepts verification and storage (and, if allowed, unknown SOP classes) with the proposer's
 * first syntax: the dataset is stored in the syntax it arrives in, so any syntax will do.
 */
export function negotiate(context: ProposedPresentationContext, acceptUnknown: boolean): NegotiatedPresentationContext {
  const abstractSyntax = context.abstractSyntaxUid;
  const offered =
    abstractSyntax === VERIFICATION_SOP_CLASS ||
    isStorageSopClass(abstractSyntax) ||
    (acceptUnknown && !isKnownNonStorageSopClass(abstractSyntax));
  const first = context.transferSyntaxUids[0];
  if (!offered) return { id: context.id, result: ContextResult.AbstractSyntaxNotSupported, transferSyntaxUid: first ?? '' };
  if (!first) return { id: context.id, result: ContextResult.TransferSyntaxesNotSupported, transferSyntaxUid: '' };
  return { id: context.id, result: ContextResult.Acceptance, transferSyntaxUid: first };
}

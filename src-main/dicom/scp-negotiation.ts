/** Which presentation contexts the SCP accepts, and in which transfer syntax. */
import { constants, type PresentationContextType } from './dimse-library.ts';
import { VERIFICATION_SOP_CLASS, isKnownNonStorageSopClass, isStorageSopClass } from './sop-classes.ts';

/** Accepts verification and storage (and, if allowed, unknown SOP classes) with the proposer's first syntax. */
export function negotiate(context: PresentationContextType, acceptUnknown: boolean): void {
  const { PresentationContextResult } = constants;
  const abstractSyntax = context.getAbstractSyntaxUid();
  const syntaxes = context.getTransferSyntaxUids();
  const offered =
    abstractSyntax === VERIFICATION_SOP_CLASS ||
    isStorageSopClass(abstractSyntax) ||
    (acceptUnknown && !isKnownNonStorageSopClass(abstractSyntax));
  if (!offered) {
    context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
  } else if (syntaxes.length === 0) {
    context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
  } else {
    context.setResult(PresentationContextResult.Accept, syntaxes[0]);
  }
}

export function acceptedSyntax(context: PresentationContextType): string {
  const uid = context.getAcceptedTransferSyntaxUid();
  if (!uid) throw new Error(`presentation context ${context.getPresentationContextId()} has no accepted transfer syntax`);
  return uid;
}

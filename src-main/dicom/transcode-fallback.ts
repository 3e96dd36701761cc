/**
 * Which presentation contexts a sender proposes for a file, and which one it sends on, when its
 * destination allows transcoding (issue 11): the file's own syntax first, then Explicit VR Little
 * Endian, then Implicit VR Little Endian, each in its own context. Separate contexts, not one list:
 * a peer picks one syntax from a list, maybe not the file's own; with one context per syntax it
 * answers each, and the file's own is used whenever it is accepted, so no byte changes unless the
 * peer leaves no other way.
 */
import { canTranscode } from '../transcode/transcode-syntaxes.ts';
import type { AcceptedContext, ProposedContext, ScuAssociation } from './scu-association.ts';
import { TransferSyntax } from './transfer-syntax.ts';

export const FALLBACK_SYNTAXES: readonly string[] = [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian];

/** The syntaxes a file in `ownSyntax` may go out in, in order of preference, its own first. */
export function sendableSyntaxes(ownSyntax: string, allowTranscoding: boolean): string[] {
  if (!allowTranscoding) return [ownSyntax];
  return [ownSyntax, ...FALLBACK_SYNTAXES.filter((to) => to !== ownSyntax && canTranscode(ownSyntax, to))];
}

/** One context per (SOP class, syntax) a file may go out in. */
export function proposalsFor(sopClassUid: string, ownSyntax: string, allowTranscoding: boolean): ProposedContext[] {
  return sendableSyntaxes(ownSyntax, allowTranscoding).map((syntax) => ({ abstractSyntaxUid: sopClassUid, transferSyntaxUids: [syntax] }));
}

/** The accepted fallback context to convert a file to, when its own syntax was refused; undefined if none. */
export function fallbackContext(association: ScuAssociation, sopClassUid: string, ownSyntax: string): AcceptedContext | undefined {
  if (!association.allowTranscoding) return undefined;
  for (const syntax of sendableSyntaxes(ownSyntax, true).slice(1)) {
    const context = association.acceptedContext(sopClassUid, syntax);
    if (context) return context;
  }
  return undefined;
}

/**
 * What PS3.8 requires of an A-ASSOCIATE-RQ before anyone negotiates on it, and the answer the
 * standard gives for each violation: an A-ASSOCIATE-RJ for a protocol version or application
 * context we do not speak, an A-ABORT for a PDU whose presentation contexts break the PDU rules
 * (PS3.8 §9.3.2.2: one or more contexts, odd IDs 1-255, each ID once, hence at most 128).
 */
import type { AbortInfo, AssociateRj, AssociateRq } from './pdu-codec.ts';
import { AbortReason, AbortSource, DICOM_APPLICATION_CONTEXT, RejectReason, RejectResult, RejectSource } from './pdu-constants.ts';

export type RequestVerdict =
  { kind: 'valid' } | { kind: 'reject'; rj: AssociateRj; message: string } | { kind: 'abort'; abort: AbortInfo; message: string };

const MAX_CONTEXTS = 128;

export function checkAssociateRq(rq: AssociateRq): RequestVerdict {
  if ((rq.protocolVersion & 1) === 0) {
    return reject(
      RejectSource.ServiceProviderAcse,
      RejectReason.ProtocolVersionNotSupported,
      `protocol version 0x${rq.protocolVersion.toString(16)} does not include version 1`,
    );
  }
  if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT) {
    return reject(
      RejectSource.ServiceUser,
      RejectReason.ApplicationContextNotSupported,
      `application context ${JSON.stringify(rq.applicationContext)} is not the DICOM one (${DICOM_APPLICATION_CONTEXT})`,
    );
  }
  if (rq.contexts.length === 0) return abort('no presentation context proposed');
  if (rq.contexts.length > MAX_CONTEXTS) return abort(`${rq.contexts.length} presentation contexts proposed (at most ${MAX_CONTEXTS})`);
  const seen = new Set<number>();
  for (const { id } of rq.contexts) {
    if (id % 2 === 0) return abort(`presentation context ID ${id} is even (IDs are odd, 1-255)`);
    if (seen.has(id)) return abort(`presentation context ID ${id} is proposed twice`);
    seen.add(id);
  }
  return { kind: 'valid' };
}

function reject(source: number, reason: number, message: string): RequestVerdict {
  return { kind: 'reject', rj: { result: RejectResult.Permanent, source, reason }, message };
}

function abort(message: string): RequestVerdict {
  return { kind: 'abort', abort: { source: AbortSource.ServiceProvider, reason: AbortReason.InvalidPduParameterValue }, message };
}

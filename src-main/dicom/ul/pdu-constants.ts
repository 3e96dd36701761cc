/** DICOM Upper Layer numbers (PS3.8 §9.3): PDU and item types, and the codes of RJ and A-ABORT. */

export const PduType = {
  AssociateRq: 0x01,
  AssociateAc: 0x02,
  AssociateRj: 0x03,
  PData: 0x04,
  ReleaseRq: 0x05,
  ReleaseRp: 0x06,
  Abort: 0x07,
} as const;

export const ItemType = {
  ApplicationContext: 0x10,
  PresentationContextRq: 0x20,
  PresentationContextAc: 0x21,
  AbstractSyntax: 0x30,
  TransferSyntax: 0x40,
  UserInformation: 0x50,
  MaxLength: 0x51,
  ImplementationClassUid: 0x52,
  ImplementationVersionName: 0x55,
} as const;

/** The only application context name DICOM defines (PS3.7 Annex A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

export const RejectResult = { Permanent: 1, Transient: 2 } as const;
export const RejectSource = { ServiceUser: 1, ServiceProviderAcse: 2, ServiceProviderPresentation: 3 } as const;
/** Reason codes; their meaning depends on the source (PS3.8 Table 9-21). */
export const RejectReason = {
  NoReasonGiven: 1,
  ApplicationContextNotSupported: 2,
  CallingAeNotRecognized: 3,
  CalledAeNotRecognized: 7,
  /** Source service-provider (ACSE). */
  ProtocolVersionNotSupported: 2,
  /** Source service-provider (presentation). */
  TemporaryCongestion: 1,
  LocalLimitExceeded: 2,
} as const;

export const AbortSource = { ServiceUser: 0, ServiceProvider: 2 } as const;
export const AbortReason = {
  NotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  UnrecognizedPduParameter: 4,
  UnexpectedPduParameter: 5,
  InvalidPduParameterValue: 6,
} as const;

export const ContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const;

/** Largest PDU a peer may announce as "no limit" (0) for what we send; also our own sending ceiling. */
export const MAX_SEND_PDU = 4 * 1024 * 1024;

export function describeReject(result: number, source: number, reason: number): string {
  const kind = result === RejectResult.Permanent ? 'permanent' : result === RejectResult.Transient ? 'transient' : `result ${result}`;
  const reasons: Record<number, string> =
    source === RejectSource.ServiceUser
      ? {
          1: 'no reason given',
          2: 'application context not supported',
          3: 'calling AE title not recognized',
          7: 'called AE title not recognized',
        }
      : source === RejectSource.ServiceProviderAcse
        ? { 1: 'no reason given', 2: 'protocol version not supported' }
        : { 1: 'temporary congestion', 2: 'local limit exceeded' };
  return `${kind}, ${reasons[reason] ?? `reason ${reason}`}`;
}

export function describeAbort(source: number, reason: number): string {
  if (source !== AbortSource.ServiceProvider) return source === AbortSource.ServiceUser ? 'by the service user' : `source ${source}`;
  const reasons: Record<number, string> = {
    0: 'reason not specified',
    1: 'unrecognized PDU',
    2: 'unexpected PDU',
    4: 'unrecognized PDU parameter',
    5: 'unexpected PDU parameter',
    6: 'invalid PDU parameter value',
  };
  return `by the service provider: ${reasons[reason] ?? `reason ${reason}`}`;
}

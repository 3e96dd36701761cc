/** Payloads shaped like the engine's, for component tests. */
import { instanceFocus } from '../../../src-renderer/src/lib/instance-focus.svelte.ts';
import type { GatewayStatus, Settings, StudySummary } from '../../../src-main/api/contract.ts';
import type { Destination } from '../../../src-main/api/types/routing.ts';
import { destination as engineDestination } from '../../helpers/destination-fixtures.ts';
import type { InstanceFailed, InstanceReceived } from '../../../src-main/api/types/events.ts';

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE = '1.2.840.10008.5.1.4.1.1.4';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';

/** A gateway listening as GATEWAY on 127.0.0.1:11112. */
export function gatewayStatus(fields: Partial<GatewayStatus> = {}): GatewayStatus {
  return {
    aeTitle: 'GATEWAY',
    host: '127.0.0.1',
    port: 11112,
    storage: '/data',
    version: '0.1.0',
    listening: true,
    listenError: null,
    storeReadOnly: null,
    ...fields,
  };
}

export function study(uid: string, fields: Partial<StudySummary> = {}): StudySummary {
  return {
    studyInstanceUid: uid,
    patientName: 'DOE^JANE',
    patientId: 'P-1',
    studyDate: '20240131',
    studyDescription: 'CT Chest',
    modalities: 'CT',
    seriesCount: 1,
    instanceCount: 10,
    bytes: 5_000_000,
    lastReceivedAt: '2024-01-31T10:00:00.000Z',
    ...fields,
  };
}

let sopCounter = 0;

export function received(fields: Partial<InstanceReceived> = {}): InstanceReceived {
  sopCounter++;
  return {
    associationId: 1,
    callingAe: 'MODALITY',
    sopClassUid: CT_IMAGE,
    sopInstanceUid: `1.2.3.4.${sopCounter}`,
    transferSyntaxUid: EXPLICIT_LE,
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.1',
    bytes: 524_288,
    datasetSha256: 'ab'.repeat(32),
    path: `studies/1.2.3/1.2.3.1/1.2.3.4.${sopCounter}.dcm`,
    version: 1,
    time: new Date().toISOString(),
    ...fields,
  };
}

export function failed(fields: Partial<InstanceFailed> = {}): InstanceFailed {
  sopCounter++;
  return {
    associationId: 1,
    callingAe: 'MODALITY',
    sopClassUid: MR_IMAGE,
    sopInstanceUid: `1.2.3.9.${sopCounter}`,
    transferSyntaxUid: IMPLICIT_LE,
    status: 0xa700,
    statusHex: '0xA700',
    reason: 'Out of resources: the disk is full',
    time: new Date().toISOString(),
    ...fields,
  };
}

/** The gateway's settings as Settings shows them; every value from the default unless `sources` says otherwise. */
export function settings(fields: Partial<Omit<Settings, 'sources'>> = {}, sources: Partial<Settings['sources']> = {}): Settings {
  return {
    aeTitle: 'GATEWAY',
    port: 11112,
    storage: '/data',
    acceptUnknownSopClasses: true,
    allowedCallingAes: [],
    maxAssociations: 32,
    maxPduLength: 65536,
    ...fields,
    sources: {
      aeTitle: { kind: 'default' },
      port: { kind: 'default' },
      acceptUnknownSopClasses: { kind: 'default' },
      allowedCallingAes: { kind: 'default' },
      maxAssociations: { kind: 'default' },
      maxPduLength: { kind: 'default' },
      ...sources,
    },
  };
}

/** A destination as the Destinations view lists it: a PACS on the hospital network. */
export function destination(name: string, fields: Partial<Destination> = {}): Destination {
  return engineDestination(name, { host: '10.0.0.5', maxAssociations: 2, ...fields });
}

/** No instance open in the Instance view (it is shared by all views), as at start. */
export function forgetFocusedInstance(): void {
  // Through a function, so the type checker does not keep `current` narrowed to undefined in the test.
  instanceFocus.current = undefined;
}

/**
 * A destination as the index keeps it, the target the forward queue makes of one, and a job handed
 * to it: on this machine, with ordinary limits. Tests override only what they are about.
 */
import type { ForwardTarget, SendJob } from '../../src-main/routing/forward-messages.ts';
import type { Destination } from '../../src-main/api/types/routing.ts';

export function destination(name: string, overrides: Partial<Destination> = {}): Destination {
  return {
    name,
    aeTitle: name.toUpperCase(),
    host: '127.0.0.1',
    port: 104,
    callingAe: undefined,
    maxPduLength: 65536,
    connectTimeoutMs: 5000,
    dimseTimeoutMs: 30_000,
    maxAssociations: 1,
    enabled: true,
    allowTranscoding: false,
    ...overrides,
  };
}

export function forwardTarget(overrides: Partial<ForwardTarget> = {}): ForwardTarget {
  return {
    name: 'pacs',
    peer: { aeTitle: 'PACS', host: '127.0.0.1', port: 104 },
    callingAe: 'GATEWAY',
    maxPduLength: 65536,
    connectTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    maxAssociations: 1,
    lingerMs: 2000,
    ...overrides,
  };
}

/** A CT instance in explicit VR little endian whose dataset is bytes 200..1000 of its file. */
export function sendJob(jobId: number, overrides: Partial<SendJob> = {}): SendJob {
  return {
    jobId,
    file: `/store/${jobId}.dcm`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    sopInstanceUid: `1.2.3.${jobId}`,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    datasetOffset: 200,
    datasetLength: 800,
    ...overrides,
  };
}

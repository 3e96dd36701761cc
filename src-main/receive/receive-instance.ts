/**
 * Receiving one instance, start to finish; the one place to read to follow an arriving C-STORE:
 *
 *   validate  the UIDs the command carries (they become file names)        -> 0xC000 if unsafe
 *   write     the dataset, slice by slice as the PDVs arrive, to a temp file -> 0xA700 if the disk fails
 *   durable   one synchronized write of the instance's receive-journal record (InstanceStore.commit)
 *   index     the index fields read from the dataset                        -> 0xC000 if unreadable
 *   answer    success only now; a failure carries its status and reason
 *   file      after the answer, in the background: the file placed in the store, index rows and
 *             routing jobs in group commits (the store's applier); events follow once indexed
 *
 * If the association ends before the last fragment, the temp file and its descriptor are dropped.
 */
import { Status, describeStatus, statusHex } from '../dicom/dimse-status.ts';
import type { FlowControl, IncomingInstance, InstanceReceiver, InstanceSink, StoreAnswer } from '../dicom/scp-connection.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';
import { uidProblem } from '../dicom/uid.ts';
import type { GatewayEventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import type { IncomingInstanceWriter } from '../store/incoming-instance-writer.ts';
import { StoreWriteError } from '../store/incoming-instance-writer.ts';
import { UnreadableInstanceError, type InstanceStore, type StoredInstance } from '../store/instance-store.ts';
import { ReceiveFailure } from './receive-failure.ts';

export interface ReceiveServices {
  store: InstanceStore;
  events: GatewayEventBus;
  logger: Logger;
}

export class ReceiveInstance implements InstanceReceiver {
  private readonly services: ReceiveServices;

  constructor(services: ReceiveServices) {
    this.services = services;
  }

  begin(instance: IncomingInstance, flow: FlowControl): InstanceSink {
    try {
      validate(instance);
    } catch (err) {
      return this.refused(instance, ReceiveFailure.from(err));
    }
    const writer = this.services.store.beginIncoming(instance.meta, flow);
    return {
      write: (slice) => writer.write(slice),
      end: () => this.finish(instance, writer),
      abort: (reason) => {
        writer.abort();
        this.services.logger.warn('instance.interrupted', {
          association: instance.associationId,
          sopInstanceUid: instance.meta.sopInstanceUid,
          reason,
        });
      },
    };
  }

  settled(): Promise<void> {
    return this.services.store.indexed();
  }

  private async finish(instance: IncomingInstance, writer: IncomingInstanceWriter): Promise<StoreAnswer> {
    writer.end();
    try {
      const stored = await this.makeDurable(instance, writer);
      this.reportStored(instance, stored);
      return { status: Status.Success, bytes: stored.written.datasetLength };
    } catch (err) {
      return this.failed(instance, ReceiveFailure.from(err));
    }
  }

  /** Written, fsynced, indexed, routed and in place, or a ReceiveFailure with the status to answer. */
  private async makeDurable(instance: IncomingInstance, writer: IncomingInstanceWriter): Promise<StoredInstance> {
    const { association } = instance;
    try {
      return await this.services.store.commit(writer, instance.meta, {
        associationId: instance.associationId,
        callingAe: association.callingAe,
        calledAe: association.calledAe,
        peer: association.peer,
      });
    } catch (err) {
      if (err instanceof StoreWriteError) throw new ReceiveFailure(Status.OutOfResources, err.message);
      if (err instanceof UnreadableInstanceError) throw new ReceiveFailure(Status.CannotUnderstand, err.message);
      throw err;
    }
  }

  /** The bytes of a refused instance are read and dropped, so the association can go on. */
  private refused(instance: IncomingInstance, failure: ReceiveFailure): InstanceSink {
    return { write() {}, end: async () => this.failed(instance, failure), abort() {} };
  }

  private reportStored(instance: IncomingInstance, stored: StoredInstance): void {
    const { meta, associationId, association } = instance;
    // Only these few values wait for the index: `stored` holds the dataset's bytes, and a closure
    // over it would keep every acknowledged dataset in memory until its instance is indexed.
    const { kind, path, version, indexed } = stored;
    const event = {
      associationId: associationId ?? 0,
      callingAe: association.callingAe,
      ...meta,
      studyInstanceUid: stored.fields.studyInstanceUid,
      seriesInstanceUid: stored.fields.seriesInstanceUid,
      bytes: stored.written.datasetLength,
      datasetSha256: stored.written.datasetSha256,
      path,
      version,
      time: new Date().toISOString(),
    };
    // Told once indexed (just after the answer): what the UI then reads from the index has it.
    void indexed.then(() => {
      this.services.logger.info(kind === 'stored' ? 'instance.stored' : 'instance.duplicate', {
        association: associationId,
        callingAe: association.callingAe,
        sopInstanceUid: meta.sopInstanceUid,
        transferSyntax: meta.transferSyntaxUid,
        bytes: event.bytes,
        path,
        version,
      });
      this.services.events.emit(kind === 'stored' ? 'instance-stored' : 'instance-duplicate', event);
    });
  }

  private failed(instance: IncomingInstance, failure: ReceiveFailure): StoreAnswer {
    const { meta, associationId, association } = instance;
    this.services.logger.error('instance.failed', {
      association: associationId,
      callingAe: association.callingAe,
      sopInstanceUid: meta.sopInstanceUid,
      transferSyntax: describeTransferSyntax(meta.transferSyntaxUid),
      status: statusHex(failure.status),
      meaning: describeStatus(failure.status),
      reason: failure.message,
    });
    this.services.events.emit('instance-failed', {
      associationId: associationId ?? 0,
      callingAe: association.callingAe,
      ...meta,
      status: failure.status,
      statusHex: statusHex(failure.status),
      reason: failure.message,
      time: new Date().toISOString(),
    });
    return { status: failure.status, comment: failure.message };
  }
}

/** The command's UIDs become folder and file names: nothing unsafe gets that far. */
function validate({ meta }: IncomingInstance): void {
  const instanceProblem = uidProblem(meta.sopInstanceUid);
  if (instanceProblem)
    throw new ReceiveFailure(
      Status.CannotUnderstand,
      `Affected SOP Instance UID ${JSON.stringify(meta.sopInstanceUid)} ${instanceProblem}`,
    );
  const classProblem = uidProblem(meta.sopClassUid);
  if (classProblem)
    throw new ReceiveFailure(Status.CannotUnderstand, `Affected SOP Class UID ${JSON.stringify(meta.sopClassUid)} ${classProblem}`);
}

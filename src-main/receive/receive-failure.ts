/**
 * A C-STORE that cannot succeed, with the DIMSE status that says why (as dcm4che's
 * DicomServiceException): each step of receiving an instance throws one, and the answer to the
 * sender is built from it.
 */
import { Status } from '../dicom/dimse-status.ts';

export class ReceiveFailure extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ReceiveFailure';
    this.status = status;
  }

  /** Anything else thrown while receiving is a processing failure, with its message. */
  static from(err: unknown): ReceiveFailure {
    if (err instanceof ReceiveFailure) return err;
    return new ReceiveFailure(Status.ProcessingFailure, (err as Error)?.message ?? String(err));
  }
}

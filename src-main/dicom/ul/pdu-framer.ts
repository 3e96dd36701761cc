/**
 * Cuts the bytes of a connection into PDUs with the owner's limits. P-DATA-TF PDUs are never assembled:
 * each PDV value is handed on as views (subarray) of the chunks the socket delivered, so a
 * dataset passes through without a copy and at most one chunk is held. Other PDUs (association,
 * release, abort) are small and handed on whole, and only if the owner accepts their header: a
 * length beyond its limit stops the framer before a byte of the body is buffered.
 */
import { PduType } from './pdu-constants.ts';

export interface FramerEvents {
  /** The first byte of a PDU arrived (the PDU timer starts). */
  pduStarted(): void;
  /**
   * A PDU header is complete: false stops the framer here, before a byte of the body is buffered.
   * `header` is its 6 bytes as they came, valid during the call only.
   */
  pduHeader(type: number, length: number, header: Buffer): boolean;
  /** A complete PDU other than P-DATA-TF; `body` excludes the 6-byte header. */
  pdu(type: number, body: Buffer): void;
  /** A PDV of a P-DATA-TF begins. */
  pdvStarted(contextId: number, control: number, valueLength: number): void;
  /** Part of the current PDV's value: a view of the socket's chunk, valid until the call returns unless kept. */
  pdvData(slice: Buffer): void;
  pdvEnded(): void;
  /** The last PDV of a P-DATA-TF ended with the PDU (the PDU timer stops). */
  pdataEnded(): void;
  /** The PDV items do not add up to the PDU: a PDV shorter than its own header or beyond the PDU. */
  malformed(message: string): void;
}

const State = { PduHeader: 0, Body: 1, PdvHeader: 2, PdvValue: 3 } as const;
type State = (typeof State)[keyof typeof State];

const PDU_HEADER = 6;
const PDV_HEADER = 6;

export class PduFramer {
  private readonly events: FramerEvents;
  private state: State = State.PduHeader;
  private readonly header = Buffer.alloc(PDU_HEADER);
  private readonly pdvHeader = Buffer.alloc(PDV_HEADER);
  private filled = 0;
  private type = 0;
  private body: Buffer | undefined;
  private pduRemaining = 0;
  private pdvRemaining = 0;
  private stopped = false;

  constructor(events: FramerEvents) {
    this.events = events;
  }

  /** No more events after this, whatever arrives (the connection is being aborted). */
  stop(): void {
    this.stopped = true;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.stopped) {
      switch (this.state) {
        case State.PduHeader:
          offset = this.readPduHeader(chunk, offset);
          break;
        case State.Body:
          offset = this.readBody(chunk, offset);
          break;
        case State.PdvHeader:
          offset = this.readPdvHeader(chunk, offset);
          break;
        case State.PdvValue:
          offset = this.readPdvValue(chunk, offset);
          break;
      }
    }
  }

  private readPduHeader(chunk: Buffer, offset: number): number {
    if (this.filled === 0) this.events.pduStarted();
    const n = Math.min(PDU_HEADER - this.filled, chunk.length - offset);
    chunk.copy(this.header, this.filled, offset, offset + n);
    this.filled += n;
    if (this.filled < PDU_HEADER) return offset + n;
    this.filled = 0;
    this.type = this.header[0]!;
    const length = this.header.readUInt32BE(2);
    if (!this.events.pduHeader(this.type, length, this.header)) {
      this.stopped = true;
      return chunk.length;
    }
    if (this.type === PduType.PData) {
      if (length === 0) return this.fail(chunk, 'P-DATA-TF without a PDV');
      this.pduRemaining = length;
      this.state = State.PdvHeader;
    } else {
      this.pduRemaining = length;
      this.body = undefined;
      this.state = State.Body;
      if (length === 0) this.endBody(Buffer.alloc(0));
    }
    return offset + n;
  }

  private readBody(chunk: Buffer, offset: number): number {
    const available = chunk.length - offset;
    if (!this.body && available >= this.pduRemaining) {
      // The whole PDU is in this chunk: hand on a view, no copy.
      const end = offset + this.pduRemaining;
      this.endBody(chunk.subarray(offset, end));
      return end;
    }
    this.body ??= Buffer.allocUnsafe(this.pduRemaining);
    const n = Math.min(available, this.body.length - this.filled);
    chunk.copy(this.body, this.filled, offset, offset + n);
    this.filled += n;
    if (this.filled === this.body.length) {
      const body = this.body;
      this.body = undefined;
      this.endBody(body);
    }
    return offset + n;
  }

  private endBody(body: Buffer): void {
    this.filled = 0;
    this.state = State.PduHeader;
    this.events.pdu(this.type, body);
  }

  private readPdvHeader(chunk: Buffer, offset: number): number {
    if (this.filled === 0 && this.pduRemaining < PDV_HEADER) {
      return this.fail(chunk, `P-DATA-TF has ${this.pduRemaining} bytes left, too few for a PDV header`);
    }
    const n = Math.min(PDV_HEADER - this.filled, chunk.length - offset);
    chunk.copy(this.pdvHeader, this.filled, offset, offset + n);
    this.filled += n;
    if (this.filled < PDV_HEADER) return offset + n;
    this.filled = 0;
    this.pduRemaining -= PDV_HEADER;
    const itemLength = this.pdvHeader.readUInt32BE(0);
    if (itemLength < 2) return this.fail(chunk, `PDV item length ${itemLength} is shorter than its context ID and header (2)`);
    const valueLength = itemLength - 2;
    if (valueLength > this.pduRemaining) {
      return this.fail(chunk, `PDV claims ${valueLength} bytes, the P-DATA-TF has ${this.pduRemaining} left`);
    }
    this.pdvRemaining = valueLength;
    this.state = State.PdvValue;
    this.events.pdvStarted(this.pdvHeader[4]!, this.pdvHeader[5]!, valueLength);
    if (valueLength === 0 && !this.stopped) this.endPdv();
    return offset + n;
  }

  private readPdvValue(chunk: Buffer, offset: number): number {
    const n = Math.min(this.pdvRemaining, chunk.length - offset);
    this.pdvRemaining -= n;
    this.pduRemaining -= n;
    this.events.pdvData(chunk.subarray(offset, offset + n));
    if (this.pdvRemaining === 0 && !this.stopped) this.endPdv();
    return offset + n;
  }

  private endPdv(): void {
    this.events.pdvEnded();
    if (this.stopped) return;
    if (this.pduRemaining === 0) this.endPdata();
    else this.state = State.PdvHeader;
  }

  private endPdata(): void {
    this.state = State.PduHeader;
    this.events.pdataEnded();
  }

  private fail(chunk: Buffer, message: string): number {
    this.stopped = true;
    this.events.malformed(message);
    return chunk.length;
  }
}

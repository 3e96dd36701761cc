import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UlConnection, UlEndedError, type AcceptorHandler, type ConnectionEnd } from '../../../../src-main/dicom/ul/ul-connection.ts';
import { associateRq, echoRq, parsePdus, pdata, pdv } from '../../../helpers/ul-wire.ts';
import { waitFor } from '../../../helpers/wait.ts';

const timeouts = { associateMs: 5000, idleMs: 5000, pduMs: 5000, closeMs: 500 };
let server: Server | undefined;
afterEach(() => server?.close());

/** A loopback pair: the gateway side (accepted) and the peer side. */
async function pair(): Promise<{ accepted: Socket; peer: Socket }> {
  let accepted!: Socket;
  server = createServer((s) => (accepted = s));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const peer = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  await waitFor('accept', () => accepted !== undefined);
  return { accepted, peer };
}

function acceptor(overrides: Partial<AcceptorHandler> = {}) {
  const ends: ConnectionEnd[] = [];
  const data: Buffer[] = [];
  const handler: AcceptorHandler = {
    associate: (rq) => ({
      accept: {
        ...rq,
        maxPduLength: 16384,
        contexts: rq.contexts.map((c) => ({ id: c.id, result: 0, transferSyntaxUid: c.transferSyntaxUids[0]! })),
      },
    }),
    command: () => true,
    datasetData: (_id, slice) => data.push(Buffer.from(slice)),
    datasetEnded: () => undefined,
    ended: (end) => ends.push(end),
    ...overrides,
  };
  return { handler, ends, data };
}

function received(peer: Socket): () => Buffer {
  const chunks: Buffer[] = [];
  peer.on('data', (d) => chunks.push(d));
  peer.on('error', () => undefined);
  return () => Buffer.concat(chunks);
}

describe('UlConnection', () => {
  it('contains what a handler throws to its connection: A-ABORT to the peer, ended once, nothing escapes', async () => {
    const { accepted, peer } = await pair();
    const { handler, ends } = acceptor({
      command: () => {
        throw new Error('handler bug');
      },
    });
    UlConnection.accept(accepted, handler, timeouts, { maxPduLength: 16384 });
    const bytes = received(peer);
    peer.write(associateRq());
    await waitFor('AC', () => parsePdus(bytes()).length === 1);
    peer.write(pdata(pdv(1, 3, echoRq())));
    await waitFor('ended', () => ends.length === 1);
    expect(parsePdus(bytes()).map((p) => [p.type, p.body.toString('hex')])).toEqual([
      [2, expect.any(String)],
      [7, '00000200'],
    ]);
    expect(ends[0]).toMatchObject({ kind: 'aborted', message: 'internal error: handler bug' });
    peer.destroy();
  });

  it('holds dataset bytes in the socket while paused (back-pressure), and delivers them on resume', async () => {
    const { accepted, peer } = await pair();
    const { handler, data, ends } = acceptor();
    const connection = UlConnection.accept(accepted, handler, timeouts, { maxPduLength: 16384 });
    const bytes = received(peer);
    peer.write(associateRq());
    await waitFor('AC', () => parsePdus(bytes()).length === 1);
    peer.write(pdata(pdv(1, 3, echoRq())));
    peer.write(pdata(pdv(1, 0, Buffer.from('first'))));
    await waitFor('first fragment', () => data.length === 1);
    connection.pause();
    peer.write(pdata(pdv(1, 2, Buffer.from('second'))));
    await waitFor('the second fragment waiting in the socket', () => accepted.readableLength > 0);
    expect(data.map(String)).toEqual(['first']);
    expect(ends).toEqual([]);
    connection.resume();
    await waitFor('second fragment', () => data.length === 2);
    expect(data.map(String)).toEqual(['first', 'second']);
    peer.destroy();
  });

  it('rejects the negotiation of a requestor whose peer closes before answering', async () => {
    server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const socket = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
    const ends: ConnectionEnd[] = [];
    const { accepted } = UlConnection.request(
      socket,
      {
        protocolVersion: 1,
        calledAe: 'A',
        callingAe: 'B',
        applicationContext: '1.2.840.10008.3.1.1.1',
        maxPduLength: 16384,
        implementationClassUid: '1.2',
        implementationVersionName: '',
        hasUserInformation: true,
        contexts: [{ id: 1, abstractSyntaxUid: '1.2.840.10008.1.1', transferSyntaxUids: ['1.2.840.10008.1.2'] }],
      },
      { command: () => false, datasetData: () => undefined, datasetEnded: () => undefined, ended: (e) => ends.push(e) },
      timeouts,
      { maxPduLength: 16384 },
    );
    await expect(accepted).rejects.toBeInstanceOf(UlEndedError);
    expect(ends).toEqual([{ kind: 'closed', message: 'closed the connection' }]);
  });
});

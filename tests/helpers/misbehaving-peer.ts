/**
 * A DICOM peer that behaves until a step of the association, then closes, resets, aborts or falls
 * silent: what a crashed, overloaded or half-configured node does to an SCU. Not evidence of
 * interoperability (real peers are DCMTK's), only of how the gateway settles what it had in flight.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { acceptAll, parsePdus } from './ul-wire.ts';

/** After the TCP connect, after the whole A-ASSOCIATE-RQ, or after the first bytes past the association. */
export type PeerStep = 'connect' | 'associate-rq' | 'command';
export type PeerAct = 'close' | 'reset' | 'silent' | 'abort';

const PEER_STEPS: readonly PeerStep[] = ['connect', 'associate-rq', 'command'];
const PEER_ACTS: readonly PeerAct[] = ['close', 'reset', 'silent', 'abort'];
/** Every step with every act: the twelve ways a peer fails an association. */
export const PEER_FAILURES = PEER_STEPS.flatMap((step) => PEER_ACTS.map((act) => [step, act] as const));

export interface MisbehavingPeer {
  port: number;
  /** Ends every connection (a silent one too) and frees the port. */
  close(): Promise<void>;
}

/** A peer on a port the OS chose that behaves until `step`, then does `act`. */
export async function misbehavingPeer(step: PeerStep, act: PeerAct): Promise<MisbehavingPeer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const doIt = () => misbehave(socket, act);
    if (step === 'connect') return doIt();
    let buffered = Buffer.alloc(0);
    let associated = false;
    socket.on('data', (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      const pdus = parsePdus(buffered);
      if (!associated && pdus[0] && pdus[0].body.length === buffered.readUInt32BE(2)) {
        if (step === 'associate-rq') return doIt();
        associated = true;
        socket.write(acceptAll(pdus[0].body));
        buffered = Buffer.alloc(0);
      } else if (associated && buffered.length > 0) doIt();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: portOf(server), close: () => closeAll(server, sockets) };
}

function misbehave(socket: Socket, act: PeerAct): void {
  if (act === 'close') socket.end();
  else if (act === 'reset') socket.resetAndDestroy();
  else if (act === 'abort') socket.end(Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
  // 'silent': nothing, ever; only the SCU's own timer ends the wait.
}

function portOf(server: Server): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the misbehaving peer has no port');
  return address.port;
}

function closeAll(server: Server, sockets: Set<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  return closed;
}

import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CEchoRequest, CEchoResponse, Network, type NetworkInternals } from '../../../src-main/dicom/dimse-library.ts';
import { withNetworkFixes } from '../../../src-main/dicom/network-fixes.ts';
import { writeCommandPdu } from '../../../src-main/dicom/pdata-writer.ts';
import { Association } from '../../../src-main/dicom/dimse-library.ts';
import { waitFor } from '../../helpers/wait.ts';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';

/** A real TCP pair: the network under test on one end, raw PDUs written from the other. */
async function socketPair(): Promise<{ local: Socket; remote: Socket; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const local = connect({ port, host: '127.0.0.1' });
  const remote = await accepted;
  return { local, remote, close: () => (local.destroy(), remote.destroy(), server.close()) };
}

function networkWithAcceptedEcho(NetworkClass: new (s: Socket, o?: Record<string, unknown>) => NetworkInternals, socket: Socket) {
  const network = new NetworkClass(socket, {});
  const association = new Association('SCU', 'SCP');
  const pcId = association.addPresentationContext(VERIFICATION);
  association.addTransferSyntaxToPresentationContext(pcId, IMPLICIT_LE);
  association.getPresentationContext(pcId).setResult(0, IMPLICIT_LE);
  network.association = association;
  return { network, pcId };
}

/** C-ECHO-RSP command bytes answering message `id`. */
function echoResponseCommand(id: number): Buffer {
  const request = new CEchoRequest();
  request.setMessageId(id);
  const response = CEchoResponse.fromRequest(request);
  response.setStatus(0);
  return response.getCommandDataset().getDenaturalizedCommandDataset();
}

describe('network fixes for dcmjs-dimse 0.3.3', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  for (const [label, fixed] of [['library Network', false], ['fixed Network', true]] as const) {
    it(`${fixed ? 'clears' : 'keeps (the fault)'} the command accumulator after a response without dataset: ${label}`, async () => {
      const pair = await socketPair();
      cleanup = pair.close;
      const NetworkClass = fixed ? withNetworkFixes(Network) : Network;
      const { network, pcId } = networkWithAcceptedEcho(NetworkClass, pair.local);
      const request = new CEchoRequest();
      request.setMessageId(1);
      network.pending.push(request as never);
      let responses = 0;
      request.on('response', () => responses++);
      writeCommandPdu(pair.remote, pcId, echoResponseCommand(1));
      await waitFor('the response to be processed', () => responses === 1);
      if (fixed) expect(network.dimseStream).toBeUndefined();
      else expect(network.dimseStream).toBeDefined();
    });

    it(`${fixed ? 'drops' : 'keeps (the fault)'} an answered request from the pending list: ${label}`, async () => {
      const pair = await socketPair();
      cleanup = pair.close;
      const NetworkClass = fixed ? withNetworkFixes(Network) : Network;
      const { network, pcId } = networkWithAcceptedEcho(NetworkClass, pair.local);
      const requests = [1, 2].map((id) => {
        const request = new CEchoRequest();
        request.setMessageId(id);
        return request;
      });
      network.pending.push(...(requests as never[]));
      let done = 0;
      requests[0]!.on('done', () => done++);
      writeCommandPdu(pair.remote, pcId, echoResponseCommand(1));
      await waitFor('request 1 to be answered', () => done === 1);
      const ids = network.pending.map((r) => r.getMessageId!());
      expect(ids).toEqual(fixed ? [2] : [1, 2]);
    });
  }
});

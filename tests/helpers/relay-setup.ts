/**
 * A gateway that relays: every instance it receives is forwarded to each of its destinations
 * (DCMTK peers on this machine). The set-up of the crash and forwarding tests.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStoreScp, type StoreScp } from './dcmtk.ts';

export interface RelayDestination {
  name: string;
  peer: { aeTitle: string; port: number };
  allowTranscoding?: boolean;
}

/** Writes gateway.json into `dir` (AE GATEWAY, one rule "everything" to all destinations) and returns its path. */
export async function writeRelayConfig(dir: string, destinations: RelayDestination[], queue: Record<string, number> = {}): Promise<string> {
  const path = join(dir, 'gateway.json');
  const config = {
    ae: 'GATEWAY',
    destinations: destinations.map(({ name, peer, allowTranscoding }) => ({
      name,
      ae: peer.aeTitle,
      host: '127.0.0.1',
      port: peer.port,
      ...(allowTranscoding === undefined ? {} : { allowTranscoding }),
    })),
    rules: [{ name: 'everything', match: {}, forward: destinations.map((d) => d.name) }],
    queue,
  };
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * A storescp +B in a new folder under `dir` that writes each delivery to a file of its own (+uf),
 * so an instance delivered twice (after a crash) is two files and can be counted.
 */
export async function startDeliveryCounter(dir: string): Promise<StoreScp> {
  return startStoreScp({ outputDir: await mkdtemp(join(dir, 'deliveries-')), extraArgs: ['+uf'] });
}

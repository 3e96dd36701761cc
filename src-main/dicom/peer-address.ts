/**
 * A DICOM node as the wire layer names it in errors and logs: AE@HOST:PORT. Parsing one a user typed
 * is the CLI's (cli/options.ts): it checks with the value schemas, which the forward worker, whose
 * wire layer imports this file, has no need to load.
 */
export interface PeerAddress {
  aeTitle: string;
  host: string;
  port: number;
}

export function formatPeer(peer: PeerAddress): string {
  return `${peer.aeTitle}@${peer.host}:${peer.port}`;
}

/** A DICOM node as users write it: AE@HOST:PORT. */
export interface PeerAddress {
  aeTitle: string;
  host: string;
  port: number;
}

export function parsePeerAddress(text: string): PeerAddress {
  const match = /^([^@]{1,16})@(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a DICOM node; expected AE@HOST:PORT, e.g. PACS@10.0.0.5:104`);
  const port = Number(match[3]);
  if (port < 1 || port > 65535) throw new Error(`"${text}": port ${port} is out of range 1-65535`);
  return { aeTitle: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port };
}

export function formatPeer(peer: PeerAddress): string {
  return `${peer.aeTitle}@${peer.host}:${peer.port}`;
}

/** A DICOM node as users write it: AE@HOST:PORT. */
import { aeTitle, port, valueProblem } from '../api/schemas/values.ts';

export interface PeerAddress {
  aeTitle: string;
  host: string;
  port: number;
}

export function parsePeerAddress(text: string): PeerAddress {
  const match = /^([^@]+)@(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a DICOM node; expected AE@HOST:PORT, e.g. PACS@10.0.0.5:104`);
  // The AE title and port are refused in the words the config file and the API use for them.
  const problem = valueProblem(aeTitle, match[1]) ?? valueProblem(port, Number(match[3]));
  if (problem) throw new Error(`"${text}": ${problem}`);
  return { aeTitle: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), port: Number(match[3]) };
}

export function formatPeer(peer: PeerAddress): string {
  return `${peer.aeTitle}@${peer.host}:${peer.port}`;
}

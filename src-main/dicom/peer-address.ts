/**
 * A DICOM node as the wire layer names it in errors and logs: AE@HOST:PORT. Parsing one a user typed
 * is the CLI's (cli/options.ts), with the value rules and the words a config file is refused in.
 */
export interface PeerAddress {
  aeTitle: string;
  host: string;
  port: number;
}

export function formatPeer(peer: PeerAddress): string {
  return `${peer.aeTitle}@${formatHostPort(peer.host, peer.port)}`;
}

/**
 * HOST:PORT as URLs and the CLI's AE@HOST:PORT write it: an IPv6 address in brackets ("[::1]:104"),
 * so that its colons are not read as the port's.
 */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * An accepted connection's peer as the records keep it, "ADDRESS:PORT" (IPv6 unbracketed: rules
 * match on this text). A listener on "::", the default, sees IPv4 senders as IPv4-mapped IPv6
 * ("::ffff:10.0.0.7"): they are recorded by their IPv4 address, as people know them.
 */
export function socketPeer(address: string | undefined, port: number | undefined): string {
  const ipv4 = address === undefined ? undefined : mappedIpv4(address);
  return `${ipv4 ?? address}:${port}`;
}

/**
 * A recorded peer ("ADDRESS:PORT", as socketPeer keeps it) as people read an address: an IPv6
 * address in brackets ("::1:5000" -> "[::1]:5000"), where its last colon would otherwise read as
 * part of it. Only for showing: the record stays as rules match it.
 */
export function displayedSocketPeer(peer: string): string {
  const at = peer.lastIndexOf(':');
  const host = peer.slice(0, at);
  return at > 0 && host.includes(':') ? formatHostPort(host, Number(peer.slice(at + 1))) : peer;
}

/** The IPv4 address inside an IPv4-mapped IPv6 one ("::ffff:10.0.0.7" -> "10.0.0.7"), else undefined. */
export function mappedIpv4(host: string): string | undefined {
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(host)?.[1];
}

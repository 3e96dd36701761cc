/** What a C-ECHO to a node found, as the CLI prints it and the renderer shows it. */
export interface EchoResult {
  ok: boolean;
  peer: string;
  status: number | null;
  statusHex: string | null;
  meaning: string;
  error: string | undefined;
  /** Connect + associate + C-ECHO + release, in milliseconds. */
  roundTripMs: number;
}

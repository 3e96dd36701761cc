/**
 * A destination as the API takes it (the contract's `Destination`: timeouts in milliseconds,
 * engine field names), built from the same value schemas as the config file's destinations.
 */
import { z } from 'zod';
import { must } from './value-messages.ts';
import { aeTitle, flag, host, maxAssociations, maxPdu, name, port, text, wholeNumber } from './values.ts';

/** Node's timers hold at most 2^31-1 ms (see MAX_SECONDS). */
const milliseconds = wholeNumber(1, 2 ** 31 - 1, 'a number of milliseconds');

const PATH = 'the path of a PEM file';
const pemPath = z.string(must(PATH, 'text')).refine((s) => s.trim() !== '' && s.length <= 4096, must(PATH));

/** TLS towards one destination. The passphrase never crosses to the renderer, and one left out is kept (gateway-api.ts). */
const destinationTls = z.strictObject(
  {
    /** CA bundle the destination's certificate must chain to; the system's CAs when absent. */
    ca: pemPath.optional(),
    /** Our client certificate and key, for destinations that require one (DCMTK's default). */
    cert: pemPath.optional(),
    key: pemPath.optional(),
    passphrase: text.optional(),
    /** Verify the destination's certificate and host name (off only for testing). */
    verifyServer: flag,
  },
  must('a mapping of ca, cert, key, passphrase, verifyServer'),
);

export const savedDestinationSchema = z.strictObject(
  {
    name,
    aeTitle,
    host,
    port,
    /** Our AE title on associations to this node; defaults to the gateway's own. */
    callingAe: aeTitle.optional(),
    maxPduLength: maxPdu,
    connectTimeoutMs: milliseconds,
    /** How long the peer may stay silent during an association (association and DIMSE). */
    dimseTimeoutMs: milliseconds,
    maxAssociations,
    enabled: flag,
    /** Off by default: without it, a syntax the peer refuses is a permanent failure for that instance. */
    allowTranscoding: flag,
    /** DICOM TLS to this node; absent: plain TCP. */
    tls: destinationTls.optional(),
  },
  must('a destination (name, aeTitle, host, port, …)'),
);

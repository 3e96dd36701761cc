import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexRepository } from '../../../src-main/db/index-repository.ts';
import { openDatabase, type Database } from '../../../src-main/db/database.ts';
import { GatewayEventBus } from '../../../src-main/events.ts';
import { InboundAssociations } from '../../../src-main/receive/inbound-associations.ts';
import { recordingLogger, type LoggedLine } from '../../helpers/recording-logger.ts';

const IPV6_PEER = { callingAe: 'MODALITY', calledAe: 'GATEWAY', peer: 'fe80::3:4000', openedAt: '2026-12-02T10:00:00.000Z' };

let db: Database;
let lines: LoggedLine[];
let events: GatewayEventBus;
let associations: InboundAssociations;

beforeEach(() => {
  db = openDatabase(':memory:');
  lines = [];
  events = new GatewayEventBus();
  associations = new InboundAssociations({ repo: new IndexRepository(db), events, logger: recordingLogger(lines) });
});

afterEach(() => db.close());

describe('InboundAssociations', () => {
  it('logs an IPv6 peer in brackets, so its port is not read as part of its address', () => {
    associations.opened(IPV6_PEER);
    associations.rejected(IPV6_PEER, 'calling AE title not allowed');
    associations.tlsRefused('fe80::3:4000', 'no certificate');
    associations.endedUnassociated('fe80::3:4000', { kind: 'error', message: 'not a DICOM PDU' });
    expect(lines.map((l) => [l.event, l.fields?.peer])).toEqual([
      ['association.opened', '[fe80::3]:4000'],
      ['association.rejected', '[fe80::3]:4000'],
      ['association.tls-refused', '[fe80::3]:4000'],
      ['association.not-requested', '[fe80::3]:4000'],
    ]);
  });

  it('keeps the peer as recorded in the index row and the event (rules match on that text)', () => {
    const seen: string[] = [];
    events.on('association-opened', (e) => seen.push(e.peer));
    const id = associations.opened(IPV6_PEER);
    expect(seen).toEqual(['fe80::3:4000']);
    expect(db.prepare('SELECT peer FROM associations WHERE id = ?').get(id)).toEqual({ peer: 'fe80::3:4000' });
  });

  it('logs an IPv4 peer as it is', () => {
    associations.opened({ ...IPV6_PEER, peer: '10.0.0.7:4000' });
    expect(lines[0]?.fields?.peer).toBe('10.0.0.7:4000');
  });
});

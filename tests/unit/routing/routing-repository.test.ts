/**
 * Destinations and rules as the index keeps them: what the config seeds, what the API adds, and
 * when each destination was last changed (by the injected clock).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src-main/db/database.ts';
import { RoutingRepository } from '../../../src-main/routing/routing-repository.ts';
import type { Rule } from '../../../src-main/api/types/routing.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { destination } from '../../helpers/destination-fixtures.ts';

const rule = (name: string): Rule => ({ name, enabled: true, match: {}, forward: ['pacs'], studyQuietSeconds: undefined });

describe('RoutingRepository', () => {
  let db: Database;
  let clock: ManualClock;
  let routing: RoutingRepository;

  beforeEach(() => {
    db = openDatabase(':memory:');
    clock = new ManualClock();
    routing = new RoutingRepository(db, clock);
  });

  const updatedAt = (name: string) =>
    (db.prepare('SELECT updated_at FROM destinations WHERE name = ?').get(name) as { updated_at: string }).updated_at;

  it('gives back a saved destination as it was saved, TLS settings included', () => {
    const tls = { ca: '/ca.pem', cert: undefined, key: undefined, passphrase: undefined, verifyServer: true };
    const saved = [destination('pacs', { callingAe: 'ME', tls }), destination('archive', { enabled: false, allowTranscoding: true })];
    saved.forEach((d) => routing.saveDestination(d));
    expect(routing.destinations()).toEqual([saved[1], { ...saved[0], tls: { ca: '/ca.pem', verifyServer: true } }]);
  });

  it('stamps a destination with the clock’s time each time it is saved', () => {
    routing.saveDestination(destination('pacs'));
    expect(updatedAt('pacs')).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(61_000);
    routing.saveDestination(destination('pacs', { port: 11112 }));
    expect(updatedAt('pacs')).toBe('2026-01-01T00:01:01.000Z');
    expect(routing.destinations().map((d) => d.port)).toEqual([11112]);
  });

  it('deletes a destination by name and says whether there was one', () => {
    routing.saveDestination(destination('pacs'));
    expect(routing.deleteDestination('pacs')).toBe(true);
    expect(routing.deleteDestination('pacs')).toBe(false);
    expect(routing.destinations()).toEqual([]);
  });

  it('seeds the config’s rules first, in its order, and keeps rules the API added after them', () => {
    routing.saveRules([rule('api-added'), rule('b')]);
    routing.seedFromConfig([destination('pacs')], [rule('b'), rule('a')]);
    expect(routing.rules().map((r) => r.name)).toEqual(['b', 'a', 'api-added']);
    expect(routing.destinations().map((d) => d.name)).toEqual(['pacs']);
  });
});

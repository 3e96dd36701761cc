/**
 * Destinations and rules as the index keeps them. The config file seeds them at start (upsert by
 * name, never deleting what the API added); the API edits them at run time.
 */
import type { StatementSync } from 'node:sqlite';
import { transaction, type Database } from '../db/database.ts';
import type { Destination, DestinationTls, Rule } from '../api/types/routing.ts';
import { systemClock, type Clock } from './clock.ts';

interface DestinationRow {
  name: string;
  ae_title: string;
  host: string;
  port: number;
  calling_ae: string | null;
  max_pdu_length: number;
  connect_timeout_ms: number;
  dimse_timeout_ms: number;
  max_associations: number;
  enabled: number;
  allow_transcoding: number;
  tls: string | null;
}

export class RoutingRepository {
  private readonly db: Database;
  private readonly s: Record<string, StatementSync>;
  private readonly clock: Clock;

  constructor(db: Database, clock: Clock = systemClock) {
    this.db = db;
    this.clock = clock;
    this.s = {
      upsertDestination: db.prepare(
        `INSERT INTO destinations (name, ae_title, host, port, calling_ae, max_pdu_length, connect_timeout_ms, dimse_timeout_ms,
           max_associations, enabled, allow_transcoding, tls, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET ae_title = excluded.ae_title, host = excluded.host, port = excluded.port,
           calling_ae = excluded.calling_ae, max_pdu_length = excluded.max_pdu_length,
           connect_timeout_ms = excluded.connect_timeout_ms, dimse_timeout_ms = excluded.dimse_timeout_ms,
           max_associations = excluded.max_associations, enabled = excluded.enabled,
           allow_transcoding = excluded.allow_transcoding, tls = excluded.tls, updated_at = excluded.updated_at`,
      ),
      destinations: db.prepare(`SELECT * FROM destinations ORDER BY name`),
      deleteDestination: db.prepare(`DELETE FROM destinations WHERE name = ?`),
      rules: db.prepare(`SELECT definition FROM rules ORDER BY position, name`),
      clearRules: db.prepare(`DELETE FROM rules`),
      insertRule: db.prepare(`INSERT INTO rules (name, position, definition) VALUES (?, ?, ?)`),
    };
  }

  saveDestination(d: Destination): void {
    this.s.upsertDestination!.run(
      d.name,
      d.aeTitle,
      d.host,
      d.port,
      d.callingAe ?? null,
      d.maxPduLength,
      d.connectTimeoutMs,
      d.dimseTimeoutMs,
      d.maxAssociations,
      d.enabled ? 1 : 0,
      d.allowTranscoding ? 1 : 0,
      d.tls ? JSON.stringify(d.tls) : null,
      new Date(this.clock.now()).toISOString(),
    );
  }

  destinations(): Destination[] {
    return (this.s.destinations!.all() as unknown as DestinationRow[]).map((r) => ({
      name: r.name,
      aeTitle: r.ae_title,
      host: r.host,
      port: r.port,
      callingAe: r.calling_ae ?? undefined,
      maxPduLength: r.max_pdu_length,
      connectTimeoutMs: r.connect_timeout_ms,
      dimseTimeoutMs: r.dimse_timeout_ms,
      maxAssociations: r.max_associations,
      enabled: r.enabled === 1,
      allowTranscoding: r.allow_transcoding === 1,
      tls: r.tls === null ? undefined : (JSON.parse(r.tls) as DestinationTls),
    }));
  }

  deleteDestination(name: string): boolean {
    return this.s.deleteDestination!.run(name).changes > 0;
  }

  rules(): Rule[] {
    return (this.s.rules!.all() as { definition: string }[]).map((r) => JSON.parse(r.definition) as Rule);
  }

  /** Replaces the whole ordered rule list. */
  saveRules(rules: Rule[]): void {
    transaction(this.db, () => {
      this.s.clearRules!.run();
      rules.forEach((rule, position) => this.s.insertRule!.run(rule.name, position, JSON.stringify(rule)));
    });
  }

  /** Config first, in its order; rules added through the API that the config does not name keep their order after. */
  seedFromConfig(destinations: Destination[], rules: Rule[]): void {
    transaction(this.db, () => destinations.forEach((d) => this.saveDestination(d)));
    const configured = new Set(rules.map((r) => r.name));
    this.saveRules([...rules, ...this.rules().filter((r) => !configured.has(r.name))]);
  }
}

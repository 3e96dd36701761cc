/** Settings changed in the UI's Settings view, kept in the index so they survive a restart. */
import { EDITABLE_SETTINGS, type EditableSettings } from '../api/types/settings.ts';
import type { Database } from './database.ts';
import type { ListenerTls } from '../tls/tls-settings.ts';

export function storedSettings(db: Database): Partial<EditableSettings> {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const settings: Record<string, unknown> = {};
  for (const { key, value } of rows) if ((EDITABLE_SETTINGS as readonly string[]).includes(key)) settings[key] = JSON.parse(value);
  return settings as Partial<EditableSettings>;
}

export function saveStoredSettings(db: Database, changes: Partial<EditableSettings>): void {
  const upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  for (const key of EDITABLE_SETTINGS) if (changes[key] !== undefined) upsert.run(key, JSON.stringify(changes[key]));
}

const TLS_LISTENER_KEY = 'tlsListener';

/** The TLS listener saved in Settings: its settings, null when Settings turned it off, undefined when never saved. */
export function storedTlsListener(db: Database): ListenerTls | null | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(TLS_LISTENER_KEY) as { value: string } | undefined;
  return row === undefined ? undefined : (JSON.parse(row.value) as ListenerTls | null);
}

export function saveStoredTlsListener(db: Database, tls: ListenerTls | null): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    TLS_LISTENER_KEY,
    JSON.stringify(tls),
  );
}

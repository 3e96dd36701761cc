/** Settings the desktop app's user changed, kept in the index so they survive a restart. */
import type { Settings } from '../api/contract.ts';
import type { Database } from './database.ts';

type StoredSettings = Partial<Omit<Settings, 'storage'>>;
const KEYS: readonly (keyof StoredSettings)[] = ['aeTitle', 'port', 'acceptUnknownSopClasses', 'allowedCallingAes', 'maxAssociations', 'maxPduLength'];

export function storedSettings(db: Database): StoredSettings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const settings: Record<string, unknown> = {};
  for (const { key, value } of rows) if ((KEYS as readonly string[]).includes(key)) settings[key] = JSON.parse(value);
  return settings as StoredSettings;
}

export function saveStoredSettings(db: Database, changes: StoredSettings): void {
  const upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  for (const key of KEYS) if (changes[key] !== undefined) upsert.run(key, JSON.stringify(changes[key]));
}

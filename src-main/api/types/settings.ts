/** The gateway's own settings as the Settings view shows and edits them, with where each comes from. */

export const EDITABLE_SETTINGS = [
  'aeTitle',
  'port',
  'acceptUnknownSopClasses',
  'allowedCallingAes',
  'maxAssociations',
  'maxPduLength',
] as const;

export type SettingKey = (typeof EDITABLE_SETTINGS)[number];
export type SettingSource =
  { kind: 'flag'; flag: string } | { kind: 'config-file'; file: string; key: string } | { kind: 'saved' } | { kind: 'default' };

export interface Settings {
  aeTitle: string;
  port: number;
  storage: string;
  acceptUnknownSopClasses: boolean;
  allowedCallingAes: string[];
  maxAssociations: number;
  maxPduLength: number;
  /**
   * Where each value comes from: a flag or the config file fix it for this run (Settings cannot
   * change it); otherwise it is what Settings saved, or the default.
   */
  sources: Record<SettingKey, SettingSource>;
}

export type EditableSettings = Pick<Settings, SettingKey>;

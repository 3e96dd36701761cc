/**
 * Where each of the gateway's own settings comes from. Strongest first: a command-line flag, the
 * config file, what was saved in the UI's Settings, the built-in default. Flags and the config
 * file are what an administrator keeps under change control, so they win every start; Settings
 * fills in what they leave open, and cannot change what they fix (it would be lost at the next
 * start). Destinations and rules follow the same order: the config file's ones are re-applied at
 * every start.
 */
import type { SettingKey, SettingSource } from '../api/types/settings.ts';
import { GatewayError } from '../gateway-error.ts';

/** The DICOM TLS listener is one setting (port, certificate, key, CA, client certificates go together). */
export type FixedKey = SettingKey | 'tls';

/** Settings a flag or the config file fixed for this run, with where from. */
export type FixedSettings = Partial<Record<FixedKey, SettingSource>>;

export const SETTING_FLAGS: Record<SettingKey, string> = {
  aeTitle: '--ae',
  port: '--port',
  acceptUnknownSopClasses: '--accept-unknown-sop-classes',
  allowedCallingAes: '--allow-calling-ae',
  maxAssociations: '--max-associations',
  maxPduLength: '--max-pdu',
};

export const SETTING_CONFIG_KEYS: Record<SettingKey, string> = {
  aeTitle: 'ae',
  port: 'port',
  acceptUnknownSopClasses: 'acceptUnknownSopClasses',
  allowedCallingAes: 'allowCallingAes',
  maxAssociations: 'maxAssociations',
  maxPduLength: 'maxPdu',
};

export const SETTING_LABELS: Record<FixedKey, string> = {
  tls: 'The DICOM TLS listener',
  aeTitle: 'The AE title',
  port: 'The port',
  acceptUnknownSopClasses: 'Accepting unknown SOP classes',
  allowedCallingAes: 'The list of allowed calling AE titles',
  maxAssociations: 'The maximum number of associations',
  maxPduLength: 'The maximum PDU length',
};

/** Settings was asked to change a value a flag or the config file fixed. */
export class FixedSettingError extends GatewayError {
  constructor(key: FixedKey, source: SettingSource) {
    const words = `${SETTING_LABELS[key]} is set by ${describeSource(source)}: change it there. A change here would be lost at the next start.`;
    super(words, words);
    this.name = 'FixedSettingError';
  }
}

/** The words a person reads for a source ("the --ae flag", "ae in gateway.yaml"). */
export function describeSource(source: SettingSource): string {
  switch (source.kind) {
    case 'flag':
      return `the ${source.flag} flag on the command line`;
    case 'config-file':
      return `"${source.key}" in the config file ${source.file}`;
    case 'saved':
      return 'Settings (saved in the index)';
    case 'default':
      return 'the built-in default';
  }
}

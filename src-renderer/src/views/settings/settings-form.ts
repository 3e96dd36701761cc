/**
 * The gateway settings as the form holds them, their validation, and the change set to save:
 * only the fields the user changed travel, so a save never re-applies (or restarts) anything
 * that was not touched.
 */
import { listenPort, maxAssociations, maxPdu, type EditableSettings, type Settings } from '../../../../src-main/api/contract.ts';
import { isFixed } from './setting-source-words.ts';
import { aeTitleProblem, numberProblem } from '../destinations/destination-form.ts';

export interface SettingsDraft {
  aeTitle: string;
  port: string;
  acceptUnknownSopClasses: boolean;
  /** AE titles separated by commas or new lines; empty: any calling AE may connect. */
  allowedCallingAes: string;
  maxAssociations: string;
  maxPduLength: string;
}

export type SettingsField = keyof SettingsDraft;
export type SettingsErrors = Partial<Record<SettingsField, string>>;
export type SettingsChanges = Partial<EditableSettings>;

export function settingsDraftOf(settings: Settings): SettingsDraft {
  return {
    aeTitle: settings.aeTitle,
    port: String(settings.port),
    acceptUnknownSopClasses: settings.acceptUnknownSopClasses,
    allowedCallingAes: settings.allowedCallingAes.join(', '),
    maxAssociations: String(settings.maxAssociations),
    maxPduLength: String(settings.maxPduLength),
  };
}

export function allowListOf(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((ae) => ae.trim())
    .filter((ae) => ae !== '');
}

export function validateSettings(draft: SettingsDraft): SettingsErrors {
  const errors: SettingsErrors = {};
  const ae = aeTitleProblem(draft.aeTitle);
  if (ae) errors.aeTitle = ae;
  const portProblem = numberProblem(listenPort, draft.port);
  if (portProblem) errors.port = portProblem;
  const bad = allowListOf(draft.allowedCallingAes)
    .map((title) => ({ title, problem: aeTitleProblem(title) }))
    .find((entry) => entry.problem);
  if (bad) errors.allowedCallingAes = `"${bad.title}": ${bad.problem}`;
  const associations = numberProblem(maxAssociations, draft.maxAssociations);
  if (associations) errors.maxAssociations = associations;
  const pdu = numberProblem(maxPdu, draft.maxPduLength);
  if (pdu) errors.maxPduLength = pdu;
  return errors;
}

/**
 * The fields whose value differs from `saved`; call only once validateSettings found nothing.
 * A field a flag or the config file fixed never travels: the gateway would refuse it.
 */
export function changedSettings(saved: Settings, draft: SettingsDraft): SettingsChanges {
  const changes: SettingsChanges = {};
  const aeTitle = draft.aeTitle.trim();
  if (aeTitle !== saved.aeTitle) changes.aeTitle = aeTitle;
  const port = Number(draft.port.trim());
  if (port !== saved.port) changes.port = port;
  if (draft.acceptUnknownSopClasses !== saved.acceptUnknownSopClasses) changes.acceptUnknownSopClasses = draft.acceptUnknownSopClasses;
  const allowed = allowListOf(draft.allowedCallingAes);
  if (allowed.join('\\') !== saved.allowedCallingAes.join('\\')) changes.allowedCallingAes = allowed;
  const associations = Number(draft.maxAssociations.trim());
  if (associations !== saved.maxAssociations) changes.maxAssociations = associations;
  const pdu = Number(draft.maxPduLength.trim());
  if (pdu !== saved.maxPduLength) changes.maxPduLength = pdu;
  for (const key of Object.keys(changes) as (keyof SettingsChanges)[]) if (isFixed(saved.sources?.[key])) delete changes[key];
  return changes;
}

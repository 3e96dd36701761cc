/**
 * Where an instance lives in the store: studies/<Study UID>/<Series UID>/<SOP Instance UID>.dcm,
 * so a person can browse it study by study. Only validated UIDs become path parts.
 */
import { isValidUid } from '../dicom/uid.ts';

export const STUDIES_DIR = 'studies';
export const INCOMING_DIR = '.incoming';
export const JOURNAL_DIR = '.journal';
export const INDEX_FILE = 'index.sqlite';
const UNKNOWN_STUDY = 'unknown-study';
const UNKNOWN_SERIES = 'unknown-series';

/** Relative path of an instance version; `sopInstanceUid` must already be a valid UID. */
export function instancePath(
  ids: { studyInstanceUid?: string | undefined; seriesInstanceUid?: string | undefined; sopInstanceUid: string },
  version: number,
): string {
  if (!isValidUid(ids.sopInstanceUid)) throw new Error(`refusing to make a path from invalid UID ${JSON.stringify(ids.sopInstanceUid)}`);
  const study = isValidUid(ids.studyInstanceUid) ? ids.studyInstanceUid : UNKNOWN_STUDY;
  const series = isValidUid(ids.seriesInstanceUid) ? ids.seriesInstanceUid : UNKNOWN_SERIES;
  const name = version === 1 ? `${ids.sopInstanceUid}.dcm` : `${ids.sopInstanceUid}.v${version}.dcm`;
  return `${STUDIES_DIR}/${study}/${series}/${name}`;
}

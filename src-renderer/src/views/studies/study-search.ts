/** The search form's fields as typed, and the command arguments they make (empty fields left out). */
import type { StudySearch } from '../../../../src-main/api/contract.ts';

export interface StudySearchDraft {
  patient: string;
  dateFrom: string;
  dateTo: string;
  modality: string;
  accession: string;
  callingAe: string;
}

export function emptySearch(): StudySearchDraft {
  return { patient: '', dateFrom: '', dateTo: '', modality: '', accession: '', callingAe: '' };
}

export function searchArgs(draft: StudySearchDraft): StudySearch {
  const args: StudySearch = {};
  for (const key of Object.keys(draft) as (keyof StudySearchDraft)[]) {
    const value = draft[key].trim();
    if (value) args[key] = value;
  }
  return args;
}

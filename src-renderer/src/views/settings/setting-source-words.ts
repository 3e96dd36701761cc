/** Where a setting's value comes from, in the words Settings shows under the field. */
import type { SettingSource } from '../../../../src-main/api/contract.ts';

export function isFixed(source: SettingSource | undefined): boolean {
  return source?.kind === 'flag' || source?.kind === 'config-file';
}

export function sourceWords(source: SettingSource | undefined): string {
  switch (source?.kind) {
    case 'flag':
      return `Set by the ${source.flag} flag the gateway was started with: change it there. It cannot be changed here.`;
    case 'config-file':
      return `Set by "${source.key}" in ${source.file}: change it there. It cannot be changed here.`;
    case 'saved':
      return 'Saved here: used at every start.';
    default:
      return 'Default. A value saved here is used at every start.';
  }
}

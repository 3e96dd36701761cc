/**
 * The one place that loads dcmjs-dimse. The gateway's network paths no longer use it (see
 * docs/dcmjs-dimse-fixes.md): what remains is its table of storage SOP class names, shown to
 * people. Loading it costs ~250 ms and tens of MB, so only modules that show names import this.
 */
import dimse from 'dcmjs-dimse';

export const { constants } = dimse;

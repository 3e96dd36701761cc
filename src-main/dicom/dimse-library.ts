/**
 * The one place that loads dcmjs-dimse. The gateway's network paths no longer use it (see
 * docs/dcmjs-dimse-fixes.md): what remains is its table of storage SOP class names, shown to
 * people. Loading it costs ~250 ms and tens of MB, so it is loaded on first use, not at start.
 */
import { createRequire } from 'node:module';

interface DimseConstants {
  StorageClass: Record<string, string>;
}

let constants: DimseConstants | undefined;

export function dimseConstants(): DimseConstants {
  constants ??= (createRequire(import.meta.url)('dcmjs-dimse') as { constants: DimseConstants }).constants;
  return constants;
}

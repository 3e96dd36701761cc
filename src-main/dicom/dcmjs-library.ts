/**
 * The one place that loads dcmjs, and the typed shape of the parts the gateway uses (dcmjs ships
 * no type declarations): its element reader (index-fields.ts) and its copy of the PS3.6 data
 * dictionary (tag-keywords.ts, config/attribute-keys.ts). Loading it costs tens of MB, so it is
 * loaded on first use, not when a module that may need it is imported.
 */
import { createRequire } from 'node:module';

export interface DcmjsDictionaryEntry {
  /** "(0010,0020)"; repeating groups ("(60xx,3000)") are not in the name map. */
  tag: string;
  /** A VR, or dcmjs's shorthand for an ambiguous one: "xs" (US or SS), "ox" (OB or OW), "up", "lt", "na". */
  vr: string;
  name: string;
}

export interface DcmjsElement {
  vr?: string;
  Value?: unknown[];
  _rawValue?: unknown;
}

export interface DcmjsReadBufferStream {
  offset: number;
  decoder: unknown;
  setDecoder(decoder: unknown): void;
}

export interface DcmjsData {
  ReadBufferStream: new (buffer: ArrayBuffer) => DcmjsReadBufferStream;
  DicomMessage: {
    _read(
      stream: DcmjsReadBufferStream,
      syntax: string,
      options: { untilTag?: string | null; includeUntilTagValue?: boolean; ignoreErrors?: boolean },
    ): Record<string, DcmjsElement>;
  };
  DicomMetaDictionary: { nameMap: Record<string, DcmjsDictionaryEntry> };
}

let data: DcmjsData | undefined;

export function dcmjsData(): DcmjsData {
  data ??= (createRequire(import.meta.url)('dcmjs') as { data: DcmjsData }).data;
  return data;
}

/**
 * The few attributes the index needs (patient, study, series, instance), read from the head of a
 * dataset. Each field's value is read as dcmjs's element reader reads it (its text per VR, its
 * trimming, its character-set decoders): here directly from the bytes when the element has the
 * VR the standard gives it, through dcmjs's reader otherwise (a VR of UN or another one, an
 * undefined length). Reading stops at the first element past the last tag
 * the index needs, so pixel data (and whatever large elements sit before it) is never touched,
 * and a prefix of the dataset is enough. The dataset bytes are only read, never re-encoded.
 *
 * Callers may ask for extra top-level elements (the tags routing rules read, see
 * routing/rule-matcher.ts); reading then stops after the larger of Number of Frames and the last
 * extra tag. Extra tags must lie before pixel data: group 7FE0 and anything after it is refused.
 */
import { open } from 'node:fs/promises';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import { dcmjsData, type DcmjsElement, type DcmjsReadBufferStream } from './dcmjs-library.ts';
import {
  detectDatasetSyntax,
  InvalidVrError,
  readElementHeader,
  UNDEFINED_LENGTH,
  type ElementHeader,
  type HeaderSyntax,
} from './element-reader.ts';
import { formatTag, tagKey } from './tag-format.ts';
import { dictionaryVr } from './tag-keywords.ts';
import { describeTransferSyntax, encodingOf, TransferSyntax } from './transfer-syntax.ts';
import { trimUid } from './uid.ts';

export interface IndexFields {
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  sopClassUid?: string;
  accessionNumber?: string;
  studyDate?: string;
  studyTime?: string;
  studyDescription?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  modality?: string;
  instanceNumber?: number;
  numberOfFrames?: number;
  specificCharacterSet?: string;
  /**
   * The extra elements asked for, by 8-hex-digit tag ("00100020", upper-case hex), present only
   * when one of them is in the dataset. A value is the element's text as read: multiple values
   * joined by backslash, each without its trailing padding (spaces, NULs) and, for AE, CS, DS,
   * IS, LO and SH, without leading spaces; PN as written ("Alphabetic=Ideographic=Phonetic");
   * character-set-dependent VRs decoded with (0008,0005) as the other fields are. Binary numbers
   * (US, SS, UL, SL, SV, UV, FL, FD) are written in decimal, AT as 8 hex digits. Binary VRs (OB, OW,
   * OD, OF, OL, OV), sequences and undefined-length values are left out. UN (and, in implicit VR,
   * a tag the dictionary does not know, e.g. a private one) is read as Latin-1 text when its bytes
   * hold no control characters (else it is left out as binary). An element present with an empty
   * value gives ''.
   */
  extra?: Record<string, string>;
  /**
   * Present when the dataset's first element contradicts its declared transfer syntax (e.g. an
   * implicit VR dataset under JPEG Baseline, as pydicom's SC_rgb_jpeg.dcm): the fields were read in
   * the encoding the bytes show, and this says so ("encoding contradicts transfer syntax: ...").
   * The instance is stored byte-exact all the same, as DCMTK's `storescp +B` does.
   */
  encodingMismatch?: string;
}

/** `head` is a prefix of the dataset and a needed field may lie beyond it: read more and call again. */
export class IndexFieldsNeedMoreData extends Error {
  constructor(message = 'the index fields continue past the bytes read so far') {
    super(message);
    this.name = 'IndexFieldsNeedMoreData';
  }
}

/** The dataset cannot be read as DICOM in its transfer syntax; the message names the source and the reason. */
export class UnreadableDatasetError extends Error {
  readonly source: string;
  constructor(source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.name = 'UnreadableDatasetError';
    this.source = source;
  }
}

// --- what to read ------------------------------------------------------------------------------

type FieldName = keyof IndexFields;
type FieldKind = 'text' | 'uid' | 'name' | 'number' | 'charset';
/** A field the index keeps: where it goes, how it is shaped, and the VR PS3.6 gives its element. */
interface FieldSpec {
  name: FieldName;
  kind: FieldKind;
  vr: string;
}

const FIELDS = new Map<number, FieldSpec>([
  [0x00080005, { name: 'specificCharacterSet', kind: 'charset', vr: 'CS' }],
  [0x00080016, { name: 'sopClassUid', kind: 'uid', vr: 'UI' }],
  [0x00080018, { name: 'sopInstanceUid', kind: 'uid', vr: 'UI' }],
  [0x00080020, { name: 'studyDate', kind: 'text', vr: 'DA' }],
  [0x00080030, { name: 'studyTime', kind: 'text', vr: 'TM' }],
  [0x00080050, { name: 'accessionNumber', kind: 'text', vr: 'SH' }],
  [0x00080060, { name: 'modality', kind: 'text', vr: 'CS' }],
  [0x00081030, { name: 'studyDescription', kind: 'text', vr: 'LO' }],
  [0x0008103e, { name: 'seriesDescription', kind: 'text', vr: 'LO' }],
  [0x00100010, { name: 'patientName', kind: 'name', vr: 'PN' }],
  [0x00100020, { name: 'patientId', kind: 'text', vr: 'LO' }],
  [0x00100030, { name: 'patientBirthDate', kind: 'text', vr: 'DA' }],
  [0x00100040, { name: 'patientSex', kind: 'text', vr: 'CS' }],
  [0x0020000d, { name: 'studyInstanceUid', kind: 'uid', vr: 'UI' }],
  [0x0020000e, { name: 'seriesInstanceUid', kind: 'uid', vr: 'UI' }],
  [0x00200011, { name: 'seriesNumber', kind: 'number', vr: 'IS' }],
  [0x00200013, { name: 'instanceNumber', kind: 'number', vr: 'IS' }],
  [0x00280008, { name: 'numberOfFrames', kind: 'number', vr: 'IS' }],
]);
/** Reading stops at the first element whose tag is greater than this (Number of Frames), or than the last extra tag. */
const LAST_NEEDED_TAG = Math.max(...FIELDS.keys());
/** Extra tags may not reach pixel data: group 7FE0 (Float/Double Float/Pixel Data) and everything after it. */
const FIRST_UNREADABLE_EXTRA_TAG = 0x7fe00000;
const SPECIFIC_CHARACTER_SET = 0x00080005;

const FIRST_READ_BYTES = 64 * 1024;

// --- reading a dataset in memory ---------------------------------------------------------------

/**
 * Reads index fields from the first bytes of a dataset (the bytes after the meta group).
 * `complete` false means `head` is only a prefix: reading tolerates it ending anywhere after the
 * needed fields, and throws IndexFieldsNeedMoreData when one may lie beyond it.
 */
export function readIndexFieldsFromDataset(
  head: Buffer,
  transferSyntaxUid: string,
  complete: boolean,
  source = 'dataset',
  extraTags?: readonly number[],
): IndexFields {
  const extra = extraTagPlan(extraTags);
  const encoding = encodingOf(transferSyntaxUid);
  const syntaxName = describeTransferSyntax(transferSyntaxUid);
  const bytes = encoding.deflated ? inflate(head, complete, source, syntaxName) : head;
  if (complete && bytes.length === 0) throw new UnreadableDatasetError(source, 'the dataset is empty');
  // Read what can be read, as DCMTK and pydicom do: a dataset whose first element contradicts its
  // syntax is read in the encoding its bytes show, and the index records the contradiction.
  const detected = detectDatasetSyntax(bytes, encoding);
  const syntax = detected.syntax;
  const fields = readElements({
    bytes,
    dcmjsSyntax: dcmjsSyntaxOf(syntax),
    explicitVr: syntax.explicitVr,
    littleEndian: syntax.littleEndian,
    complete,
    source,
    syntaxName: detected.contradicts ? `${syntaxLabel(syntax)}, contradicting the declared ${syntaxName}` : syntaxName,
    lastTag: extra?.lastTag ?? LAST_NEEDED_TAG,
    extraTags: extra?.tags,
  });
  if (detected.contradicts)
    fields.encodingMismatch = `encoding contradicts transfer syntax: the dataset is ${syntaxLabel(syntax)}, the declared syntax is ${syntaxName}`;
  return fields;
}

/** dcmjs knows three syntaxes by UID; every encapsulated one reads as explicit VR little endian. */
function dcmjsSyntaxOf(syntax: HeaderSyntax): string {
  if (!syntax.explicitVr) return TransferSyntax.ImplicitVRLittleEndian;
  return syntax.littleEndian ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ExplicitVRBigEndian;
}

function syntaxLabel(syntax: HeaderSyntax): string {
  return `${syntax.explicitVr ? 'explicit' : 'implicit'} VR ${syntax.littleEndian ? 'little' : 'big'} endian`;
}

interface ExtraTagPlan {
  tags: ReadonlySet<number>;
  lastTag: number;
}
/** Callers pass the same compiled list (never changed afterwards) for every instance, so its plan is built once per list. */
const extraTagPlans = new WeakMap<readonly number[], ExtraTagPlan>();

function extraTagPlan(extraTags: readonly number[] | undefined): ExtraTagPlan | undefined {
  if (extraTags === undefined || extraTags.length === 0) return undefined;
  let plan = extraTagPlans.get(extraTags);
  if (plan) return plan;
  for (const tag of extraTags) {
    if (!Number.isInteger(tag) || tag < 0 || tag >= FIRST_UNREADABLE_EXTRA_TAG || tag >>> 16 === 0x0002 || tag >>> 16 === 0x0000) {
      throw new RangeError(
        `extra tag ${Number.isInteger(tag) && tag >= 0 ? formatTag(tag) : String(tag)} cannot be read at store time: only dataset elements before pixel data (7FE0,xxxx) can`,
      );
    }
  }
  plan = { tags: new Set(extraTags), lastTag: Math.max(LAST_NEEDED_TAG, ...extraTags) };
  extraTagPlans.set(extraTags, plan);
  return plan;
}

function inflate(compressed: Buffer, complete: boolean, source: string, syntaxName: string): Buffer {
  try {
    // Sync flush gives back everything decodable so far, so a prefix of the stream inflates too.
    return inflateRawSync(compressed, complete ? {} : { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (err) {
    throw new UnreadableDatasetError(source, `cannot inflate the ${syntaxName} dataset (${(err as Error).message})`);
  }
}

interface Walk {
  bytes: Buffer;
  dcmjsSyntax: string;
  explicitVr: boolean;
  littleEndian: boolean;
  complete: boolean;
  source: string;
  syntaxName: string;
  /** Reading stops at the first element past this tag. */
  lastTag: number;
  extraTags: ReadonlySet<number> | undefined;
}

function unreadable(walk: Walk, reason: string): UnreadableDatasetError {
  return new UnreadableDatasetError(walk.source, `${reason} (read as ${walk.syntaxName})`);
}

/** Running out of bytes: more may come when `head` is a prefix; otherwise the dataset is broken. */
function cutShort(walk: Walk, reason: string): Error {
  return walk.complete ? unreadable(walk, reason) : new IndexFieldsNeedMoreData(`${walk.source}: ${reason}`);
}

/** Where a walk is: its offset, the decoder later text follows, and dcmjs's stream once one is needed. */
interface Cursor {
  offset: number;
  /** The decoder dcmjs would hold at this point: its default, or the one (0008,0005) chose. */
  decoder: TextDecoding;
  /** Made on the first element only dcmjs's reader can read (see readOneElement). */
  stream: DcmjsReadBufferStream | undefined;
}

function readElements(walk: Walk): IndexFields {
  const { bytes } = walk;
  const fields: IndexFields = {};
  const cursor: Cursor = { offset: 0, decoder: DEFAULT_DECODER, stream: undefined };
  for (;;) {
    const offset = cursor.offset;
    if (offset >= bytes.length) {
      if (walk.complete) return fields;
      throw new IndexFieldsNeedMoreData(
        `${walk.source}: the ${bytes.length}-byte prefix ends before ${lastTagName(walk.lastTag)} was passed`,
      );
    }
    const header = elementHeader(walk, offset);
    const end = header.length === UNDEFINED_LENGTH ? undefined : offset + header.headerLength + header.length;
    if (header.tag > walk.lastTag) {
      // Not read, but a complete dataset shows whether this last header is honest.
      if (walk.complete && end !== undefined && end > bytes.length) throw unreadable(walk, overrun(header, offset, bytes.length));
      return fields;
    }
    if (end === undefined) {
      // An undefined length (a sequence, or encapsulated data): only dcmjs's reader finds its end.
      const field = FIELDS.get(header.tag);
      const element = readOneElement(walk, cursor, header.tag)[tagKey(header.tag)];
      if (field && element) setField(fields, field, element);
      continue;
    }
    if (end > bytes.length) throw cutShort(walk, overrun(header, offset, bytes.length));
    cursor.offset = end;
    readValue(walk, cursor, fields, header, bytes.subarray(offset + header.headerLength, end), offset);
  }
}

/** Takes what the index needs from one element of known length; `cursor` is already past it. */
function readValue(walk: Walk, cursor: Cursor, fields: IndexFields, header: ElementHeader, value: Buffer, offset: number): void {
  if (walk.extraTags?.has(header.tag)) {
    const text = extraText(walk, cursor.decoder, header, value);
    if (text !== undefined) (fields.extra ??= {})[tagKey(header.tag)] = text;
  }
  if (header.tag === SPECIFIC_CHARACTER_SET) {
    cursor.decoder = readCharacterSet(value, fields) ?? cursor.decoder;
    return;
  }
  const field = FIELDS.get(header.tag);
  if (!field) return;
  if (field.kind === 'uid') {
    // UIDs become folder names: take the bytes as they are. dcmjs drops every character that is
    // not a digit or a dot, which would turn "/1.2" into the valid-looking "1.2".
    const uid = trimUid(value.toString('latin1'));
    if (uid !== '') (fields as Record<string, unknown>)[field.name] = uid;
    return;
  }
  if (header.vr === field.vr) {
    const read = fieldValue(field.vr, value, cursor.decoder);
    if (read !== undefined) (fields as Record<string, unknown>)[field.name] = read;
    return;
  }
  // Written with another VR (UN, or a wrong one): dcmjs's reader decides how it reads.
  cursor.offset = offset;
  const element = readOneElement(walk, cursor, header.tag)[tagKey(header.tag)];
  if (element) setField(fields, field, element);
}

/**
 * A field's value from the bytes of an element with its standard VR, as dcmjs's reader (that
 * VR's readBytes and applyFormatting, then the split into values) followed by setField give it.
 * tests/unit/dicom/index-fields.test.ts compares the two over datasets full of padding, control
 * characters, separators and character sets.
 */
function fieldValue(vr: string, value: Buffer, decoder: TextDecoding): string | number | undefined {
  switch (vr) {
    case 'DA': // read as Latin-1, no formatting
      return nonEmpty(dropPadding(value.toString('latin1')));
    case 'TM': // Latin-1, trailing white space dropped
      return nonEmpty(dropPadding(value.toString('latin1').replace(/\s+$/, '')));
    case 'CS': // Latin-1, every value trimmed
      return nonEmpty(
        dropPadding(
          value
            .toString('latin1')
            .split('\\')
            .map((one) => one.trim())
            .join('\\'),
        ),
      );
    case 'SH':
    case 'LO': // decoded, the whole text trimmed
      return nonEmpty(dropPadding(decoder.decode(value).trim()));
    case 'PN':
      return personNameField(value.length === 0 ? '' : decoder.decode(value));
    case 'IS':
      return integerStringField(value.toString('latin1'));
    default:
      throw new Error(`no direct reading for VR ${vr}`);
  }
}

/** As dcmjs reads a PN: one trailing space dropped, split into values, empty values dropped; the first value's text before "=". */
function personNameField(text: string): string | undefined {
  const unpadded = text.length > 0 && !text.endsWith(' ') ? text : text.slice(0, -1);
  const first = unpadded.split('\\').find((one) => one !== '');
  const alphabetic = first?.split('=')[0];
  return alphabetic ? nonEmpty(dropPadding(alphabetic)) : undefined;
}

/** The first value, trimmed and stripped of what cannot be part of a number, as dcmjs's IS formatting does. */
function integerStringField(text: string): number | undefined {
  const cleaned = text
    .split('\\')[0]!
    .trim()
    .replace(/[^0-9.\\\-+e]/gi, '');
  if (cleaned === '') return undefined;
  const n = Number(cleaned);
  return Number.isFinite(n) ? n : undefined;
}

/** The trailing spaces and NULs the index never keeps. */
function dropPadding(text: string): string {
  return text.replace(/[\0 ]+$/, '');
}

function nonEmpty(text: string): string | undefined {
  return text === '' ? undefined : text;
}

/**
 * The header of the element at `offset` (see element-reader.ts), checked before dcmjs reads it:
 * dcmjs reads a value cut short by the end of the buffer without complaint, and garbage would
 * otherwise pass as an empty dataset by stopping the walk at once.
 */
function elementHeader(walk: Walk, offset: number): ElementHeader {
  let header: ElementHeader | undefined;
  try {
    header = readElementHeader(walk.bytes, offset, walk, dictionaryVr);
  } catch (err) {
    if (err instanceof InvalidVrError) throw unreadable(walk, `no valid element at byte ${offset}: ${err.message}`);
    throw err;
  }
  if (!header) throw cutShort(walk, `the dataset ends inside the element header at byte ${offset}`);
  if (header.tag >>> 16 === 0xfffe) throw unreadable(walk, `item tag ${formatTag(header.tag)} outside a sequence at byte ${offset}`);
  return header;
}

function overrun(header: ElementHeader, offset: number, available: number): string {
  return `element ${formatTag(header.tag)} at byte ${offset} claims ${header.length} bytes, more than the ${available - offset - header.headerLength} left`;
}

/**
 * dcmjs's reader for exactly one element, the one at `cursor` (`untilTag` is its tag, its value
 * included), from the decoder the cursor holds; the cursor is moved past it.
 */
function readOneElement(walk: Walk, cursor: Cursor, tag: number): Record<string, DcmjsElement> {
  const offset = cursor.offset;
  const stream = (cursor.stream ??= new (dcmjsData().ReadBufferStream)(ownArrayBuffer(walk.bytes)));
  stream.offset = offset;
  stream.setDecoder(cursor.decoder);
  let dict: Record<string, DcmjsElement>;
  try {
    dict = dcmjsData().DicomMessage._read(stream, walk.dcmjsSyntax, { untilTag: tagKey(tag), includeUntilTagValue: true });
  } catch (err) {
    // In a prefix the likeliest cause is the prefix ending inside a sequence; more bytes will tell.
    throw cutShort(walk, `cannot read element ${formatTag(tag)} at byte ${offset} (${(err as Error).message})`);
  }
  // Undefined-length sequences are not checked up front; running past the buffer shows here.
  if (stream.offset > walk.bytes.length) throw cutShort(walk, `element ${formatTag(tag)} at byte ${offset} runs past the end`);
  cursor.offset = stream.offset;
  return dict;
}

/**
 * Specific Character Set decides how later text decodes. dcmjs sets its decoder when it reads this
 * element but throws on multi-valued (ISO 2022) and unknown sets, and a receiver must not reject
 * an instance over how its names decode. So the CS value is taken from the bytes here, and the
 * decoder is the one dcmjs picks for its first term alone; undefined for a term dcmjs does not
 * know (the decoder in force stays).
 */
function readCharacterSet(value: Buffer, fields: IndexFields): TextDecoding | undefined {
  const terms = value
    .toString('latin1')
    .split('\\')
    .map((term) => term.replace(/[\0 ]+$/, '').replace(/^ +/, ''));
  if (terms.some((term) => term !== '')) fields.specificCharacterSet = terms.join('\\');
  return decoderFor(terms[0] ?? '');
}

/** The text decoder dcmjs uses for one character set term, or undefined when dcmjs does not know it. */
function decoderFor(term: string): TextDecoding | undefined {
  const cached = decoderCache.get(term);
  if (cached !== undefined || decoderCache.has(term)) return cached;
  const value = Buffer.from(term.length % 2 ? `${term} ` : term, 'latin1');
  const element = Buffer.alloc(8 + value.length);
  element.writeUInt16LE(0x0008, 0);
  element.writeUInt16LE(0x0005, 2);
  element.write('CS', 4, 'latin1');
  element.writeUInt16LE(value.length, 6);
  value.copy(element, 8);
  const probe = new (dcmjsData().ReadBufferStream)(ownArrayBuffer(element));
  let decoder: TextDecoding | undefined;
  try {
    dcmjsData().DicomMessage._read(probe, TransferSyntax.ExplicitVRLittleEndian, {});
    decoder = probe.decoder as TextDecoding;
  } catch {
    decoder = undefined;
  }
  decoderCache.set(term, decoder);
  return decoder;
}
const decoderCache = new Map<string, TextDecoding | undefined>();

/**
 * dcmjs's default decoder, made as dcmjs makes it for every stream: the label "latin1" names
 * windows-1252 in the Encoding Standard, so bytes 0x80-0x9F decode as that code page's letters.
 */
const DEFAULT_DECODER: TextDecoding = new TextDecoder('latin1');

/** A field from the element dcmjs read (see readOneElement). */
function setField(fields: IndexFields, field: FieldSpec, element: DcmjsElement): void {
  const { name, kind } = field;
  const first = element.Value?.[0];
  if (first === undefined || first === null) return;
  if (kind === 'number') {
    const n = typeof first === 'number' ? first : Number(String(first).trim());
    if (Number.isFinite(n)) (fields as Record<string, unknown>)[name] = n;
    return;
  }
  const text = kind === 'name' ? personNameText(first) : (element.Value ?? []).map((v) => String(v ?? '')).join('\\');
  const trimmed = dropPadding(text);
  if (trimmed !== '') (fields as Record<string, unknown>)[name] = trimmed;
}

/** dcmjs gives person names as {Alphabetic, Ideographic, Phonetic}; the index keeps the Alphabetic group. */
function personNameText(value: unknown): string {
  if (typeof value === 'string') return value.split('=')[0] ?? '';
  if (value && typeof value === 'object' && 'Alphabetic' in value) return String((value as { Alphabetic?: unknown }).Alphabetic ?? '');
  return '';
}

// --- extra elements, as text ------------------------------------------------------------------

/** Text VRs whose bytes follow Specific Character Set; the others are always in the default repertoire. */
const CHARSET_TEXT_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
/** Single-valued text: a backslash in them is part of the text, not a value separator. */
const SINGLE_VALUED_TEXT_VRS = new Set(['LT', 'ST', 'UR', 'UT']);
/** PS3.5 Table 6.2-1: leading spaces carry no meaning in these. */
const LEADING_SPACES_INSIGNIFICANT_VRS = new Set(['AE', 'CS', 'DS', 'IS', 'LO', 'SH']);
const SKIPPED_EXTRA_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ']);

interface TextDecoding {
  decode(input: Uint8Array): string;
}
type NumberReader = { size: number; read: (value: Buffer, at: number, littleEndian: boolean) => string };
const NUMBER_VRS = new Map<string, NumberReader>([
  ['US', { size: 2, read: (v, at, le) => String(le ? v.readUInt16LE(at) : v.readUInt16BE(at)) }],
  ['SS', { size: 2, read: (v, at, le) => String(le ? v.readInt16LE(at) : v.readInt16BE(at)) }],
  ['UL', { size: 4, read: (v, at, le) => String(le ? v.readUInt32LE(at) : v.readUInt32BE(at)) }],
  ['SL', { size: 4, read: (v, at, le) => String(le ? v.readInt32LE(at) : v.readInt32BE(at)) }],
  ['FL', { size: 4, read: (v, at, le) => String(le ? v.readFloatLE(at) : v.readFloatBE(at)) }],
  ['FD', { size: 8, read: (v, at, le) => String(le ? v.readDoubleLE(at) : v.readDoubleBE(at)) }],
  ['SV', { size: 8, read: (v, at, le) => String(le ? v.readBigInt64LE(at) : v.readBigInt64BE(at)) }],
  ['UV', { size: 8, read: (v, at, le) => String(le ? v.readBigUInt64LE(at) : v.readBigUInt64BE(at)) }],
  [
    'AT',
    {
      size: 4,
      read: (v, at, le) =>
        tagKey((((le ? v.readUInt16LE(at) : v.readUInt16BE(at)) << 16) | (le ? v.readUInt16LE(at + 2) : v.readUInt16BE(at + 2))) >>> 0),
    },
  ],
]);

/** An extra element's value as text (see IndexFields.extra), or undefined for the VRs that have none. */
function extraText(walk: Walk, decoder: TextDecoding, header: ElementHeader, value: Buffer): string | undefined {
  const vr = header.vr ?? dictionaryVr(header.tag);
  if (SKIPPED_EXTRA_VRS.has(vr)) return undefined;
  const numbers = NUMBER_VRS.get(vr);
  if (numbers) {
    const out: string[] = [];
    for (let at = 0; at + numbers.size <= value.length; at += numbers.size) out.push(numbers.read(value, at, walk.littleEndian));
    return out.join('\\');
  }
  if (vr === 'UN' && !looksLikeText(value)) return undefined;
  // The decoder is the one dcmjs chose from (0008,0005), as for the index's own text fields.
  const text = CHARSET_TEXT_VRS.has(vr) ? decoder.decode(value) : value.toString('latin1');
  const values = SINGLE_VALUED_TEXT_VRS.has(vr) ? [text] : text.split('\\');
  const leading = LEADING_SPACES_INSIGNIFICANT_VRS.has(vr);
  return values
    .map((one) => {
      const trimmed = one.replace(/[ \0]+$/, '');
      return leading ? trimmed.replace(/^ +/, '') : trimmed;
    })
    .join('\\');
}

/** UN carries no VR: its bytes count as text when no control character other than TAB, LF, FF, CR and ESC shows up before the padding. */
function looksLikeText(value: Buffer): boolean {
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x00 || value[end - 1] === 0x20)) end--;
  for (let i = 0; i < end; i++) {
    const byte = value[i]!;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return false;
  }
  return true;
}

// --- small byte helpers -------------------------------------------------------------------------

/** dcmjs takes a Buffer's whole backing ArrayBuffer (for small Buffers, Node's shared pool), so hand it one of its own. */
function ownArrayBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function lastTagName(tag: number): string {
  return tag === LAST_NEEDED_TAG ? 'Number of Frames (0028,0008)' : formatTag(tag);
}

// --- reading from a file -------------------------------------------------------------------------

/**
 * Reads the index fields of the P10 file at `path`, whose dataset starts at `datasetOffset`,
 * from a prefix that grows only while a needed field lies beyond it: a 1 GiB file costs a 64 KiB read.
 */
export async function readIndexFieldsFromFile(
  path: string,
  datasetOffset: number,
  transferSyntaxUid: string,
  extraTags?: readonly number[],
): Promise<IndexFields> {
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new UnreadableDatasetError(path, `cannot open (${err.code ?? err.message})`);
  });
  try {
    const { size } = await handle.stat();
    const available = size - datasetOffset;
    if (available < 0)
      throw new UnreadableDatasetError(path, `the dataset offset ${datasetOffset} is past the end of the ${size}-byte file`);
    let length = Math.min(available, FIRST_READ_BYTES);
    for (;;) {
      const head = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(head, 0, length, datasetOffset);
      const complete = length === available;
      if (bytesRead !== length)
        throw new UnreadableDatasetError(
          path,
          `read ${bytesRead} of ${length} bytes at offset ${datasetOffset} (the file changed while being read)`,
        );
      try {
        return readIndexFieldsFromDataset(head, transferSyntaxUid, complete, path, extraTags);
      } catch (err) {
        if (!(err instanceof IndexFieldsNeedMoreData) || complete) throw err;
        length = Math.min(available, length * 4);
      }
    }
  } finally {
    await handle.close();
  }
}

/** How numbers, times and DICOM values are written for people. Decimal units, like disks and networks. */
import { formatHostPort } from '../../../src-main/api/contract.ts';

const BYTE_UNITS = ['kB', 'MB', 'GB', 'TB'] as const;

/** 0 B, 999 B, 1.5 kB, 12.3 MB, 1.02 GB: three significant digits from kB up. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit: string = 'B';
  for (const next of BYTE_UNITS) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${threeDigits(value)} ${unit}`;
}

function threeDigits(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Bytes per second as MB/s with one decimal (the unit the rate plot uses). */
export function formatMegabytesPerSecond(bytesPerSecond: number): string {
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}

export function formatFilesPerSecond(filesPerSecond: number): string {
  return `${Number.isInteger(filesPerSecond) ? filesPerSecond : filesPerSecond.toFixed(1)} files/s`;
}

/** Local wall-clock time with seconds, e.g. 14:03:27; '–' for a missing or unreadable time. */
export function formatTime(iso: string | null | undefined): string {
  const date = parseTime(iso);
  if (!date) return '–';
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** Local date and time, e.g. 2024-01-31 14:03. */
export function formatDateTime(iso: string | null | undefined): string {
  const date = parseTime(iso);
  if (!date) return '–';
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
}

/** The time alone for a moment of today (14:03:07), else the date and time (2024-01-31 14:03): short in a column. */
export function formatWhen(iso: string | null | undefined, now = new Date()): string {
  const date = parseTime(iso);
  if (!date) return '–';
  return date.toDateString() === now.toDateString() ? formatTime(iso) : formatDateTime(iso);
}

function parseTime(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A DICOM DA value (YYYYMMDD) as 2024-01-31; anything else is shown as it came. */
export function formatDicomDate(da: string | null | undefined): string {
  if (!da) return '–';
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : da;
}

/** A DICOM PN value: "DOE^JOHN^^^" becomes "DOE, JOHN"; the alphabetic group only. */
export function formatPersonName(pn: string | null | undefined): string {
  if (!pn) return '–';
  const alphabetic = pn.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic.split('^').map((p) => p.trim());
  const rest = [prefix, given, middle, suffix].filter(Boolean).join(' ');
  const name = family && rest ? `${family}, ${rest}` : family || rest;
  return name || '–';
}

/** Milliseconds a person reads: 12 ms, 1.4 s. */
export function formatMilliseconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The last segment of a path, for lists where the folder is shown elsewhere. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** Everything before the last segment of a path ("" for a bare name), for lists that show it beside the name. */
export function folderOf(path: string): string {
  const at = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return at < 0 ? '' : path.slice(0, at);
}

/**
 * A path as the user knows it. A file uploaded from a browser lives at
 * <storage>/.uploads/upload-XXXX/<its path in the dropped folder>; the user knows only the last part.
 */
export function displayPath(path: string): string {
  const upload = /[\\/]\.uploads[\\/]upload-[^\\/]+[\\/](.+)$/.exec(path);
  return upload ? upload[1]! : path;
}

/** A short name for lists: an upload's path in its folder, or a local file's base name. */
export function shortName(path: string): string {
  const shown = displayPath(path);
  return shown === path ? baseName(path) : shown;
}

/** A count as every view shows one: 5,000, not 5000. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}

/** Where the gateway listens, in words (for a sentence; ListenAddress.svelte sets the address in its font). */
export function formatListenAddress(host: string | null, port: number): string {
  return listensOnAllInterfaces(host) ? `port ${port} (all interfaces)` : formatHostPort(host!, port);
}

/**
 * Whether a listener binds every network interface of this computer: an unspecified address ("::"
 * or "0.0.0.0", what a listener without a host binds; null or empty where none is set), which is
 * not an address to dial.
 */
export function listensOnAllInterfaces(host: string | null): boolean {
  return !host || host === '::' || host === '0.0.0.0';
}

import { describe, expect, test } from 'vitest';
import {
  baseName,
  folderOf,
  formatBytes,
  formatDicomDate,
  formatFilesPerSecond,
  formatListenAddress,
  formatMegabytesPerSecond,
  formatMilliseconds,
  formatPersonName,
  formatWhen,
} from '../../../../src-renderer/src/lib/format.ts';
import { sopClassName, transferSyntaxName } from '../../../../src-main/api/contract.ts';
import { toFailure } from '../../../../src-renderer/src/lib/failure.ts';

describe('formatting', () => {
  test('where the gateway listens: an unspecified address is every interface, an IPv6 one in brackets', () => {
    expect(formatListenAddress('::', 11112)).toBe('port 11112 (all interfaces)');
    expect(formatListenAddress('0.0.0.0', 11112)).toBe('port 11112 (all interfaces)');
    expect(formatListenAddress(null, 2762)).toBe('port 2762 (all interfaces)');
    expect(formatListenAddress('127.0.0.1', 11112)).toBe('127.0.0.1:11112');
    expect(formatListenAddress('fe80::1', 11112)).toBe('[fe80::1]:11112');
  });

  test('a moment of today by its time alone, of another day with its date (local time)', () => {
    const now = new Date(2026, 11, 2, 15, 0, 0);
    expect(formatWhen(new Date(2026, 11, 2, 9, 5, 7).toISOString(), now)).toBe('09:05:07');
    expect(formatWhen(new Date(2026, 11, 1, 23, 59, 0).toISOString(), now)).toBe('2026-12-01 23:59');
    expect(formatWhen(null, now)).toBe('–');
  });

  test('bytes in decimal units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.50 kB');
    expect(formatBytes(524_288)).toBe('524 kB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.50 GB');
    expect(formatBytes(-1)).toBe('–');
  });

  test('rates', () => {
    expect(formatMegabytesPerSecond(12_340_000)).toBe('12.3 MB/s');
    expect(formatFilesPerSecond(40)).toBe('40 files/s');
    expect(formatFilesPerSecond(2.5)).toBe('2.5 files/s');
  });

  test('DICOM dates and person names for people', () => {
    expect(formatDicomDate('20240131')).toBe('2024-01-31');
    expect(formatDicomDate('2024')).toBe('2024');
    expect(formatDicomDate(null)).toBe('–');
    expect(formatPersonName('DOE^JOHN^^^')).toBe('DOE, JOHN');
    expect(formatPersonName('DOE^JOHN^A^DR^')).toBe('DOE, DR JOHN A');
    expect(formatPersonName('ANONYMOUS')).toBe('ANONYMOUS');
    expect(formatPersonName('Yamada^Tarou=山田^太郎')).toBe('Yamada, Tarou');
    expect(formatPersonName('')).toBe('–');
  });

  test('durations and file names', () => {
    expect(formatMilliseconds(12.4)).toBe('12 ms');
    expect(formatMilliseconds(1420)).toBe('1.4 s');
    expect(baseName('/a/b/c.dcm')).toBe('c.dcm');
    expect(baseName('C:\\x\\y.dcm')).toBe('y.dcm');
    expect(folderOf('CD/DICOM/SERIES1/0001.dcm')).toBe('CD/DICOM/SERIES1');
    expect(folderOf('C:\\CD\\SERIES2\\0001.dcm')).toBe('C:\\CD\\SERIES2');
    expect(folderOf('0001.dcm')).toBe('');
  });

  test('UIDs get names where known, else stay UIDs', () => {
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.2')).toBe('CT Image Storage');
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.7')).toBe('Secondary Capture Image Storage');
    expect(sopClassName('1.2.3.4')).toBe('1.2.3.4');
    expect(transferSyntaxName('1.2.840.10008.1.2.4.50')).toBe('JPEG Baseline');
    expect(transferSyntaxName('1.2.3.4')).toBe('1.2.3.4');
  });
});

describe('toFailure', () => {
  test('keeps message and detail of a transport failure', () => {
    const error = Object.assign(new Error('The PACS did not answer.'), { detail: 'ECONNREFUSED 10.0.0.5:104' });
    expect(toFailure(error)).toEqual({ message: 'The PACS did not answer.', detail: 'ECONNREFUSED 10.0.0.5:104' });
    expect(toFailure({ message: 'm', detail: 'd' })).toEqual({ message: 'm', detail: 'd' });
  });

  test('an unexpected error keeps its message and puts the stack in the detail', () => {
    const failure = toFailure(new TypeError('x is undefined'));
    expect(failure.message).toBe('x is undefined');
    expect(failure.detail).toContain('TypeError');
    expect(toFailure(42)).toEqual({ message: 'Something went wrong.', detail: '42' });
  });
});

describe('names of uploaded and local files', () => {
  test('an upload is shown by its path in the dropped folder, a local file by its own path or base name', async () => {
    const { displayPath, shortName } = await import('../../../../src-renderer/src/lib/format.ts');
    const upload = '/srv/store/.uploads/upload-Ab12Cd/series1/IM0001';
    expect(displayPath(upload)).toBe('series1/IM0001');
    expect(shortName(upload)).toBe('series1/IM0001');
    expect(displayPath('/home/rad/study/IM0001')).toBe('/home/rad/study/IM0001');
    expect(shortName('/home/rad/study/IM0001')).toBe('IM0001');
    expect(shortName('C:\\Users\\rad\\.uploads\\upload-x\\a\\b.dcm')).toBe('a\\b.dcm');
  });
});

import { describe, expect, it } from 'vitest';
import { sanitizeUploadName } from '../../../src-main/api/upload-receiver.ts';

describe('sanitizeUploadName', () => {
  it.each([
    ['CT 001.dcm', 'CT 001.dcm'],
    ['study/series/IM0001', 'IM0001'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\rad\\IM0001.dcm', 'IM0001.dcm'],
    ['bad\x00name\x1f.dcm', 'badname.dcm'],
    ['folder/', 'upload.dcm'],
    ['..', 'upload.dcm'],
    ['.', 'upload.dcm'],
    ['   ', 'upload.dcm'],
    ['', 'upload.dcm'],
    [null, 'upload.dcm'],
    [undefined, 'upload.dcm'],
  ])('turns %j into %j', (name, expected) => {
    expect(sanitizeUploadName(name)).toBe(expected);
  });

  it('keeps the end of an overlong name (where the extension is), at most 200 characters', () => {
    const name = sanitizeUploadName(`${'a'.repeat(300)}.dcm`);
    expect(name).toHaveLength(200);
    expect(name.endsWith('.dcm')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { sanitizeUploadName } from '../../../src-main/api/upload-receiver.ts';

describe('sanitizeUploadName', () => {
  it.each([
    ['CT 001.dcm', 'CT 001.dcm'],
    ['study/series/IM0001', 'study/series/IM0001'],
    ['../../etc/passwd', 'etc/passwd'],
    ['a/../../b/./c.dcm', 'a/b/c.dcm'],
    ['/absolute/IM0001', 'absolute/IM0001'],
    ['C:\\Users\\rad\\IM0001.dcm', 'C_/Users/rad/IM0001.dcm'],
    ['1/2/3/4/5/6/7/8/9/10.dcm', '3/4/5/6/7/8/9/10.dcm'],
    ['bad\x00name\x1f.dcm', 'badname.dcm'],
    ['folder/', 'folder'],
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

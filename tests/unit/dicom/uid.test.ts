import { describe, expect, it } from 'vitest';
import { isValidUid, trimUid, uidProblem } from '../../../src-main/dicom/uid.ts';

const longest = `1.${'2'.repeat(62)}`; // 64 characters: the PS3.5 maximum
const tooLong = `1.${'2'.repeat(63)}`; // 65 characters

describe('uidProblem / isValidUid', () => {
  it('uses length cases of exactly 64 and 65 characters', () => {
    expect(longest).toHaveLength(64);
    expect(tooLong).toHaveLength(65);
  });

  const valid: string[] = [
    '1.2.840.10008.1.2.1',
    '1.2.840.10008.5.1.4.1.1.2',
    '2.25.302598485570690475450927131409596590711',
    '0',
    '1.0.2',
    '0.0',
    '1.2.3.4.5.6.7.8.9.10.100.1000',
    longest,
  ];
  for (const uid of valid) {
    it(`accepts ${JSON.stringify(uid)}`, () => {
      expect(uidProblem(uid)).toBeUndefined();
      expect(isValidUid(uid)).toBe(true);
    });
  }

  const invalid: Array<[string | undefined | null, RegExp]> = [
    ['', /^is empty$/],
    [undefined, /^is empty$/],
    [null, /^is empty$/],
    ['1.2/../../x', /characters other than digits and dots/],
    ['../../etc/passwd', /empty component|characters other than digits and dots/],
    ['/abs', /characters other than digits and dots/],
    ['/1.2.3', /characters other than digits and dots/],
    ['C:\\1.2.3', /characters other than digits and dots/],
    [tooLong, /^is 65 characters long \(at most 64\)$/],
    ['1.02', /leading zero \("02"\)/],
    ['01.2', /leading zero \("01"\)/],
    ['1.00', /leading zero \("00"\)/],
    ['1..2', /empty component/],
    ['1.2.', /empty component/],
    ['.1.2', /empty component/],
    ['.', /empty component/],
    ['1.2.3 ', /characters other than digits and dots/],
    ['1.2.3\0', /characters other than digits and dots/],
    [' 1.2.3', /characters other than digits and dots/],
    ['1.2.3\n', /characters other than digits and dots/],
    ['1.-2', /characters other than digits and dots/],
    ['1.2e3', /characters other than digits and dots/],
    ['１.２', /characters other than digits and dots/], // full-width digits
    ['1,2,3', /characters other than digits and dots/],
  ];
  for (const [uid, reason] of invalid) {
    it(`refuses ${JSON.stringify(uid)} saying why`, () => {
      expect(uidProblem(uid)).toMatch(reason);
      expect(isValidUid(uid)).toBe(false);
    });
  }

  it('gives the reason a component-by-component reading gives, for every string of a small alphabet', () => {
    // The PS3.5 rule read the plain way (split, then one pattern per component): the one-pass
    // scanner must agree with it on validity and on the first reason found.
    const reference = (uid: string): string | undefined => {
      if (uid.length === 0) return 'is empty';
      for (const component of uid.split('.')) {
        if (component.length === 0) return 'has an empty component';
        if (!/^(0|[1-9][0-9]*)$/.test(component)) {
          return /^[0-9]+$/.test(component)
            ? `has a component with a leading zero ("${component}")`
            : 'has characters other than digits and dots';
        }
      }
      return undefined;
    };
    const alphabet = ['0', '1', '9', '.', 'a', ' '];
    let strings = [''];
    for (let length = 1; length <= 6; length++) {
      strings = strings.flatMap((s) => alphabet.map((c) => s + c));
      for (const uid of strings) expect([uid, uidProblem(uid)]).toEqual([uid, reference(uid)]);
    }
  });
});

describe('trimUid', () => {
  it('drops the NUL or space padding of a UI value and nothing else', () => {
    expect(trimUid('1.2.3\0')).toBe('1.2.3');
    expect(trimUid('1.2.3 ')).toBe('1.2.3');
    expect(trimUid('1.2.3\0 \0')).toBe('1.2.3');
    expect(trimUid('1.2.3')).toBe('1.2.3');
    expect(trimUid('1.2\x003')).toBe('1.2\x003');
    expect(trimUid(' 1.2.3')).toBe(' 1.2.3');
  });

  it('makes a padded even-length UI value valid again', () => {
    expect(isValidUid('1.2.840.10008.1.2.1\0')).toBe(false);
    expect(isValidUid(trimUid('1.2.840.10008.1.2.1\0'))).toBe(true);
  });
});

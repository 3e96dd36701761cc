import { describe, expect, it } from 'vitest';
import type { ValueMatcher } from '../../../src-main/api/types/routing.ts';
import { compileValueMatcher } from '../../../src-main/routing/value-matcher.ts';

const compile = (matcher: ValueMatcher) => compileValueMatcher(matcher, 'match.modality');

describe('exact text', () => {
  it('matches the same text, case-sensitively', () => {
    const matches = compile('CT');
    expect(matches('CT')).toBe(true);
    expect(matches('ct')).toBe(false);
    expect(matches('CTA')).toBe(false);
    expect(matches('MR')).toBe(false);
  });

  it('ignores trailing spaces and NULs of the value and trailing spaces of the pattern, not leading ones', () => {
    expect(compile('CT')('CT  ')).toBe(true);
    expect(compile('CT')('CT\0')).toBe(true);
    expect(compile('CT  ')('CT')).toBe(true);
    expect(compile('CT')(' CT')).toBe(false);
  });
});

describe('a list', () => {
  it('matches any of its entries exactly', () => {
    const matches = compile(['CT', 'MR', 'PT ']);
    expect(matches('MR')).toBe(true);
    expect(matches('PT')).toBe(true);
    expect(matches('US')).toBe(false);
    expect(matches('C')).toBe(false);
  });

  it('refuses an empty list, which could match nothing', () => {
    expect(() => compile([])).toThrow(/^match\.modality: an empty list matches nothing/);
  });
});

describe('glob', () => {
  it('matches the whole value, * standing for any run of characters and ? for exactly one', () => {
    expect(compile({ glob: 'C*' })('CT')).toBe(true);
    expect(compile({ glob: 'C*' })('C')).toBe(true);
    expect(compile({ glob: 'C*' })('XCT')).toBe(false);
    expect(compile({ glob: 'C?' })('CT')).toBe(true);
    expect(compile({ glob: 'C?' })('C')).toBe(false);
    expect(compile({ glob: 'C?' })('CTA')).toBe(false);
    expect(compile({ glob: '*HEAD*' })('CT HEAD W/O CONTRAST')).toBe(true);
  });

  it('takes every other character literally, regular expression syntax included', () => {
    expect(compile({ glob: '1.2.*' })('1.2.840')).toBe(true);
    expect(compile({ glob: '1.2.*' })('1x2y840')).toBe(false);
    expect(compile({ glob: 'A+B (x)[1]|^$\\' })('A+B (x)[1]|^$\\')).toBe(true);
    expect(compile({ glob: 'A+B' })('AAB')).toBe(false);
    expect(compile({ glob: 'a-b/c' })('a-b/c')).toBe(true);
  });

  it('counts a character outside the Basic Multilingual Plane as one for ?', () => {
    expect(compile({ glob: 'X?Y' })('X😀Y')).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(compile({ glob: 'ct*' })('CT')).toBe(false);
  });
});

describe('regex', () => {
  it('searches the value as RegExp.test does: unanchored unless the pattern anchors it', () => {
    expect(compile({ regex: 'HEAD' })('CT HEAD')).toBe(true);
    expect(compile({ regex: '^HEAD' })('CT HEAD')).toBe(false);
    expect(compile({ regex: '^(CT|MR)$' })('MR')).toBe(true);
    expect(compile({ regex: '^(CT|MR)$' })('MRI')).toBe(false);
  });

  it('sees the value without its trailing padding', () => {
    expect(compile({ regex: 'CT$' })('CT ')).toBe(true);
  });

  it('refuses an invalid expression, naming the field and the pattern', () => {
    expect(() => compile({ regex: '([' })).toThrow(/^match\.modality\.regex: invalid regular expression "\(\[" \(.+\)$/);
  });
});

describe('multi-valued values (backslash-separated)', () => {
  const imageType = 'ORIGINAL\\PRIMARY\\AXIAL ';
  it('match when any one value matches', () => {
    expect(compile('AXIAL')(imageType)).toBe(true);
    expect(compile(['LOCALIZER', 'PRIMARY'])(imageType)).toBe(true);
    expect(compile({ glob: 'AX*' })(imageType)).toBe(true);
    expect(compile({ regex: '^PRIMARY$' })(imageType)).toBe(true);
    expect(compile('LOCALIZER')(imageType)).toBe(false);
  });

  it('also match as a whole text', () => {
    expect(compile('ORIGINAL\\PRIMARY\\AXIAL')(imageType)).toBe(true);
    expect(compile({ glob: 'ORIGINAL\\*' })(imageType)).toBe(true);
  });

  it('ignore each value’s trailing spaces', () => {
    expect(compile('A')('A  \\B')).toBe(true);
  });
});

describe('a missing value', () => {
  it('matches only matchers that accept empty text', () => {
    expect(compile('')(undefined)).toBe(true);
    expect(compile(['CT', ''])(undefined)).toBe(true);
    expect(compile({ glob: '*' })(undefined)).toBe(true);
    expect(compile({ regex: '^$' })(undefined)).toBe(true);
    expect(compile('CT')(undefined)).toBe(false);
    expect(compile({ glob: '?*' })(undefined)).toBe(false);
    expect(compile({ regex: '.' })(undefined)).toBe(false);
  });

  it('is the same as an empty value', () => {
    expect(compile('')('  ')).toBe(true);
    expect(compile({ regex: '.' })('')).toBe(false);
  });
});

describe('malformed matchers', () => {
  it.each([
    [{}, 'an object with no keys'],
    [{ glob: 'a', regex: 'b' }, 'an object with "glob", "regex"'],
    [{ glob: 5 }, 'an object with "glob"'],
    [{ pattern: 'x' }, 'an object with "pattern"'],
    [42, 'number 42'],
    [null, 'null'],
  ])('refuses %j, saying what it got', (matcher, got) => {
    expect(() => compile(matcher as unknown as ValueMatcher)).toThrow(
      `match.modality: expected a string, a list of strings, { glob: "..." } or { regex: "..." }, got ${got}`,
    );
  });

  it('refuses a list with something other than text in it, naming the entry', () => {
    expect(() => compile(['CT', 3] as unknown as ValueMatcher)).toThrow('match.modality[1]: expected a string, got number 3');
  });
});

import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../../src-main/config/did-you-mean.ts';

describe('did you mean', () => {
  it('counts insertions, deletions, substitutions and swaps as one edit each', () => {
    expect(editDistance('maxAtempts', 'maxAttempts')).toBe(1);
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('host', 'hsot')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the closest name within a distance that grows with the word', () => {
    const fields = ['maxAttempts', 'backoffBaseSeconds', 'backoffMaxSeconds', 'batchSize'];
    expect(closestMatch('maxAtempts', fields)).toBe('maxAttempts');
    expect(closestMatch('backofMaxSecond', fields)).toBe('backoffMaxSeconds');
    expect(closestMatch('MAXATTEMPTS', fields)).toBe('maxAttempts');
    expect(closestMatch('retries', fields)).toBeUndefined();
    expect(closestMatch('ae', ['ae', 'host'])).toBe('ae');
    expect(closestMatch('xy', ['ae', 'host'])).toBeUndefined();
  });
});

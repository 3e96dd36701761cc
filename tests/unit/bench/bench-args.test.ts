import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from '../../../bench/bench-args.ts';

describe('parseBenchArgs', () => {
  it('defaults to 3 rounds of every scenario on both corpora at full size, docs untouched', () => {
    expect(parseBenchArgs([])).toEqual({
      rounds: 3,
      scenarios: ['receive', 'send', 'relay', 'concurrent', 'tls-relay', 'transcode'],
      corpora: ['large', 'small'],
      quick: false,
      cpuProf: false,
      writeDocs: false,
      quietWaitSeconds: 600,
      help: false,
    });
  });

  it('takes the concurrent scenario and --write-docs', () => {
    expect(parseBenchArgs(['--only', 'concurrent', '--write-docs'])).toMatchObject({ scenarios: ['concurrent'], writeDocs: true });
  });

  it('takes the TLS relay and the transcoding comparisons', () => {
    expect(parseBenchArgs(['--only', 'tls-relay']).scenarios).toEqual(['tls-relay']);
    expect(parseBenchArgs(['--only', 'transcode', '--quick'])).toMatchObject({ scenarios: ['transcode'], quick: true });
  });

  it('bounds the wait for a quiet machine with --quiet-wait, refusing what is not whole seconds', () => {
    expect(parseBenchArgs(['--quiet-wait', '5']).quietWaitSeconds).toBe(5);
    expect(() => parseBenchArgs(['--quiet-wait', '2.5'])).toThrow(/--quiet-wait needs a whole number of seconds, got '2.5'/);
  });

  it('narrows to one scenario and one corpus', () => {
    const args = parseBenchArgs(['--only', 'send', '--corpus', 'small', '--rounds', '5', '--quick']);
    expect(args).toMatchObject({ rounds: 5, scenarios: ['send'], corpora: ['small'], quick: true });
  });

  it('accepts --corpus all and the --rounds=N form', () => {
    expect(parseBenchArgs(['--corpus=all', '--rounds=1'])).toMatchObject({ rounds: 1, corpora: ['large', 'small'] });
  });

  it.each([['0'], ['-1'], ['2.5'], ['1e1'], [''], ['three']])('refuses --rounds %j, quoting the value', (value) => {
    expect(() => parseBenchArgs([`--rounds=${value}`])).toThrow(
      new BenchUsageError(`--rounds needs a whole number of at least 1, got '${value}'`),
    );
  });

  it('refuses an unknown scenario, corpus or option', () => {
    expect(() => parseBenchArgs(['--only', 'echo'])).toThrow(
      /--only takes receive, send, relay, concurrent, tls-relay, transcode, got 'echo'/,
    );
    expect(() => parseBenchArgs(['--corpus', 'medium'])).toThrow(/--corpus takes small, large or all, got 'medium'/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['extra'])).toThrow(BenchUsageError);
  });
});

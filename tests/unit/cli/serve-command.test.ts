import { describe, expect, it } from 'vitest';
import { serveConfigFromArgs } from '../../../src-main/cli/serve-command.ts';
import { UsageError } from '../../../src-main/cli/usage-error.ts';
import { DEFAULT_CONFIG } from '../../../src-main/gateway.ts';

describe('serve arguments', () => {
  it('uses the documented defaults when given nothing', () => {
    const { config, logLevel, logFormat } = serveConfigFromArgs([]);
    expect(config).toMatchObject({
      aeTitle: 'GATEWAY',
      port: 11112,
      host: undefined,
      acceptUnknownSopClasses: true,
      allowedCallingAes: [],
    });
    expect(config.storage).toMatch(/gateway-data$/);
    expect([logLevel, logFormat]).toEqual(['info', 'text']);
    expect(DEFAULT_CONFIG.maxPduLength).toBeGreaterThanOrEqual(16384);
  });

  it('reads every flag, allow-list as repeated or comma-separated values', () => {
    const { config } = serveConfigFromArgs([
      '--ae',
      'ROUTER',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--storage',
      '/tmp/s',
      '--max-pdu',
      '32768',
      '--allow-calling-ae',
      'CT1,MR1',
      '--allow-calling-ae',
      'US1',
      '--max-associations',
      '4',
      '--accept-unknown-sop-classes',
      'false',
    ]);
    expect(config).toMatchObject({
      aeTitle: 'ROUTER',
      host: '127.0.0.1',
      port: 0,
      storage: '/tmp/s',
      maxPduLength: 32768,
      allowedCallingAes: ['CT1', 'MR1', 'US1'],
      maxAssociations: 4,
      acceptUnknownSopClasses: false,
    });
  });

  it.each([
    [['--port', '70000'], /--port: must be a port number 0-65535 \(0: let the system choose\), got 70000/],
    [['--port', 'abc'], /--port: must be a port number 0-65535 \(0: let the system choose\), got "abc"/],
    [['--ae', 'THIS_AE_TITLE_IS_TOO_LONG'], /--ae: must be an AE title of 1-16/],
    [['--max-associations', '0'], /--max-associations: must be a number of associations 1-1000, got 0/],
    [['--log-level', 'loud'], /--log-level must be/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with a message naming the flag', (argv, message) => {
    expect(() => serveConfigFromArgs(argv)).toThrow(UsageError);
    expect(() => serveConfigFromArgs(argv)).toThrow(message);
  });
});

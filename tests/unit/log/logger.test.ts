import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src-main/log/logger.ts';

describe('logger', () => {
  it('writes text lines with level, event and key=value fields, quoting values with spaces', () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) }).info('instance.stored', { callingAe: 'CT 1', bytes: 10, skipped: undefined });
    expect(lines[0]).toMatch(/^\S+Z INFO {2}instance\.stored callingAe="CT 1" bytes=10$/);
  });

  it('writes one JSON object per line in json format', () => {
    const lines: string[] = [];
    createLogger({ format: 'json', write: (l) => lines.push(l) }).error('instance.failed', { status: '0xA700' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', event: 'instance.failed', status: '0xA700' });
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    expect(lines).toHaveLength(1);
  });
});

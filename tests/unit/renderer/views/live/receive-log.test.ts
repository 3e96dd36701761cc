import { describe, expect, test } from 'vitest';
import { ReceiveLog } from '../../../../../src-renderer/src/views/live/receive-log.svelte.ts';
import { failed, received } from '../../fixtures.ts';

describe('ReceiveLog', () => {
  test('keeps only the newest rows past its capacity, oldest dropped first', () => {
    const log = new ReceiveLog(100);
    log.append(Array.from({ length: 150 }, (_, i) => ({ kind: 'stored' as const, payload: received({ callingAe: `AE${i}` }) })));
    expect(log.total).toBeLessThanOrEqual(100);
    expect(log.rows.at(-1)!.callingAe).toBe('AE149');
    expect(log.rows[0]!.callingAe).toBe(`AE${150 - log.total}`);
  });

  test('association events are not rows; failures are', () => {
    const log = new ReceiveLog();
    log.append([
      { kind: 'opened', payload: { associationId: 1, direction: 'inbound', callingAe: 'A', calledAe: 'B', peer: 'p', time: '' } },
      { kind: 'failed', payload: failed() },
    ]);
    expect(log.rows.map((r) => r.status)).toEqual(['failed']);
  });

  test('the filter matches every word, case-insensitively, in any column', () => {
    const log = new ReceiveLog();
    log.append([
      { kind: 'stored', payload: received({ callingAe: 'CT1' }) },
      { kind: 'duplicate', payload: received({ callingAe: 'CT1' }) },
      { kind: 'failed', payload: failed({ callingAe: 'MR1' }) },
    ]);
    log.setFilter('ct1 DUPLICATE');
    expect(log.rows.map((r) => r.status)).toEqual(['duplicate']);
    log.setFilter('disk full');
    expect(log.rows.map((r) => r.callingAe)).toEqual(['MR1']);
  });
});

import { describe, expect, test } from 'vitest';
import { waitFor } from '@testing-library/svelte';
import { StudyList } from '../../../../../src-renderer/src/views/live/study-list.svelte.ts';
import { createTestBridge } from '../../test-bridge.ts';
import { received, study } from '../../fixtures.ts';
import type { LiveEvent } from '../../../../../src-renderer/src/views/live/live-events.ts';

/** A fake index: what listStudies answers is what is "stored", counted when the test says so. */
function indexedBridge() {
  const index = { count: 10 };
  const bridge = createTestBridge({ listStudies: () => [study('1.2.3', { instanceCount: index.count })] });
  return { bridge, index };
}

function stored(n: number): LiveEvent[] {
  return Array.from({ length: n }, () => ({
    kind: 'stored' as const,
    payload: received({ studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }),
  }));
}

const count = (list: StudyList) => list.studies[0]?.instanceCount;

describe('StudyList', () => {
  test('an event that arrives after a load which already counted it does not count twice: the table converges to the index', async () => {
    const { bridge, index } = indexedBridge();
    const list = new StudyList(bridge, 5);
    await list.load();
    // One instance of the series, stored and applied: the series is known from now on.
    index.count = 11;
    list.apply(stored(1));
    await waitFor(() => expect(bridge.callsOf('listStudies').length).toBeGreaterThan(1));
    await waitFor(() => expect(count(list)).toBe(11));
    // The index stores two more; a reload (here: a reconnect) reads them before their events are applied.
    index.count = 13;
    await list.load();
    list.apply(stored(2));
    const calls = bridge.callsOf('listStudies').length;
    await waitFor(() => expect(bridge.callsOf('listStudies').length).toBeGreaterThan(calls));
    await waitFor(() => expect(count(list)).toBe(13));
    list.dispose();
  });

  test('a burst of 300 stored events shows exactly what the index counted, with a bounded number of reloads', async () => {
    const { bridge, index } = indexedBridge();
    index.count = 0;
    const list = new StudyList(bridge, 20);
    await list.load();
    for (let batch = 0; batch < 30; batch++) {
      index.count += 10;
      list.apply(stored(10));
    }
    await waitFor(() => expect(count(list)).toBe(300));
    expect(bridge.callsOf('listStudies').length).toBeLessThan(10);
    list.dispose();
  });

  test('duplicates do not change counts: nothing new is stored', async () => {
    const { bridge } = indexedBridge();
    const list = new StudyList(bridge, 5);
    await list.load();
    list.apply([{ kind: 'duplicate', payload: received({ studyInstanceUid: '1.2.3' }) }]);
    list.apply(stored(0));
    expect(count(list)).toBe(10);
    // Nothing to read again: the next reload is the one a stored instance asks for.
    list.apply(stored(1));
    await waitFor(() => expect(bridge.callsOf('listStudies')).toHaveLength(2));
    list.dispose();
  });
});

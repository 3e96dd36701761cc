import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Status } from '../../../src-main/dicom/dimse-status.ts';
import { GatewayEventBus } from '../../../src-main/events.ts';
import { silentLogger } from '../../../src-main/log/logger.ts';
import { ReceiveInstance } from '../../../src-main/receive/receive-instance.ts';
import type { InstanceStore, StoredInstance } from '../../../src-main/store/instance-store.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const META = { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3.4', transferSyntaxUid: '1.2.840.10008.1.2.1' };
const ASSOCIATION = { callingAe: 'CT', calledAe: 'GATEWAY', peer: '127.0.0.1:104', openedAt: '2026-11-30T00:00:00Z' };

/**
 * A store that acknowledges at once and indexes later, like the real one behind a busy applier: it
 * keeps the way to settle `indexed` (the real one keeps it in its waiter list) and nothing else.
 */
function storeIndexingLater(body: () => Buffer): { store: InstanceStore; indexLater: (() => void)[] } {
  const indexLater: (() => void)[] = [];
  const store = {
    beginIncoming: () => ({ write() {}, end() {}, abort() {} }),
    commit: async (): Promise<StoredInstance> => {
      const dataset = body();
      return {
        kind: 'stored',
        instanceId: 1,
        path: 'studies/1/2/1.2.3.4.dcm',
        version: 1,
        fields: {},
        written: {
          inline: [dataset],
          tempPath: '',
          headerLength: 0,
          datasetLength: dataset.length,
          datasetSha256: '',
          datasetHead: dataset.subarray(0, 64),
          headIsWholeDataset: false,
        },
        indexed: new Promise<void>((resolve) => indexLater.push(resolve)),
      };
    },
  };
  return { store: store as unknown as InstanceStore, indexLater };
}

describe('ReceiveInstance', () => {
  it('lets go of an acknowledged dataset while its instance waits to be indexed', async () => {
    let dataset: WeakRef<Buffer> | undefined;
    const { store, indexLater } = storeIndexingLater(() => {
      const bytes = Buffer.alloc(1024 * 1024, 7);
      dataset = new WeakRef(bytes);
      return bytes;
    });
    const receiver = new ReceiveInstance({ store, events: new GatewayEventBus(), logger: silentLogger });
    const sink = receiver.begin({ meta: META, associationId: 1, association: ASSOCIATION }, { pause() {}, resume() {} });
    expect((await sink.end()).status).toBe(Status.Success);
    // WeakRefs are cleared only after the job that created them: let it end, then collect.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(indexLater).toHaveLength(1);
    expect(dataset?.deref()).toBeUndefined();
  });
});

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestChain } from '../../../src-main/inspect/digest-chain.ts';
import type { JobState } from '../../../src-main/api/types/routing.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('digestChain', () => {
  let root: string;
  const header = Buffer.alloc(50, 1);
  const dataset = Buffer.from('the dataset bytes as they arrived');
  beforeEach(async () => (root = await makeTempDir('chain-')));
  afterEach(() => removeDir(root));

  type Send = {
    destination: string;
    sha256: string | null;
    sentAt: string | null;
    state?: JobState;
    error?: string | null;
    sentTransferSyntaxUid?: string | null;
  };
  const inputs = (sends: Send[] = []) => ({
    instanceId: 1,
    sopInstanceUid: '1.2.3',
    storeRoot: root,
    path: 'x.dcm',
    datasetOffset: header.length,
    datasetLength: dataset.length,
    receivedSha256: sha(dataset),
    transferSyntaxUid: '1.2.840.10008.1.2.4.50',
    sends: sends.map((send) => ({ state: 'sent' as JobState, error: null, ...send })),
  });

  it('says identical at every hop when stored and sent bytes hash like the received ones', async () => {
    await writeFile(join(root, 'x.dcm'), Buffer.concat([header, dataset]));
    const chain = await digestChain(inputs([{ destination: 'pacs', sha256: sha(dataset), sentAt: 't' }]));
    expect(chain.stored).toEqual({ sha256: sha(dataset), verdict: 'identical' });
    expect(chain.sent).toEqual([
      { destination: 'pacs', sha256: sha(dataset), sentAt: 't', verdict: 'identical', state: 'sent', reason: null },
    ]);
  });

  it('pins a change to the hop where it happened: a stored file altered on disk', async () => {
    const altered = Buffer.from(dataset);
    altered[3] = 0x21;
    await writeFile(join(root, 'x.dcm'), Buffer.concat([header, altered]));
    const chain = await digestChain(inputs([{ destination: 'pacs', sha256: sha(altered), sentAt: 't' }]));
    expect(chain.stored.verdict).toBe('changed');
    // What was sent matches what is stored now: the send did not change anything itself.
    expect(chain.sent[0]!.verdict).toBe('identical');
  });

  it('reports a stored file that is gone as missing, and a destination not yet sent to as missing', async () => {
    const chain = await digestChain(inputs([{ destination: 'later', sha256: null, sentAt: null }]));
    expect(chain.stored).toMatchObject({ sha256: null, verdict: 'missing' });
    expect(chain.sent[0]!.verdict).toBe('missing');
  });

  it('carries the job state and its last error for a hop not sent, so a dead one can say why it will not be', async () => {
    const chain = await digestChain(
      inputs([{ destination: 'strict', sha256: null, sentAt: null, state: 'dead', error: 'STRICT does not accept SOP class 1.2.3' }]),
    );
    expect(chain.sent[0]).toMatchObject({ verdict: 'missing', state: 'dead', reason: 'STRICT does not accept SOP class 1.2.3' });
  });

  it('names both syntaxes on a hop whose dataset was transcoded, and only there', async () => {
    await writeFile(join(root, 'x.dcm'), Buffer.concat([header, dataset]));
    const converted = sha(Buffer.from('the converted dataset'));
    const chain = await digestChain(
      inputs([
        { destination: 'as-is', sha256: sha(dataset), sentAt: 't', sentTransferSyntaxUid: null },
        { destination: 'implicit-only', sha256: converted, sentAt: 't', sentTransferSyntaxUid: '1.2.840.10008.1.2' },
      ]),
    );
    expect(chain.sent[0]).toEqual({
      destination: 'as-is',
      sha256: sha(dataset),
      sentAt: 't',
      verdict: 'identical',
      state: 'sent',
      reason: null,
    });
    expect(chain.sent[1]).toEqual({
      destination: 'implicit-only',
      sha256: converted,
      sentAt: 't',
      verdict: 'changed',
      state: 'sent',
      reason: null,
      transcoded: 'transcoded: JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50) -> Implicit VR Little Endian (1.2.840.10008.1.2)',
    });
  });
});

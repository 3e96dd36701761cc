/**
 * The forward thread seen from the main thread: results come back as small messages, and jobs a
 * dying thread held are reported not sent (so the queue puts them back), never lost.
 */
import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../../src-main/routing/forward-messages.ts';
import { WorkerSender } from '../../../src-main/routing/forward-sender.ts';
import { osChosenPort } from '../../helpers/dcmtk.ts';
import { forwardTarget, sendJob } from '../../helpers/destination-fixtures.ts';
import { recordingLogger, type LoggedLine } from '../../helpers/recording-logger.ts';
import { waitFor } from '../../helpers/wait.ts';

const job = (jobId: number) => sendJob(jobId, { file: `/nowhere/${jobId}.dcm` });
const target = (port: number) => forwardTarget({ peer: { aeTitle: 'PACS', host: '127.0.0.1', port }, lingerMs: 100 });

describe('WorkerSender', () => {
  it('reports every job a dead forward thread held as not sent, logs the exit, and starts a new thread for the next jobs', async () => {
    const results: JobResult[] = [];
    const lines: LoggedLine[] = [];
    const sender = new WorkerSender(
      (r) => results.push(...r),
      recordingLogger(lines),
      new URL('../../helpers/exiting-forward-worker.ts', import.meta.url),
    );
    sender.send(target(104), [job(1), job(2)]);
    await waitFor('both jobs back', () => results.length === 2);
    expect(results.map((r) => [r.jobId, r.ok, r.failureKind])).toEqual([
      [1, false, 'cancelled'],
      [2, false, 'cancelled'],
    ]);
    expect(results[0]!.error).toMatch(/forward thread exited \(code 7\)/);
    expect(lines).toContainEqual({ event: 'queue.worker-exit', fields: expect.objectContaining({ code: 7, jobs: 2 }) });

    sender.send(target(104), [job(3)]);
    await waitFor('the third job back from a new thread', () => results.length === 3);
    expect(results[2]).toMatchObject({ jobId: 3, failureKind: 'cancelled' });
    await sender.stop();
  });

  it("sends from the forward thread and gets each job's result back", async () => {
    const port = await osChosenPort(); // nobody listens there
    const results: JobResult[] = [];
    const lines: LoggedLine[] = [];
    const sender = new WorkerSender((r) => results.push(...r), recordingLogger(lines));
    sender.send(target(port), [job(1), job(2)]);
    await waitFor('both results', () => results.length === 2, 20_000);
    expect(results.every((r) => !r.ok && r.failureKind === 'connection-refused')).toBe(true);
    expect(results[0]!.error).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
    await sender.stop();
    expect(lines.filter((l) => l.event === 'queue.worker-exit')).toHaveLength(0);
  });
});

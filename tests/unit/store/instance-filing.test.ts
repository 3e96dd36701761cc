import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceFiling, type FilingJob } from '../../../src-main/store/instance-filing.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const HEADER = 132;

describe('InstanceFiling', () => {
  let root: string;
  let journalFile: string;

  beforeEach(async () => {
    root = await makeTempDir('filing-');
    await mkdir(join(root, '.incoming'));
    journalFile = join(root, 'segment');
  });
  afterEach(async () => removeDir(root));

  /** A journal-like file holding `bodies` one after another behind a few bytes of other records; the jobs that name them. */
  async function journalOf(bodies: Buffer[]): Promise<FilingJob[]> {
    let offset = 17;
    const jobs: FilingJob[] = bodies.map((body, k) => {
      const job: FilingJob = {
        lsn: k + 1,
        path: `studies/1.2.${k % 2}/1.2.${k % 2}.1/1.2.${k % 2}.1.${k}.dcm`,
        tempName: null,
        body: { file: journalFile, offset, length: body.length },
        headerLength: HEADER,
        datasetLength: body.length - HEADER,
        datasetSha256: createHash('sha256').update(body.subarray(HEADER)).digest('hex'),
        replayed: false,
      };
      offset += body.length + 5;
      return job;
    });
    const parts: Buffer[] = [Buffer.alloc(17, 0xaa)];
    for (const body of bodies) parts.push(body, Buffer.alloc(5, 0xbb));
    await writeFile(journalFile, Buffer.concat(parts));
    return jobs;
  }

  const body = (n: number, size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + n) & 0xff));

  it('files every body of a batch from its journal range, byte for byte, each into its own folder, and leaves no temp file', async () => {
    const bodies = [body(1, 10_240), body(2, 600_000), body(3, HEADER)];
    const jobs = await journalOf(bodies);
    await new InstanceFiling(root).fileBatch(jobs);
    for (const [k, job] of jobs.entries()) expect((await readFile(join(root, job.path))).equals(bodies[k]!)).toBe(true);
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
  });

  it('keeps a replayed instance whose complete file is already there, and rewrites one left incomplete', async () => {
    const bodies = [body(4, 4096), body(5, 4096)];
    const [complete, cut] = (await journalOf(bodies)).map((job) => ({ ...job, replayed: true }));
    await mkdir(join(root, 'studies/1.2.0/1.2.0.1'), { recursive: true });
    await mkdir(join(root, 'studies/1.2.1/1.2.1.1'), { recursive: true });
    await writeFile(join(root, complete!.path), bodies[0]!);
    await writeFile(join(root, cut!.path), bodies[1]!.subarray(0, 1000));
    const before = await stat(join(root, complete!.path));
    await new InstanceFiling(root).fileBatch([complete!, cut!]);
    expect((await stat(join(root, complete!.path))).ino).toBe(before.ino);
    expect((await readFile(join(root, cut!.path))).equals(bodies[1]!)).toBe(true);
  });

  it('renames a spilled temp file into place, and says so when neither it nor a complete file is there', async () => {
    const spilled = body(6, 3000);
    const [job] = await journalOf([Buffer.alloc(0)]);
    const withTemp = { ...job!, tempName: 'spilled.part', datasetLength: spilled.length - HEADER };
    withTemp.datasetSha256 = createHash('sha256').update(spilled.subarray(HEADER)).digest('hex');
    await writeFile(join(root, '.incoming', 'spilled.part'), spilled);
    const filing = new InstanceFiling(root);
    await filing.fileBatch([withTemp]);
    expect((await readFile(join(root, withTemp.path))).equals(spilled)).toBe(true);
    await expect(filing.fileBatch([{ ...withTemp, path: 'studies/9/9/9.dcm' }])).rejects.toThrow(
      'studies/9/9/9.dcm: neither its temp file spilled.part nor a complete file is there',
    );
  });

  it('stops at a body the journal no longer holds, leaving no file of the batch behind, not even the ones written before it', async () => {
    const [good, job] = await journalOf([body(8, 2048), body(7, 2048)]);
    const beyond = { ...job!, body: { ...job!.body, offset: job!.body.offset + 100 } };
    await expect(new InstanceFiling(root).fileBatch([good!, beyond])).rejects.toThrow(/ends before the record body/);
    expect(existsSync(join(root, good!.path))).toBe(false);
    expect(existsSync(join(root, beyond.path))).toBe(false);
    expect(await readdir(join(root, '.incoming'))).toEqual([]);
  });
});

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReceivedOutputs } from '../../../bench/received-outputs.ts';

describe('ReceivedOutputs', () => {
  let work: string;
  beforeEach(async () => (work = await mkdtemp(join(tmpdir(), 'received-outputs-'))));
  afterEach(() => rm(work, { recursive: true, force: true }));

  async function runOutput(name: string): Promise<string> {
    const dir = join(work, name);
    await mkdir(dir);
    await writeFile(join(dir, 'received.dcm'), 'x');
    return dir;
  }

  it('keeps a released folder on disk while the disk has room, and removes every one at the end', async () => {
    const outputs = new ReceivedOutputs(work, 0);
    const dirs = [await runOutput('a'), await runOutput('b')];
    dirs.forEach((d) => outputs.release(d));
    await outputs.makeRoom(1);
    expect(dirs.map((d) => existsSync(d))).toEqual([true, true]);
    await outputs.removeAll();
    expect(dirs.map((d) => existsSync(d))).toEqual([false, false]);
  });

  it('removes the kept folders before a run the free space could not hold', async () => {
    const outputs = new ReceivedOutputs(work, 0);
    const dir = await runOutput('a');
    outputs.release(dir);
    await outputs.makeRoom(Number.MAX_SAFE_INTEGER);
    expect(existsSync(dir)).toBe(false);
  });
});

/**
 * `send` and `compare` on inputs no DICOM writer makes: each gives a clear error naming the file
 * and the reason, exit code 2, and returns promptly (a FIFO is never opened, a 2 GB file is not read).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/gateway-process.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

/** Generous for a loaded machine; a FIFO opened for reading would block far past it. */
const PROMPT_MS = 60_000;
const NOWHERE = 'X@127.0.0.1:1';

describe('send and compare on hostile inputs', () => {
  let work: string;
  let good: string;
  const inputs: Record<string, string> = {};

  beforeAll(async () => {
    work = await makeTempDir('cli-hostile-');
    good = (await writeP10Files(join(work, 'good'), 1, { seed: 7 }))[0]!;
    inputs.fifo = join(work, 'fifo');
    execFileSync('mkfifo', [inputs.fifo]);
    inputs.selfLink = join(work, 'self-link');
    await symlink(inputs.selfLink, inputs.selfLink);
    inputs.empty = join(work, 'empty.dcm');
    await writeFile(inputs.empty, Buffer.alloc(0));
    inputs.zeros = join(work, 'zeros.dcm');
    await writeFile(inputs.zeros, Buffer.alloc(4096));
    const goodBytes = await readFile(good!);
    inputs.truncated = join(work, 'truncated.dcm');
    await writeFile(inputs.truncated, goodBytes.subarray(0, 150));
    inputs.metaBeyond = join(work, 'meta-beyond.dcm');
    const lying = Buffer.from(goodBytes);
    // (0002,0000) is the first meta element: its 4-byte value sits at 132 + 8.
    expect(lying.readUInt16LE(132 + 2)).toBe(0x0000);
    lying.writeUInt32LE(0x7fff0000, 140);
    await writeFile(inputs.metaBeyond, lying);
    inputs.sparse = join(work, 'sparse-2g.dcm');
    await writeFile(inputs.sparse, Buffer.alloc(0));
    await truncate(inputs.sparse, 2 * 1024 ** 3);
  });
  afterAll(() => removeDir(work));

  const expectations: Array<[string, RegExp]> = [
    ['fifo', /a FIFO \(named pipe\), not a file; not opened/],
    ['selfLink', /symbolic link loop \(ELOOP\)/],
    ['empty', /is empty \(0 bytes\)/],
    ['zeros', /not a DICOM Part-10 file/],
    ['truncated', /file ends inside the file meta group/],
    ['metaBeyond', /file meta group length \(0002,0000\) of 2147418112 bytes ends at byte \d+, past the end of the \d+-byte file/],
    ['sparse', /not a DICOM Part-10 file/],
  ];

  for (const [name, reason] of expectations) {
    it(`send refuses ${name} with exit code 2, naming the file and the reason`, async () => {
      const result = await runCli(['send', '--to', NOWHERE, inputs[name]!], PROMPT_MS);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`error: ${inputs[name]}: `);
      expect(result.stderr).toMatch(reason);
    });

    it(`compare refuses ${name} with exit code 2, naming the file and the reason`, async () => {
      const result = await runCli(['compare', inputs[name]!, good!], PROMPT_MS);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(inputs[name]!);
      expect(result.stderr).toMatch(reason);
    });
  }

  it('compare does not read a 2 GB file that is not DICOM to the end', async () => {
    const result = await runCli(['compare', '--json', inputs.sparse!, good!], PROMPT_MS);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { files: { a: { size: number; sha256?: string } } };
    expect(report.files.a.size).toBe(2 * 1024 ** 3);
    expect(report.files.a.sha256).toBeUndefined();
  });

  it('send lists a FIFO and a symbolic link loop found in a folder as skipped, and sends the rest', async () => {
    const folder = join(work, 'folder');
    await mkdir(folder);
    execFileSync('mkfifo', [join(folder, 'pipe')]);
    await symlink(join(folder, 'loop'), join(folder, 'loop'));
    await symlink(good!, join(folder, 'link-to-good.dcm'));
    const result = await runCli(['send', '--json', '--to', NOWHERE, folder], PROMPT_MS);
    const report = JSON.parse(result.stdout) as { results: Array<{ file: string }>; skipped: Array<{ file: string; reason: string }> };
    expect(report.results.map((r) => r.file)).toEqual([join(folder, 'link-to-good.dcm')]);
    expect(report.skipped).toEqual([
      { file: join(folder, 'loop'), reason: 'symbolic link loop (ELOOP)' },
      { file: join(folder, 'pipe'), reason: 'a FIFO (named pipe), not a file; not opened' },
    ]);
    // Nothing listens at NOWHERE: the one file fails to connect, which is exit code 1, not an input error.
    expect(result.code).toBe(1);
  });
});

/**
 * A deliberately tiny filesystem for disk-full tests: tmpfs when the kernel lets us mount one,
 * otherwise a loop-mounted ext4 image. Needs root (or CAP_SYS_ADMIN); when neither way works the
 * caller gets an error that says what was tried and why it failed, so the test fails loudly
 * instead of quietly skipping.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { run } from './dcmtk.ts';

export interface SmallFilesystem {
  /** The mount point; everything written under it counts against `sizeBytes`. */
  path: string;
  kind: 'tmpfs' | 'loop-ext4';
  sizeBytes: number;
  unmount(): Promise<void>;
}

export async function mountSmallFilesystem(mountPoint: string, sizeBytes: number): Promise<SmallFilesystem> {
  const tmpfs = await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', mountPoint], 30_000).catch(
    (err: Error) => ({ code: -1, stdout: '', stderr: err.message }),
  );
  if (tmpfs.code === 0) {
    return { path: mountPoint, kind: 'tmpfs', sizeBytes, unmount: () => unmount(mountPoint) };
  }

  const image = `${mountPoint}.img`;
  const loopProblem = await mountLoopExt4(image, mountPoint, sizeBytes);
  if (loopProblem === undefined) {
    return {
      path: mountPoint,
      kind: 'loop-ext4',
      sizeBytes,
      unmount: async () => {
        await unmount(mountPoint);
        await rm(image, { force: true });
      },
    };
  }
  await rm(image, { force: true });
  throw new Error(
    `cannot mount a small filesystem at ${mountPoint} (this test needs root or CAP_SYS_ADMIN):\n` +
      `  tmpfs: mount -t tmpfs exited ${tmpfs.code}: ${tmpfs.stderr.trim()}\n` +
      `  loop ext4: ${loopProblem}`,
  );
}

/** Returns undefined when mounted, or what went wrong. */
async function mountLoopExt4(image: string, mountPoint: string, sizeBytes: number): Promise<string | undefined> {
  const steps: Array<[string, string[]]> = [
    ['truncate', ['-s', String(sizeBytes), image]],
    // 1 KiB blocks and no journal: a journal alone would eat most of a few-MiB filesystem.
    ['mkfs.ext4', ['-q', '-F', '-b', '1024', '-m', '0', '-O', '^has_journal', image]],
    ['mount', ['-o', 'loop', image, mountPoint]],
  ];
  for (const [command, args] of steps) {
    const result = await run(command, args, 30_000).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
    if (result.code !== 0) return `${command} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`;
  }
  return undefined;
}

async function unmount(mountPoint: string): Promise<void> {
  const result = await run('umount', [mountPoint], 30_000);
  if (result.code !== 0) throw new Error(`umount ${mountPoint} exited ${result.code}: ${result.stderr.trim()}`);
}

/**
 * Writes `file` until its filesystem says it is full, to its last byte: through one open file, in
 * large chunks first, so that the disk is full while a receive still runs, however fast the
 * machine receives; then in ever smaller ones, so that not even a page is left for anyone.
 */
export async function fillFilesystem(file: string): Promise<void> {
  const handle = await open(file, 'a');
  try {
    for (const size of [1024 * 1024, 4096, 1]) await writeUntilFull(handle, Buffer.alloc(size, 0xee));
  } finally {
    await handle.close();
  }
}

async function writeUntilFull(handle: FileHandle, chunk: Buffer): Promise<void> {
  try {
    for (;;) await handle.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
}

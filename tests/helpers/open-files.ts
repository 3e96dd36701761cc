import { readdir, readlink } from 'node:fs/promises';

/** The files under `dir` this process holds open (from /proc/self/fd): what a sender failed to close. */
export async function filesOpenUnder(dir: string): Promise<string[]> {
  const open: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(`${dir}/`)) open.push(target);
  }
  return open;
}

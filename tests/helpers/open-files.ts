import { readdir, readFile, readlink } from 'node:fs/promises';

/** A descriptor this process holds (from /proc/self/fd) and the file it names. */
export interface OpenDescriptor {
  fd: number;
  path: string;
}

/** Every descriptor this process holds on a file under `dir`. */
export async function descriptorsUnder(dir: string): Promise<OpenDescriptor[]> {
  const found: OpenDescriptor[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const path = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (path.startsWith(`${dir}/`)) found.push({ fd: Number(fd), path });
  }
  return found;
}

/** The files under `dir` this process holds open: what a sender or a store failed to close. */
export async function filesOpenUnder(dir: string): Promise<string[]> {
  return (await descriptorsUnder(dir)).map((d) => d.path);
}

/** The flags a descriptor was opened with (from /proc/self/fdinfo), or undefined once it is closed. */
export async function openFlags(fd: number): Promise<number | undefined> {
  const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
  const octal = /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
  return octal === undefined ? undefined : parseInt(octal, 8);
}

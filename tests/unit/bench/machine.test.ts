import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePagesReported } from '../../../bench/machine.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

/** A virtio device folder as sysfs shows it: its id and its negotiated feature bits, bit 0 first. */
async function device(devicesDir: string, name: string, id: string, features: string): Promise<void> {
  await mkdir(join(devicesDir, name), { recursive: true });
  await writeFile(join(devicesDir, name, 'device'), `${id}\n`);
  await writeFile(join(devicesDir, name, 'features'), `${features}\n`);
}

describe('freePagesReported', () => {
  const dir = useTempDir('machine-', 'test');

  it('is true when a balloon negotiated free page reporting (feature bit 5)', async () => {
    await device(dir.path, 'virtio0', '0x0002', '00000100000');
    await device(dir.path, 'virtio1', '0x0005', '01100101000');
    expect(freePagesReported(dir.path)).toBe(true);
  });

  it('is false for a balloon without it, and for bit 5 of another device', async () => {
    await device(dir.path, 'virtio0', '0x0005', '01100001000');
    await device(dir.path, 'virtio1', '0x0001', '00000100000');
    expect(freePagesReported(dir.path)).toBe(false);
  });

  it('is false on a machine without a virtio bus', () => {
    expect(freePagesReported(join(dir.path, 'absent'))).toBe(false);
  });
});

/**
 * The gateway sends C-STORE success only once the instance is durable and indexed. Sender and
 * receiver are both the real engine (in process): our SCU's response callback runs the moment the
 * success arrives, and at that moment the file and its index row must already exist.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectSendableFiles } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../src-main/dicom/store-scu.ts';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';

describe('gateway to gateway, in process', () => {
  let work: string;
  let gateway: Gateway;

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'durable-ack-'));
    gateway = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(work, 'store'), maxAssociations: 2 });
  });
  afterEach(async () => {
    await gateway.stop();
    await rm(work, { recursive: true, force: true });
  });

  const peer = () => ({ aeTitle: 'GATEWAY', host: '127.0.0.1', port: gateway.address!.port });

  it('answers success only after the file is in place and its index row is committed', async () => {
    const paths = await writeP10Files(join(work, 'src'), 20, (i) => ({ seed: 100 + i, pixelDataBytes: 64 * 1024 }));
    const { files } = await collectSendableFiles(paths);
    const checks: boolean[] = [];
    const results = await sendFiles(files, peer(), {
      callingAe: 'SENDER',
      onResult: (result) => {
        const row = gateway.repo.versionsOf(result.sopInstanceUid)[0];
        checks.push(result.ok && row !== undefined && existsSync(join(gateway.store.root, row.path)));
      },
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(checks).toEqual(new Array(20).fill(true));
  });

  it('opens a second association once 128 presentation contexts are used', async () => {
    const paths = await writeP10Files(join(work, 'classes'), 130, (i) => ({ seed: 200 + i, sopClassUid: `1.2.826.0.1.3680043.9.7777.${i + 1}` }));
    const { files } = await collectSendableFiles(paths);
    let associations = 0;
    const stop = gateway.events.on('association-opened', () => associations++);
    const results = await sendFiles(files, peer(), { callingAe: 'SENDER' });
    stop();
    expect(results.filter((r) => r.ok)).toHaveLength(130);
    expect(associations).toBe(2);
  });

  it('rejects an association beyond the configured limit with "local limit exceeded"', async () => {
    const { ScuAssociation } = await import('../../src-main/dicom/scu-association.ts');
    const contexts = [{ abstractSyntaxUid: '1.2.840.10008.1.1', transferSyntaxUids: ['1.2.840.10008.1.2'] }];
    const open = [
      await ScuAssociation.open(peer(), { callingAe: 'A' }, contexts),
      await ScuAssociation.open(peer(), { callingAe: 'B' }, contexts),
    ];
    await expect(ScuAssociation.open(peer(), { callingAe: 'C' }, contexts)).rejects.toThrow(/rejected the association \(transient, local limit exceeded\)/);
    await Promise.all(open.map((a) => a.release()));
  });
});

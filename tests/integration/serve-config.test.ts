/**
 * `serve --config FILE` as a real process: the file's settings are used, flags override them,
 * and a broken file stops the service before it listens, with exit code 2 and the field named.
 */
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu } from '../helpers/dcmtk.ts';
import { runCli, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let work: string;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  work = await makeTempDir('serve-config-');
});

afterAll(async () => {
  await gateway?.stop();
  await removeDir(work);
});

describe('serve --config', () => {
  it('starts from a config file with --port 0 --storage DIR overriding it, and applies the rest of the file', async () => {
    const config = join(work, 'gateway.yaml');
    await writeFile(
      config,
      `
ae: CONFIGGW
port: 11112
storage: ./storage-from-file
allowCallingAes: [ALLOWED]
destinations:
  - name: pacs
    ae: PACS
    host: 127.0.0.1
    port: 11113
rules:
  - name: ct-to-pacs
    match: { modality: CT }
    forward: [pacs]
queue:
  maxAttempts: 10
  backoffBaseSeconds: 5
  backoffMaxSeconds: 600
`,
    );
    const storage = join(work, 'storage-from-flag');
    // startGateway adds --host 127.0.0.1 --port 0 --storage DIR ahead of these arguments.
    gateway = await startGateway({ storage, args: ['--config', config] });
    expect(gateway.output()).toMatch(/DICOM listening on 127\.0\.0\.1:\d+/);
    expect(gateway.output()).toMatch(/gateway\.listening .*ae=CONFIGGW/);

    // The allow-list came from the file: only ALLOWED may associate.
    const allowed = await echoscu(gateway.port, { callingAe: 'ALLOWED', calledAe: 'CONFIGGW' });
    const refused = await echoscu(gateway.port, { callingAe: 'STRANGER', calledAe: 'CONFIGGW' });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(refused.code).not.toBe(0);

    // --storage won over the file's storage: the store is where the flag says, nothing where the file says.
    expect(await readdir(storage)).toContain('index.sqlite');
    expect(existsSync(join(work, 'storage-from-file'))).toBe(false);
    expect(await gateway.stop()).toBe(0);
  });

  it('refuses a broken config before listening: exit 2, the file and field named on stderr', async () => {
    const config = join(work, 'broken.yaml');
    await writeFile(
      config,
      `
destinations:
  - name: pacs
    ae: PACS
    host: 127.0.0.1
    port: 70000
queue:
  maxAtempts: 3
`,
    );
    const storage = join(work, 'never-created');
    const result = await runCli(['serve', '--config', config, '--port', '0', '--storage', storage], 30_000);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain('DICOM listening on');
    expect(result.stderr).toContain(`${config}: destinations[0].port: must be a port number 1-65535, got 70000`);
    expect(result.stderr).toContain(`${config}: queue.maxAtempts: unknown field (did you mean maxAttempts?)`);
    expect(existsSync(storage)).toBe(false);
  });

  it('refuses a config file that does not exist with exit 2', async () => {
    const missing = join(work, 'missing.yaml');
    const result = await runCli(['serve', '--config', missing, '--port', '0'], 30_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${missing}: cannot read the config file (no such file)`);
  });
});

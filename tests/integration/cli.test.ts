/** The CLI's contract: exit codes, messages that name the input, and a clean drain on SIGTERM. */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startGateway } from '../helpers/gateway-process.ts';
import { storescu } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

describe('dicom-gateway CLI', () => {
  const tmp = useTempDir('cli-');

  it('exits 2 with the usage when send has no destination', async () => {
    const result = await runCli(['send', tmp.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--to AE@HOST:PORT is required/);
    expect(result.stderr).toMatch(/usage: dicom-gateway send/);
  });

  it('exits 2 naming a path that does not exist', async () => {
    const missing = join(tmp.path, 'nope.dcm');
    const result = await runCli(['send', '--to', 'X@127.0.0.1:1', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${missing}: no such file or folder`);
  });

  it('exits 2 naming a file that is not DICOM, and skips such files found in a folder', async () => {
    const text = join(tmp.path, 'notes.txt');
    await writeFile(text, 'not a dicom file at all, just text that is long enough');
    const named = await runCli(['send', '--to', 'X@127.0.0.1:1', text]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`${text}: not a DICOM Part-10 file`);
  });

  it('exits 1 naming the peer when nothing listens there', async () => {
    const [file] = await writeP10Files(join(tmp.path, 'one'), 1, { seed: 1 });
    const result = await runCli(['send', '--to', 'NOBODY@127.0.0.1:1', file!]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/cannot connect to NOBODY@127\.0\.0\.1:1: ECONNREFUSED/);
  });

  it.each(['serve', 'send', 'echo', 'compare'])('prints the usage of %s for --help, on stdout, and exits 0', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: dicom-gateway ${command} `));
    expect(result.stderr).toBe('');
  });

  it('exits 2 for an unknown command and for a malformed node address', async () => {
    expect((await runCli(['fly'])).code).toBe(2);
    const echo = await runCli(['echo', 'not-an-address']);
    expect(echo.code).toBe(2);
    expect(echo.stderr).toMatch(/expected AE@HOST:PORT/);
  });

  it('serve drains on SIGTERM: the association in progress ends, the process exits 0, nothing is left in .incoming', async () => {
    const gateway = await startGateway({ storage: join(tmp.path, 'store') });
    const files = await writeP10Files(join(tmp.path, 'drain'), 5, (i) => ({ seed: 50 + i }));
    const sent = await storescu(gateway.port, files);
    expect(sent.code).toBe(0);
    expect(await gateway.stop('SIGTERM')).toBe(0);
    expect(gateway.output()).toMatch(/gateway\.stopped/);
    expect(await readdir(join(gateway.storage, '.incoming'))).toEqual([]);
  });

  it('serve stopped by SIGTERM the moment it says it listens still stops in order and exits 0', async () => {
    // A supervisor may stop it as soon as it reads the line; without a handler yet, the signal's
    // default action ended the process in most of these tries.
    for (let attempt = 0; attempt < 5; attempt++) {
      const gateway = await startGateway({ storage: join(tmp.path, `at-once-${attempt}`) });
      expect(await gateway.stop('SIGTERM'), gateway.output()).toBe(0);
      expect(gateway.output()).toMatch(/gateway\.stopped/);
    }
  });

  it('serve refuses a port that is already in use, naming it', async () => {
    const first = await startGateway({ storage: join(tmp.path, 'a') });
    const second = await runCli(['serve', '--host', '127.0.0.1', '--port', String(first.port), '--storage', join(tmp.path, 'b')], 20_000);
    await first.stop();
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${first.port}: the port is already in use`);
  });
});

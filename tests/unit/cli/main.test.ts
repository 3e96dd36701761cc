/** `dicom-gateway <command>`: which commands start with the streaming heap tuning (runtime/heap-tuning.ts). */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../helpers/temp-dir.ts';

const CLI = resolve(import.meta.dirname, '../../../src-main/cli/main.ts');

/** Records every V8 flag the process sets at run time, printed when it exits. */
const RECORD_V8_FLAGS = `data:text/javascript,${encodeURIComponent(`
  import v8 from 'node:v8';
  import { syncBuiltinESMExports } from 'node:module';
  const set = v8.setFlagsFromString;
  const flags = [];
  v8.setFlagsFromString = (flag) => { flags.push(flag); set(flag); };
  syncBuiltinESMExports();
  process.on('exit', () => process.stderr.write('v8-flags=' + JSON.stringify(flags) + '\\n'));
`)}`;

function v8FlagsSetBy(args: string[]): string[] {
  const run = spawnSync(process.execPath, ['--import', RECORD_V8_FLAGS, CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  const line = /v8-flags=(.*)/.exec(run.stderr);
  expect(line, run.stderr).not.toBeNull();
  return JSON.parse(line![1]!) as string[];
}

describe('the streaming heap tuning', () => {
  const dir = useTempDir('cli-main-');

  it('is set for serve, which receives', () => {
    // A port that cannot be listened on ends serve at once, after the tuning.
    expect(v8FlagsSetBy(['serve', '--storage', dir.path, '--port', '70000'])).toContain('--external-memory-accounted-in-global-limit');
  });

  it('is not set for send and echo: a transcoding send piled up spent buffers under it', () => {
    expect(v8FlagsSetBy(['send', '--to', 'PEER@127.0.0.1:1', dir.path])).toEqual([]);
    expect(v8FlagsSetBy(['echo', 'PEER@127.0.0.1:1'])).toEqual([]);
  });
});

#!/usr/bin/env node
/** `dicom-gateway <command>`: the headless face of the gateway. */
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { ConfigError } from '../config/config-error.ts';
import { tuneHeapForStreaming } from '../runtime/heap-tuning.ts';
import { COMPARE_USAGE, ECHO_USAGE, SEND_USAGE, SERVE_USAGE } from './command-usage.ts';
import { ExitCode, InputError, UsageError } from './usage-error.ts';

type Run = (argv: string[]) => Promise<number>;

// Each command is loaded only when it runs: `echo` needs none of what `serve` loads (index, store, UI).
// `receives`: the command runs the receive path, which the streaming heap tuning is for. A send
// gains nothing from it now that it reuses its read buffers, and a transcoding send let spent
// buffers pile up under it: 1000 x 512 KiB JPEG lossless decoded peaked at 677 MB with it, 151 MB
// without (docs/benchmarks.md, "Start-up and footprint").
const COMMANDS: Record<string, { load: () => Promise<Run>; usage: string; receives?: true }> = {
  serve: { load: async () => (await import('./serve-command.ts')).serveCommand, usage: SERVE_USAGE, receives: true },
  send: { load: async () => (await import('./send-command.ts')).sendCommand, usage: SEND_USAGE },
  echo: { load: async () => (await import('./echo-command.ts')).echoCommand, usage: ECHO_USAGE },
  compare: { load: async () => (await import('./compare-command.ts')).compareCommand, usage: COMPARE_USAGE },
};

const USAGE = `usage:\n${Object.values(COMMANDS)
  .map((c) => `  ${c.usage.replace(/\n/g, '\n  ')}`)
  .join('\n')}\n`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`dicom-gateway: unknown command "${name}"\n${USAGE}`);
    return ExitCode.Usage;
  }
  // Asking a command for help is not a mistake: its usage, on stdout, exit 0, before any option is parsed.
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return ExitCode.Ok;
  }
  if (command.receives) tuneHeapForStreaming();
  try {
    const run = await command.load();
    return await run(rest);
  } catch (err) {
    // A broken config file is an input error too; one line per problem, no usage text burying the fields it names.
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message.replace(/^/gm, `dicom-gateway ${name}: `)}\n`);
      return ExitCode.Usage;
    }
    if (err instanceof InputError) {
      process.stderr.write(`dicom-gateway ${name}: ${err.message}\n`);
      return ExitCode.Usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`dicom-gateway ${name}: ${err.message}\nusage: ${command.usage}\n`);
      return ExitCode.Usage;
    }
    process.stderr.write(`dicom-gateway ${name}: ${(err as Error).message}\n`);
    return ExitCode.DicomFailure;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href;
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`dicom-gateway: ${(err as Error).stack ?? err}\n`);
      process.exitCode = ExitCode.DicomFailure;
    },
  );
}

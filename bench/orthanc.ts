/**
 * Orthanc (the Debian package) as the relay the gateway is compared with: its default file
 * storage and SQLite index in a fresh folder, and a Lua `OnStoredInstance` that sends every
 * stored instance to one modality (the storescp sink), which is how Orthanc users set up
 * auto-routing. Everything it needs is written by the bench; it never reads /etc/orthanc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canConnect, osChosenPort } from '../tests/helpers/dcmtk.ts';
import { collect, exitOf } from '../tests/helpers/processes.ts';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const ORTHANC_AE = 'ORTHANC';
const SINK_MODALITY = 'sink';
const START_TIMEOUT_MS = 60_000;

export function orthancAvailable(): boolean {
  return existsSync(ORTHANC_BINARY);
}

export interface OrthancSink {
  aeTitle: string;
  host: string;
  port: number;
}

/** Orthanc's configuration for one run: everything under `dir`, no HTTP access from outside. */
export function orthancConfig(dir: string, dicomPort: number, httpPort: number, sink: OrthancSink): Record<string, unknown> {
  return {
    Name: 'dicom-gateway-bench',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    DicomAet: ORTHANC_AE,
    DicomPort: dicomPort,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomModalities: { [SINK_MODALITY]: [sink.aeTitle, sink.host, sink.port] },
    LuaScripts: [join(dir, 'autorouting.lua')],
    Plugins: [],
  };
}

/** Forwards each instance as soon as Orthanc has stored it (SendToModality runs synchronously). */
export const AUTOROUTING_LUA = `function OnStoredInstance(instanceId, tags, metadata, origin)
  SendToModality(instanceId, '${SINK_MODALITY}')
end
`;

export interface OrthancServer {
  port: number;
  process: ChildProcess;
  /** Everything Orthanc printed, for error messages. */
  output(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts Orthanc with its own config in `dir`; resolves once its DICOM port accepts connections. */
export async function startOrthanc(dir: string, sink: OrthancSink): Promise<OrthancServer> {
  await mkdir(dir, { recursive: true });
  const [dicomPort, httpPort] = [await osChosenPort(), await osChosenPort()];
  const configPath = join(dir, 'orthanc.json');
  await writeFile(configPath, JSON.stringify(orthancConfig(dir, dicomPort, httpPort, sink), null, 1));
  await writeFile(join(dir, 'autorouting.lua'), AUTOROUTING_LUA);
  const child = spawn(ORTHANC_BINARY, [configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  const text = async () => {
    const { stdout, stderr } = await output;
    return (stdout + stderr).slice(-4000);
  };
  const exited = exitOf(child, 'Orthanc', 24 * 3600_000);
  let gone = false;
  void exited.then(
    () => (gone = true),
    () => (gone = true),
  );
  const started = Date.now();
  while (!(await canConnect(dicomPort))) {
    if (gone) throw new Error(`Orthanc exited before listening on ${dicomPort}:\n${await text()}`);
    if (Date.now() - started > START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error(`Orthanc did not listen on ${dicomPort} within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port: dicomPort,
    process: child,
    output: text,
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`Orthanc exited with ${code} after SIGTERM:\n${await text()}`);
    },
  };
}

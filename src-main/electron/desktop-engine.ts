/**
 * The engine inside the desktop app: the same Gateway `serve` runs, in its own utility process
 * (engine-process.ts), with `serve`'s defaults (all interfaces, port 11112, AE GATEWAY) and the
 * settings the user saved in the store's index.
 */
import { join } from 'node:path';
import { DEFAULT_CONFIG, type GatewayConfig } from '../gateway.ts';
import { EngineClient, type EngineChild } from './engine-client.ts';

/** The engine's configuration for a storage folder. */
export function desktopGatewayConfig(storage: string, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  // No config file: what the user changes in Settings is kept in the index; a busy port must not stop the app.
  return { ...DEFAULT_CONFIG, storage, onListenFailure: 'stay-stopped', ...overrides };
}

/** Where the ApiHost may put uploaded files; the desktop app itself gets paths, never uploads. */
export function desktopUploadDir(storage: string): string {
  return join(storage, '.uploads');
}

/** The argument that makes engine-process.ts serve the main process when it is run. */
export const ENGINE_PROCESS_FLAG = '--dicom-gateway-engine';

export type ForkEngine = (modulePath: string, args: string[]) => EngineChild;

/** Starts the engine process with `config`; the client relays to it. */
export function startEngineProcess(fork: ForkEngine, enginePath: string, config: GatewayConfig): EngineClient {
  return new EngineClient(fork(enginePath, [ENGINE_PROCESS_FLAG]), config, desktopUploadDir(config.storage));
}

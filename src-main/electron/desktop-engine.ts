/**
 * The engine inside the desktop app: the same Gateway `serve` runs, with its store and index under
 * the user-data folder, behind the same ApiHost the browser transport uses.
 */
import { join } from 'node:path';
import type { ApiHost } from '../api/api-host.ts';
import { createApiHost } from '../api/gateway-api.ts';
import { DEFAULT_CONFIG, Gateway, type GatewayConfig } from '../gateway.ts';
import type { Logger } from '../log/logger.ts';

export interface DesktopEngine {
  gateway: Gateway;
  host: ApiHost;
  /** Drains (no new associations, in-flight ones finish) and closes the index. */
  stop(): Promise<void>;
}

/** `serve`'s defaults (all interfaces, port 11112, AE GATEWAY) with storage under `userDataDir`. */
export function desktopGatewayConfig(userDataDir: string, overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  // The desktop app has no flags or config file: nothing is fixed, so what Settings saved is used at every start.
  return { ...DEFAULT_CONFIG, storage: join(userDataDir, 'storage'), ...overrides };
}

/** Where the ApiHost may put uploaded files; the desktop app itself gets paths, never uploads. */
export function desktopUploadDir(userDataDir: string): string {
  return join(userDataDir, 'uploads');
}

export async function startDesktopEngine(config: GatewayConfig, uploadDir: string, logger: Logger): Promise<DesktopEngine> {
  const gateway = await Gateway.start(config, logger).catch((err: NodeJS.ErrnoException) => {
    const where = `${config.host ?? '0.0.0.0'}:${config.port}`;
    throw new Error(err.code === 'EADDRINUSE'
      ? `cannot listen on ${where}: the port is already in use (is another DICOM program running?)`
      : `cannot start the gateway with storage ${config.storage}: ${err.message}`, { cause: err });
  });
  const host = createApiHost(gateway, { uploadDir });
  return { gateway, host, stop: () => gateway.stop() };
}

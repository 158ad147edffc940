/**
 * Starts what a test talks to: the project's MAVI simulator and a real gateway in
 * front of it, both on port 0, with every log line captured so tests can search
 * them (for secrets, for warnings).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import {
  createGatewayWithParts,
  type Gateway,
  type GatewayOptions,
  type GatewayParts,
} from '../../src/server/gateway.js';
import { TestSimulator, type TestSimulatorOptions } from './test-simulator.js';

export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-5f1c0c2e9d';
export const TEST_MAVI_KEY = 'test-mavi-key-7c2b9e4a1d';

export interface Stack {
  simulator: TestSimulator;
  /** The gateway, with the parts tests look into (a test-only view: deployments get no `parts`). */
  gateway: Gateway & { parts: GatewayParts };
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  logs: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  simulator?: TestSimulatorOptions;
  /** Put this gateway in front of an existing simulator (several instances, one MAVI); it is not stopped here. */
  sharedSimulator?: TestSimulator;
  /** Extra environment for loadConfig (PORT, MAVI_* and WEBHOOK_SECRET are set for you). */
  env?: Record<string, string | undefined>;
  gateway?: Omit<GatewayOptions, 'logger'>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const simulator = options.sharedSimulator ?? new TestSimulator({ apiKey: TEST_MAVI_KEY, ...options.simulator });
  if (!options.sharedSimulator) await simulator.start();
  // The default store (SQLite) in a folder of this stack's own, unless the test chose one.
  const ownDataDir = options.env?.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'gateway-data-')) : undefined;
  const config = loadConfig({
    PORT: '0',
    MAVI_API_KEY: simulator.apiKey,
    MAVI_BASE_URL: simulator.url,
    MAVI_STREAM_BASE_URL: simulator.url,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    MAVI_API: simulator.options.family,
    DATA_DIR: ownDataDir,
    // Most tests call without credentials; a real MAVI key behind an open gateway must be asked for.
    GATEWAY_OPEN: guarded(options.env) ? undefined : 'on',
    ...options.env,
    HOST: options.env?.HOST ?? '127.0.0.1',
  });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const created = createGatewayWithParts(config, { callbackToSelf: true, ...options.gateway, logger });
  const gateway = Object.assign(created.gateway, { parts: created.parts });
  await gateway.start();
  return {
    simulator,
    gateway,
    url: gateway.url,
    graphqlUrl: `${gateway.url}/graphql`,
    wsUrl: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
    logs,
    async stop() {
      await gateway.stop();
      if (!options.sharedSimulator) await simulator.stop();
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      // Every test's gateway proves, on its way out, that no secret reached its log.
      const secrets = [simulator.apiKey, config.webhookSecret, ...config.gatewayApiKeys.map(({ key }) => key)].filter(
        Boolean,
      ) as string[];
      const leaked = secrets.filter((secret) => logs.some((line) => line.includes(secret)));
      if (leaked.length > 0) throw new Error(`a secret appeared in the gateway's log (${leaked.length} of them)`);
    },
  };
}

/** Whether this environment guards the gateway (client keys or tokens), so it must not be declared open. */
export function guarded(env: Record<string, string | undefined> | undefined): boolean {
  return env?.GATEWAY_API_KEYS !== undefined || env?.AUTH_ISSUER !== undefined;
}

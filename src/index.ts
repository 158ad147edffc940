/**
 * Process entry: loadConfig() → createGateway() → start(); SIGTERM/SIGINT → stop().
 * Without MAVI_API_KEY the gateway runs against an in-process MAVI simulator, so
 * `npm start` works out of the box; with DEV_IDENTITY_PROVIDER=on it also runs a
 * development OpenID provider, so users can sign in to the web app.
 */
import { join } from 'node:path';
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { createLogger } from './logger.js';
import type { DevIdentityProvider } from './dev-identity/dev-identity-provider.js';
import { createGateway } from './server/gateway.js';
import { MaviSimulator } from './simulator/mavi-simulator.js';

async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // Tracing is opt-in: without an endpoint, no SDK is even loaded.
  const tracing = config.otelEndpoint
    ? (await import('./tracing/start-tracing.js')).startTracing({
        endpoint: config.otelEndpoint,
        serviceName: config.otelServiceName,
      })
    : undefined;

  let simulator: MaviSimulator | undefined;
  if (!config.maviApiKey) {
    // It keeps its videos beside the gateway's records of them: both remember across a restart.
    simulator = new MaviSimulator({
      parseDelayMs: 5_000,
      family: config.maviApi,
      stateFile: join(config.dataDir, 'simulator.json'),
    });
    await simulator.start();
    config = Object.freeze({
      ...config,
      maviApiKey: simulator.apiKey,
      maviBaseUrl: simulator.url,
      maviStreamBaseUrl: simulator.url,
    });
  }

  // Only on the simulator (config.ts refuses it with a MAVI key): its sign-in page signs anyone in.
  let devProvider: DevIdentityProvider | undefined;
  if (config.devIdentityProvider) {
    // Loaded only when asked for, like tracing: oidc-provider costs a quarter second to load.
    const { DEV_AUDIENCE, DEV_WEB_CLIENT_ID, startDevIdentityProvider } =
      await import('./dev-identity/dev-identity-provider.js');
    devProvider = await startDevIdentityProvider({
      host: config.host,
      port: 0,
      accessTokenSeconds: config.devIdentityTokenSeconds,
    });
    config = Object.freeze({
      ...config,
      auth: {
        issuer: devProvider.issuer,
        audience: DEV_AUDIENCE,
        jwksUrl: undefined,
        userClaim: 'sub',
        tenantClaim: undefined,
        adminScope: 'videos:admin',
        jwksCooldownMs: 30_000,
        clockToleranceSeconds: 30,
        webClientId: DEV_WEB_CLIENT_ID,
      },
    });
  }

  // createGateway registers every configured secret for redaction.
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const gateway = createGateway(config, {
    logger,
    callbackToSelf: simulator !== undefined,
    builtInSimulator: simulator !== undefined,
  });
  await gateway.start();

  if (simulator) {
    process.stdout.write(
      [
        '',
        `  MAVI_API_KEY is not set: uploads go to the built-in MAVI SIMULATOR (API family: ${config.maviApi}), not to MAVI.`,
        `  The simulator (${simulator.url}) calls back UNPARSE at once and PARSE after 5 s.`,
        `  Its videos are kept in ${config.dataDir}, apart from real MAVI's.`,
        '  To talk to the real MAVI, set MAVI_API_KEY and MAVI_API=v1 (keys issued by memories.ai today;',
        '  MAVI_API=original for the original API), and PUBLIC_URL, where MAVI can reach this gateway.',
        '',
        `  The web app: ${gateway.url}/`,
        `  GraphiQL:    ${gateway.url}/graphql`,
        '',
      ].join('\n'),
    );
  }
  if (devProvider) {
    process.stdout.write(
      [
        `  DEV_IDENTITY_PROVIDER is on: a development OpenID provider runs at ${devProvider.issuer}.`,
        `  Open ${gateway.url}/ and sign in under any name: each name is a user who sees only their own videos.`,
        '',
      ].join('\n'),
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    gateway
      .stop()
      .then(() => simulator?.stop())
      .then(() => devProvider?.stop())
      .then(() => tracing?.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`The gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

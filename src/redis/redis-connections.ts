/**
 * The Redis connections of one instance: one for commands and publishing, one
 * for subscribing (a subscribed connection can do nothing else). ioredis
 * reconnects by itself and re-subscribes the channels afterwards; while it is
 * away, `isReady` is false: /ready answers 503 and webhooks are refused with 503
 * rather than accepted and dropped.
 *
 * A Redis that is connected but does not answer (stopped, swapping, overloaded)
 * must not hold requests either: every command fails after `commandTimeoutMs`
 * (ioredis `commandTimeout`), which callers answer as STORE_UNAVAILABLE, and a
 * PING every second tells readiness whether Redis answers at all.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisConnections {
  readonly command: Redis;
  readonly subscriber: Redis;
  isReady(): boolean;
  close(): Promise<void>;
}

/** How often readiness asks Redis whether it answers. */
const PROBE_INTERVAL_MS = 1_000;

export function connectRedis(url: string, logger: Logger, commandTimeoutMs: number): RedisConnections {
  const password = passwordOf(url);
  if (password) logger.addSecret(password);

  const open = (role: string) => {
    const client = new Redis(url, {
      // Fail a command after two reconnection attempts instead of holding the request for long.
      maxRetriesPerRequest: 2,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      connectionName: `mavi-gateway-${role}`,
      commandTimeout: commandTimeoutMs,
    });
    let healthy = true;
    client.on('error', (error: Error) => {
      if (healthy) logger.warn(`Redis (${role}) connection failed; reconnecting`, { error: error.message });
      healthy = false;
    });
    client.on('ready', () => {
      if (!healthy) logger.info(`Redis (${role}) connection restored`);
      healthy = true;
    });
    return client;
  };

  const command = open('command');
  const subscriber = open('subscriber');
  // Both connections must answer: a PING on each, within the command timeout.
  let answering = true;
  const probe = setInterval(() => {
    Promise.all([command.ping(), subscriber.ping()]).then(
      () => {
        if (!answering) logger.info('Redis answers again');
        answering = true;
      },
      (error: unknown) => {
        if (answering) {
          logger.warn('Redis does not answer: not ready', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
        answering = false;
      },
    );
  }, PROBE_INTERVAL_MS).unref();
  return {
    command,
    subscriber,
    isReady: () => answering && command.status === 'ready' && subscriber.status === 'ready',
    async close() {
      clearInterval(probe);
      // Commands still queued (an UNSUBSCRIBE sent as the last subscription ended) are answered
      // first: a connection replies in order, so once a PING is answered they are done.
      await Promise.allSettled([command.ping(), subscriber.ping()]);
      await Promise.allSettled([command.quit(), subscriber.quit()]);
      command.disconnect();
      subscriber.disconnect();
    },
  };
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Redis connections of one instance: one for commands and publishing, one
 * for subscribing (a subscribed connection can do nothing else). ioredis
 * reconnects by itself and re-subscribes the channels afterwards; while it is
 * away, `isReady` is false: /ready answers 503 and webhooks are refused with 503
 * rather than accepted and dropped.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisConnections {
  readonly command: Redis;
  readonly subscriber: Redis;
  isReady(): boolean;
  close(): Promise<void>;
}

export function connectRedis(url: string, logger: Logger): RedisConnections {
  const password = passwordOf(url);
  if (password) logger.addSecret(password);

  const open = (role: string) => {
    const client = new Redis(url, {
      // Fail a command after two reconnection attempts instead of holding the request for long.
      maxRetriesPerRequest: 2,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      connectionName: `mavi-gateway-${role}`,
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
  return {
    command,
    subscriber,
    isReady: () => command.status === 'ready' && subscriber.status === 'ready',
    async close() {
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

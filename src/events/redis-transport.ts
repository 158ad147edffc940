/**
 * Events over Redis pub/sub, with @graphql-yoga/redis-event-target: an event
 * published on instance B reaches subscribers on instance A.
 *
 * The event target sends PUBLISH, SUBSCRIBE and UNSUBSCRIBE without waiting for
 * them. While Redis is away those commands fail, and an unheard rejection would
 * end the process; here each failure is logged instead. What a failed PUBLISH
 * does not deliver, polling and the replay on subscribe make up for; ioredis
 * subscribes its channels again when it reconnects.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Logger } from '../logger.js';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { EventTargetLike, EventTransport } from './event-bus.js';

export function redisTransport(connections: RedisConnections, logger: Logger): EventTransport {
  const { command, subscriber } = connections;
  const heard = (what: string) => (error: unknown) =>
    logger.warn(`Redis ${what} failed`, { error: error instanceof Error ? error.message : String(error) });
  const publishClient = {
    publish: (channel: string, message: string) => command.publish(channel, message).catch(heard('PUBLISH')),
  };
  const subscribeClient = {
    on: (event: 'message', listener: (channel: string, message: string) => void) => subscriber.on(event, listener),
    subscribe: (channel: string) => subscriber.subscribe(channel).catch(heard('SUBSCRIBE')),
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(heard('UNSUBSCRIBE')),
  };
  const target = createRedisEventTarget<CustomEvent>({
    publishClient: publishClient as unknown as typeof command,
    subscribeClient: subscribeClient as unknown as typeof subscriber,
  }) as unknown as EventTargetLike;
  return {
    target,
    // SUBSCRIBE is sent without waiting for it. Redis answers a connection's commands in
    // order, so once a PING sent after it is answered, the SUBSCRIBE is in force.
    settled: async () => {
      await subscriber.ping();
    },
  };
}

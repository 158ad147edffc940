/**
 * Events over Redis pub/sub, with @graphql-yoga/redis-event-target: an event
 * published on instance B reaches subscribers on instance A.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { RedisConnections } from '../redis/redis-connections.js';
import type { EventTargetLike, EventTransport } from './event-bus.js';

export function redisTransport(connections: RedisConnections): EventTransport {
  const target = createRedisEventTarget<CustomEvent>({
    publishClient: connections.command,
    subscribeClient: connections.subscriber,
  }) as unknown as EventTargetLike;
  return {
    target,
    // The event target sends SUBSCRIBE without waiting for it. Redis answers a connection's
    // commands in order, so once a PING sent after it is answered, the SUBSCRIBE is in force.
    settled: async () => {
      await connections.subscriber.ping();
    },
  };
}

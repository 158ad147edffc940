/**
 * A tus Locker on Redis, so that two instances never write one upload at once.
 *
 * tus's locking contract (@tus/utils Locker): a request that wants an upload
 * another request holds asks the holder to let go (`requestRelease`: a client
 * resuming after a dropped connection must not wait for the old, half-dead
 * request to time out), then waits for the lock. Here:
 *  - the lock is a key set with NX and a TTL, renewed while held, so a holder
 *    that dies (kill -9) frees it within LOCK_TTL_MS;
 *  - the request to let go is published on one channel; the instance holding
 *    the lock calls its holder's `requestRelease`;
 *  - unlocking deletes the key only if it still holds this holder's token.
 * No library offers this for ioredis (the tus project ships only MemoryLocker).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import type { Redis } from 'ioredis';

/** A held lock lives this long unless renewed; a dead holder's lock frees itself after it. */
const LOCK_TTL_MS = 10_000;
/** How often a holder renews its lock. */
const RENEW_EVERY_MS = 3_000;
/** How long a request waits for a lock before it is refused (tus's ERR_LOCK_TIMEOUT, 500). */
const ACQUIRE_TIMEOUT_MS = 30_000;
/** How often a waiting request tries again. */
const RETRY_EVERY_MS = 25;

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export class RedisLocker implements Locker {
  /** This instance's holders, by upload id: the ones it can ask to let go. */
  readonly holders = new Map<string, RequestRelease>();
  private readonly channel: string;

  constructor(
    readonly redis: Redis,
    /** A connection in subscriber mode (it can do nothing else). */
    subscriber: Redis,
    readonly prefix: string,
  ) {
    this.channel = `${prefix}tus-release`;
    void subscriber.subscribe(this.channel).catch(() => undefined); // ioredis subscribes again on reconnect
    subscriber.on('message', (channel: string, id: string) => {
      if (channel === this.channel) void this.holders.get(id)?.();
    });
  }

  newLock(id: string): Lock {
    return new RedisLock(this, id);
  }

  key(id: string): string {
    return `${this.prefix}tus-lock:${id}`;
  }

  askToRelease(id: string): Promise<number> {
    return this.redis.publish(this.channel, id);
  }
}

class RedisLock implements Lock {
  private readonly token = randomBytes(16).toString('hex');
  private renewal: NodeJS.Timeout | undefined;

  constructor(
    private readonly locker: RedisLocker,
    private readonly id: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { redis } = this.locker;
    const key = this.locker.key(this.id);
    const giveUpAt = Date.now() + ACQUIRE_TIMEOUT_MS;
    let asked = false;
    for (;;) {
      if (signal.aborted) throw ERRORS.ERR_LOCK_TIMEOUT;
      if ((await redis.set(key, this.token, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') break;
      if (!asked) {
        asked = true;
        await this.locker.askToRelease(this.id);
      }
      if (Date.now() > giveUpAt) throw ERRORS.ERR_LOCK_TIMEOUT;
      await sleep(RETRY_EVERY_MS);
    }
    this.locker.holders.set(this.id, requestRelease);
    this.renewal = setInterval(() => {
      redis.eval(RENEW, 1, key, this.token, LOCK_TTL_MS).catch(() => undefined); // a lost renewal: the TTL decides
    }, RENEW_EVERY_MS);
    this.renewal.unref();
  }

  async unlock(): Promise<void> {
    clearInterval(this.renewal);
    this.locker.holders.delete(this.id);
    await this.locker.redis.eval(UNLOCK, 1, this.locker.key(this.id), this.token);
  }
}

/**
 * Client keys (GATEWAY_API_KEYS), and the app's service keys (GATEWAY_SERVICE_KEYS, owner ids
 * `service:<name>` and `service-<digest>`, with the same rules). A caller is identified by `Authorization:
 * Bearer <key>`; everywhere else (video records, limits, logs, MAVI's partitions)
 * it is known by an owner id that never contains the key:
 *  - a named key (`name:key`) is `client:<name>`, so a key can be replaced
 *    under the same name and the client keeps its videos;
 *  - an unnamed key is `key-` and the first 16 hex digits of its SHA-256;
 *  - every caller of an open gateway (no keys) is `anonymous`.
 * Keys are compared as SHA-256 digests with timingSafeEqual, against every
 * configured key, so timing says nothing about how much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientKey } from '../config.js';
import { anonymousOwnerId, clientKeyOwnerId, clientPartition, serviceKeyOwnerId } from '../identity.js';

export interface ClientKeys {
  /** True when no keys are configured: every caller is anonymous. */
  readonly open: boolean;
  /** The caller's owner id for an Authorization value, or undefined when it carries no valid key. */
  identify(authorization: string | undefined): string | undefined;
  /** The owner id of the key a name (`Owner.key`: its name, or an unnamed key's id) names; undefined for none. */
  ownerIdNamed(name: string): string | undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function createClientKeys(keys: readonly ClientKey[], kind: 'client' | 'service' = 'client'): ClientKeys {
  const ownerIdOf = kind === 'client' ? clientKeyOwnerId : serviceKeyOwnerId;
  const known = keys.map(({ key, name }) => {
    const hash = digest(key);
    return { hash, ownerId: ownerIdOf(name, hash) };
  });
  return {
    open: keys.length === 0,
    ownerIdNamed: (name) => known.find(({ ownerId }) => clientPartition(ownerId) === name)?.ownerId,
    identify(authorization) {
      if (known.length === 0) return anonymousOwnerId;
      const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? '');
      if (!match) return undefined;
      const candidate = digest(match[1]!);
      let found: string | undefined;
      for (const entry of known) if (timingSafeEqual(candidate, entry.hash)) found = entry.ownerId;
      return found;
    },
  };
}

/**
 * Who is who, in one place: the identity model every layer shares, and the one spelling of
 * owner ids and groups that the stores' indexes (a SQL range, a Lua pattern) are built from.
 *
 *  - An **owner** is whoever uploaded a video: a client key (`client:<name>`, or `key-<digest>`
 *    for an unnamed key), a signed-in user (`user:<tenant digest>:<user digest>`), or, on an
 *    open gateway, `anonymous`. An owner id never holds a credential or a claim in the clear.
 *  - A **group** is the prefix its owners' ids share: a tenant's users, `user:<tenant digest>:`.
 *    A client key is in none.
 *  - A **viewer** is an owner asking, with the group it administers (AUTH_ADMIN_SCOPE), if any.
 *  - A **caller** is a viewer identified at the edge, whose token may expire.
 */
import { createHash } from 'node:crypto';

/**
 * An owner as the app knows it: the user and tenant claims its provider issued, or a client
 * key's name (its digest id for an unnamed key). Shown to the app's backend and to a tenant's
 * administrators; never sent to MAVI, logged or counted. Null where it does not apply.
 */
export interface OwnerNames {
  user: string | null;
  tenant: string | null;
  key: string | null;
}

/** Who owns a video, and where it lives at MAVI. */
export interface Owner {
  /** Which caller uploaded it (never a credential, never a claim in the clear). */
  ownerId: string;
  /**
   * The successor family's `unique_id` the video was uploaded under (MAVI_PARTITION); the original
   * family has none and ignores it. Kept with the video: changing MAVI_PARTITION moves no video.
   */
  partition: string;
  /** How the app names the owner; absent for videos uploaded before owners' names were kept. */
  names?: OwnerNames;
}

/** Who is asking: an owner, and the group it administers, if any. */
export interface Viewer extends Readonly<Owner> {
  /** The group whose every video this caller may see and manage. */
  readonly adminOf: string | undefined;
}

/** A viewer identified at the edge (an HTTP request, a websocket's connection_init). */
export interface Caller extends Viewer {
  /** When the caller's token expires (epoch ms); undefined for a client key, which does not. */
  readonly expiresAt: number | undefined;
}

/** Whose videos a list covers: one owner's, or a whole group's (an administrator's view). */
export type OwnerScope = { ownerId: string } | { group: string };

/** Every caller of an open gateway (no client keys, no tokens). */
export const anonymousOwnerId = 'anonymous';
const CLIENT_PREFIX = 'client:';
const SERVICE_PREFIX = 'service:';

/**
 * The group every owner id is in (every id starts with the empty string): the app's service key
 * (GATEWAY_SERVICE_KEYS) administers it, so it sees and manages every video of the deployment.
 */
export const EVERY_OWNER = '';
const USER_PREFIX = 'user:';

/** The owner id of a named client key, or of an unnamed one (by its key's digest). */
export function clientKeyOwnerId(name: string | undefined, keyDigest: Buffer): string {
  return name ? `${CLIENT_PREFIX}${name}` : `key-${keyDigest.toString('hex').slice(0, 16)}`;
}

/** The owner id of a named service key, or of an unnamed one: the app's servers, never a client. */
export function serviceKeyOwnerId(name: string | undefined, keyDigest: Buffer): string {
  return name ? `${SERVICE_PREFIX}${name}` : `service-${keyDigest.toString('hex').slice(0, 16)}`;
}

/** Whether the viewer is the app's backend (a service key): it sees every video, and may act for any owner. */
export function isService(viewer: Viewer): boolean {
  return viewer.adminOf === EVERY_OWNER;
}

/** A tenant's group: the prefix of its users' owner ids. */
export function userGroup(tenantDigest: string): string {
  return `${USER_PREFIX}${tenantDigest}:`;
}

/** A signed-in user's owner id, in its tenant's group. */
export function userOwnerId(tenantDigest: string, userDigest: string): string {
  return `${userGroup(tenantDigest)}${userDigest}`;
}

/**
 * The group an owner id is in, as a Lua pattern (the Redis store files a video under its group
 * in its scripts). It matches userGroup's output, and nothing else: digests hold no ':'.
 */
export const GROUP_LUA_PATTERN = `^${USER_PREFIX}[^:]+:`;

/** Whether an owner id is in the scope. */
export function inScope(scope: OwnerScope, ownerId: string): boolean {
  return 'ownerId' in scope ? ownerId === scope.ownerId : ownerId.startsWith(scope.group);
}

/**
 * Whether a viewer may see how the app names a video's owner (`Video.owner`): the app's service
 * key for every video, a tenant's administrator for its own tenant's. Nobody else, not even the
 * owner: the names are the app's records, not the user's.
 */
export function mayNameOwner(viewer: Viewer, ownerId: string): boolean {
  return viewer.adminOf !== undefined && ownerId.startsWith(viewer.adminOf);
}

/** The videos a viewer's list covers: its own, or its whole group's for an administrator. */
export function listScope(viewer: Viewer): OwnerScope {
  return viewer.adminOf !== undefined ? { group: viewer.adminOf } : { ownerId: viewer.ownerId };
}

/**
 * The owner ids of a scope as a range of an ordered index (SQLite's): one id, or every id that
 * starts with the group, which all sort before the group followed by the last code point.
 */
export function ownerIdRange(scope: OwnerScope): { from: string; to: string } {
  return 'ownerId' in scope
    ? { from: scope.ownerId, to: scope.ownerId }
    : { from: scope.group, to: `${scope.group}\u{10FFFF}` };
}

/**
 * The client's partition at MAVI (the successor family's `unique_id`) and its name in logs:
 * the key's name, the key's digest id, or "default" on an open gateway. Never the key.
 */
export function clientPartition(ownerId: string): string {
  if (ownerId === anonymousOwnerId) return 'default';
  return ownerId.startsWith(CLIENT_PREFIX) ? ownerId.slice(CLIENT_PREFIX.length) : ownerId;
}

/** A key's owner (a client key, or the app's service key): its partition and its name are both the key's name. */
export function keyOwner(ownerId: string): Owner {
  const name = clientPartition(ownerId);
  return { ownerId, partition: name, names: { user: null, tenant: null, key: name } };
}

/**
 * A digest of claims that no two lists of claims share. Claims joined by a line feed were
 * ambiguous once a claim held one (tenant `a\nx` with user `u`, tenant `a` with user `x\nu`),
 * so such a list is digested as its JSON instead. A list without a line feed keeps its
 * line-feed join, so every owner and partition made before stays as it was; and the two
 * forms never meet: a JSON array holds no raw line feed, a join of two or more claims does.
 */
export function claimsDigest(...claims: string[]): string {
  const text = claims.some((claim) => claim.includes('\n')) ? JSON.stringify(claims) : claims.join('\n');
  return createHash('sha256').update(text).digest('hex');
}

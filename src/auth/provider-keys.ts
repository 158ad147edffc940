/**
 * The identity provider's signing keys (its JWKS), as the token verifier asks
 * for them: found through AUTH_ISSUER's discovery document (or AUTH_JWKS_URL),
 * loaded once, and kept.
 *
 * Why not jose's `createRemoteJWKSet` alone: it forgets nothing it fetched, but
 * it also gives up its keys when they are older than its cache age and the
 * provider does not answer (every token then fails while the provider is away),
 * and its cool-down counts from the last fetch that succeeded, so while the
 * provider is away every token with an unknown `kid` tries again. Here:
 *  - a key set, once loaded, stays until a newer one is loaded: the provider
 *    being unreachable stops no token signed with a known key;
 *  - a token with an unknown `kid` refreshes the set at most once per
 *    cool-down (AUTH_JWKS_COOLDOWN_MS), counted from the last attempt, whatever its outcome,
 *    so a flood of made-up `kid`s costs the provider one request a cool-down;
 *  - the set is refreshed every REFRESH_INTERVAL_MS in the background, so a key
 *    the provider withdrew stops being trusted.
 * The keys themselves are matched by jose's local key set.
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { isSecureProviderUrl } from '../config.js';
import { networkCodeOf } from '../errors.js';

const REFRESH_INTERVAL_MS = 10 * 60_000;
/** A first load that fails is retried this often until it succeeds. */
const FIRST_LOAD_RETRY_MS = 5_000;
const FETCH_TIMEOUT_MS = 5_000;
/** A discovery document or key set is a few KiB; a provider answering more is not answering one. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
}

export interface ProviderKeysOptions {
  issuer: string;
  /** Where the keys are, when not the discovery document's `jwks_uri`. */
  jwksUrl: string | undefined;
  /** A token with an unknown `kid` refreshes the keys at most this often (from the last attempt). */
  cooldownMs: number;
  /** Told when a load fails (the message names the document and the reason; no secret is in it). */
  onLoadFailed: (message: string) => void;
}

export class ProviderKeys {
  private local: ReturnType<typeof createLocalJWKSet> | undefined;
  private lastAttempt = 0;
  private pending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** AUTH_JWKS_URL, or the discovery document's jwks_uri once read (read again after a failed load). */
  private jwksUrl: string | undefined;

  constructor(private readonly options: ProviderKeysOptions) {
    this.jwksUrl = options.jwksUrl;
  }

  /** True once a key set has been loaded (readiness). */
  get loaded(): boolean {
    return this.local !== undefined;
  }

  /** Starts loading: retried until the first load succeeds, then refreshed in the background. */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void this.refresh().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.local ? REFRESH_INTERVAL_MS : FIRST_LOAD_RETRY_MS);
        this.timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** jose's key lookup: throws ProviderUnavailableError while no key set was ever loaded. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.local) {
      // Not loaded yet: wait for a load under way, or start one when the last attempt is old enough.
      await (this.pending ?? (Date.now() - this.lastAttempt >= FIRST_LOAD_RETRY_MS ? this.refresh() : undefined));
      if (!this.local) throw new ProviderUnavailableError("The identity provider's keys are not loaded yet.");
    }
    try {
      return await this.local(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - this.lastAttempt < this.options.cooldownMs) {
        throw error;
      }
      await this.refresh();
      return this.local(header, token);
    }
  };

  /** One load at a time; a failed load keeps the keys already loaded. */
  private refresh(): Promise<void> {
    this.pending ??= this.load()
      .catch((error: unknown) => this.options.onLoadFailed(error instanceof Error ? error.message : String(error)))
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async load(): Promise<void> {
    this.lastAttempt = Date.now();
    const jwksUrl = (this.jwksUrl ??= await this.discoverJwksUrl());
    try {
      const keys = await fetchJson(jwksUrl, 'the key set');
      if (!Array.isArray((keys as Partial<JSONWebKeySet> | null)?.keys)) {
        throw new Error(`The key set at ${jwksUrl} has no "keys" list.`);
      }
      this.local = createLocalJWKSet(keys as JSONWebKeySet);
    } catch (error) {
      // The provider may have moved its keys: the next load reads its discovery document again.
      this.jwksUrl = this.options.jwksUrl;
      throw error;
    }
  }

  /**
   * The key set's address from AUTH_ISSUER's discovery document, which must name AUTH_ISSUER
   * itself as its issuer (OpenID Connect Discovery §4.3: another issuer's document must not be
   * used) and a key set reached as securely as AUTH_JWKS_URL must be.
   */
  private async discoverJwksUrl(): Promise<string> {
    const documentUrl = `${this.options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const document = (await fetchJson(documentUrl, "AUTH_ISSUER's discovery document")) as {
      issuer?: unknown;
      jwks_uri?: unknown;
    } | null;
    if (document?.issuer !== this.options.issuer) {
      throw new Error(
        `AUTH_ISSUER's discovery document (${documentUrl}) names the issuer ${quoted(document?.issuer)}, not AUTH_ISSUER "${this.options.issuer}": it is not used.`,
      );
    }
    if (typeof document.jwks_uri !== 'string') {
      throw new Error(`AUTH_ISSUER's discovery document (${documentUrl}) names no jwks_uri.`);
    }
    if (!isSecureProviderUrl(document.jwks_uri)) {
      throw new Error(
        `AUTH_ISSUER's discovery document (${documentUrl}) names the jwks_uri ${quoted(document.jwks_uri)}: keys are fetched over https only (http only on a loopback address).`,
      );
    }
    return document.jwks_uri;
  }
}

async function fetchJson(url: string, what: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = networkCodeOf(error) ?? (error as Error).message;
    throw new Error(`${what} (${url}) could not be fetched: ${cause}`, { cause: error });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${what} (${url}) answered HTTP ${response.status}.`);
  }
  // Read within the bound, whatever the provider declares: a larger answer is cut, not held.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
    size += read.value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      await reader!.cancel();
      throw new Error(`${what} (${url}) is larger than ${MAX_DOCUMENT_BYTES} bytes.`);
    }
    chunks.push(read.value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Error(`${what} (${url}) is not JSON.`);
  }
}

/** A value from a document, quoted for a log line, and cut: a data: URL can be long. */
function quoted(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/**
 * An OpenID provider of the tests' own, over real HTTP: it serves a discovery
 * document and a JWKS, and signs real tokens (jose) with its current key. It
 * counts what it is asked, rotates keys, and can stop answering, so tests can
 * see what the gateway asks of a provider and when.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompactSign,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { startStack, type Stack, type StackOptions } from './stack.js';
import { waitUntil } from './wait.js';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenOptions {
  /** Claims beyond the defaults (iss, aud, sub, iat, exp in an hour). */
  claims?: JWTPayload;
  /** Seconds from now until `exp` (default 3600; negative: already expired). */
  expiresIn?: number;
  /** Sign with this key id in the header instead of the current key's (its signature is still the current key's). */
  kid?: string;
  /** Header parameters beyond, or instead of, the defaults (alg ES256, kid, typ JWT); undefined drops one. */
  header?: Partial<JWTHeaderParameters>;
}

export class TestIdentityProvider {
  readonly audience = 'gateway-tests';
  /** Requests for the discovery document and for the key set. */
  readonly asked = { discovery: 0, jwks: 0 };
  /** False: every request is answered 503, as a provider that is down. */
  available = true;
  /** True: the key set is answered as an endless stream of bytes (chunked, no length declared). */
  endlessKeySet = false;
  /** Values the discovery document states instead of its true ones (another issuer, another jwks_uri). */
  discoveryOverrides: { issuer?: string; jwks_uri?: string } = {};
  private keys: SigningKey[] = [];
  private server: Server | undefined;
  private base = '';

  get issuer(): string {
    return this.base;
  }

  /** The gateway's environment for this provider. */
  get env(): Record<string, string> {
    return { AUTH_ISSUER: this.issuer, AUTH_AUDIENCE: this.audience };
  }

  async start(): Promise<void> {
    await this.addKey();
    this.server = createServer((req, res) => {
      if (!this.available) return res.writeHead(503).end();
      if (req.url === '/.well-known/openid-configuration') {
        this.asked.discovery += 1;
        return json(res, { issuer: this.issuer, jwks_uri: `${this.base}/jwks`, ...this.discoveryOverrides });
      }
      if (req.url === '/jwks' && this.endlessKeySet) {
        this.asked.jwks += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 32);
        const more = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', more);
        };
        res.write('{"keys":[');
        more();
        return;
      }
      if (req.url === '/jwks') {
        this.asked.jwks += 1;
        return json(res, { keys: this.keys.map((key) => key.publicJwk) });
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Publishes a new key and signs with it from now on; `dropOld` withdraws the others. */
  async rotate(dropOld = false): Promise<void> {
    const old = [...this.keys];
    await this.addKey();
    if (dropOld) this.keys = this.keys.filter((key) => !old.includes(key));
  }

  /** Signs with the key published before the current one from now on (both stay published). */
  signWithOlderKey(): void {
    const [older, current] = this.keys.splice(-2, 2);
    this.keys.push(current!, older!);
  }

  /** A token for `sub`, signed with the current key. */
  async token(sub: string, options: TokenOptions = {}): Promise<string> {
    const key = this.keys.at(-1)!;
    const now = Math.floor(Date.now() / 1000);
    // The claims given override the defaults (a wrong issuer or audience, an nbf).
    return (
      new SignJWT({
        iss: this.issuer,
        aud: this.audience,
        sub,
        iat: now,
        exp: now + (options.expiresIn ?? 3600),
        ...options.claims,
      })
        .setProtectedHeader(
          withoutUndefined({ alg: 'ES256', kid: options.kid ?? key.kid, typ: 'JWT', ...options.header }),
        )
        // jose signs a `crit` header only for extensions it is told it knows.
        .sign(key.privateKey, { crit: Object.fromEntries((options.header?.crit ?? []).map((name) => [name, true])) })
    );
  }

  /** A token whose claims are this JSON text as written (`{"exp":1e400}` is no value jose would sign), with the current key. */
  async tokenFromText(claimsJson: string): Promise<string> {
    const key = this.keys.at(-1)!;
    return new CompactSign(new TextEncoder().encode(claimsJson))
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  /** The current key's public JWK (for forgeries that misuse it). */
  get publicJwk(): JWK {
    return this.keys.at(-1)!.publicJwk;
  }

  private async addKey(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `key-${this.keys.length + 1}-${Date.now().toString(36)}`;
    this.keys.push({ kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } });
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function json(res: import('node:http').ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** Bearer headers for a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A gateway that takes `provider`'s tokens (and `options.env` besides), once it has loaded the provider's keys. */
export async function startTokenStack(provider: TestIdentityProvider, options: StackOptions = {}): Promise<Stack> {
  const stack = await startStack({ ...options, env: { ...provider.env, ...options.env } });
  await waitUntil(async () => (await fetch(`${stack.url}/ready`)).status === 200, "the provider's keys loaded");
  return stack;
}

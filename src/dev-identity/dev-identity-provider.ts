/**
 * A development OpenID provider, for trying end users' tokens out with `npm start`
 * on the simulator (DEV_IDENTITY_PROVIDER=on): oidc-provider with its development
 * sign-in page, where any name signs in as that user. Two people who sign in as
 * two names are two users, and neither sees the other's videos.
 *
 * It issues what a real provider issues: JWT access tokens for the gateway's
 * audience (resource indicators), signed with an ES256 key made at start, to the
 * web app as a public client (authorization code with PKCE, refresh tokens).
 * Only index.ts starts it, and never with a MAVI key (config.ts refuses).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** The audience of the tokens it issues (the gateway's AUTH_AUDIENCE). */
export const DEV_AUDIENCE = 'urn:mavi-gateway:dev';
/** The web app's client id (the gateway's AUTH_WEB_CLIENT_ID). */
export const DEV_WEB_CLIENT_ID = 'mavi-gateway-web-app';

export interface DevIdentityProvider {
  readonly issuer: string;
  stop(): Promise<void>;
}

export interface DevIdentityProviderOptions {
  host: string;
  port: number;
  /** How long an access token lives (DEV_IDENTITY_PROVIDER_TOKEN_SECONDS): the web app refreshes it before then. */
  accessTokenSeconds: number;
}

export async function startDevIdentityProvider(options: DevIdentityProviderOptions): Promise<DevIdentityProvider> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: `dev-${Date.now().toString(36)}`,
    alg: 'ES256',
    use: 'sig',
  };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const issuer = `http://${host}:${address.port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: DEV_WEB_CLIENT_ID,
        // A browser app: no secret, PKCE instead. "native" lets any loopback port be the web app's (RFC 8252).
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/', 'http://localhost/'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    scopes: ['openid', 'offline_access'],
    pkce: { required: () => true },
    clientBasedCORS: () => true,
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Development only: every sign-in is consented to at once (a real provider asks the user).
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid offline_access');
      grant.addResourceScope(DEV_AUDIENCE, 'openid offline_access');
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEV_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid offline_access',
          audience: DEV_AUDIENCE,
          accessTokenTTL: options.accessTokenSeconds,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    void handle(req, res);
  });

  return {
    issuer,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

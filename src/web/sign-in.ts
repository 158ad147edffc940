/**
 * Signing the user in with the app's OpenID provider, when the gateway says it
 * takes users' tokens (GET /web-app/sign-in.json): authorization code with PKCE
 * in the browser, through oauth4webapi (a maintained OpenID client library). The
 * tokens live in this tab's sessionStorage; the access token is refreshed a
 * minute before it expires, so every request carries a valid one.
 */
import * as oauth from 'oauth4webapi';

export interface SignInConfig {
  issuer: string;
  clientId: string;
  audience: string;
}

interface Tokens {
  accessToken: string;
  refreshToken: string | undefined;
  /** Epoch ms. */
  expiresAt: number;
  /** When it was issued (epoch ms): with expiresAt, its lifetime. */
  issuedAt: number;
  /** Who is signed in, as the provider's ID token names them. */
  user: string;
}

const TOKENS = 'mavi-gateway.tokens';
const PENDING = 'mavi-gateway.sign-in';
const SCOPE = 'openid offline_access';
/** A token is refreshed a minute before it expires, or halfway through its life when that is later. */
const REFRESH_EARLY_MS = 60_000;

/** The web app's own address: where the provider sends the user back. */
const redirectUri = () => `${location.origin}/`;

export class SignIn {
  private tokens: Tokens | undefined;
  private refreshTimer: number | undefined;

  private constructor(
    private readonly config: SignInConfig,
    private readonly server: oauth.AuthorizationServer,
    private readonly onChange: () => void,
  ) {
    const stored = sessionStorage.getItem(TOKENS);
    this.tokens = stored ? (JSON.parse(stored) as Tokens) : undefined;
  }

  /** The gateway's sign-in settings, or undefined when it takes client keys only. */
  static async configured(onChange: () => void): Promise<SignIn | undefined> {
    const response = await fetch('/web-app/sign-in.json');
    const config = ((await response.json()) as { signIn: SignInConfig | null }).signIn;
    if (!config) return undefined;
    const issuer = new URL(config.issuer);
    const server = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' }),
    );
    const signIn = new SignIn(config, server, onChange);
    await signIn.completeIfReturning();
    signIn.scheduleRefresh();
    return signIn;
  }

  /** The current access token, or undefined when nobody is signed in. */
  get accessToken(): string | undefined {
    return this.tokens?.accessToken;
  }

  get user(): string | undefined {
    return this.tokens?.user;
  }

  /** Sends the browser to the provider's sign-in page. */
  async start(): Promise<void> {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    sessionStorage.setItem(PENDING, JSON.stringify({ codeVerifier, state }));
    const url = new URL(this.server.authorization_endpoint!);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('redirect_uri', redirectUri());
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', SCOPE);
    url.searchParams.set('resource', this.config.audience);
    url.searchParams.set('prompt', 'consent');
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    location.assign(url.href);
  }

  signOut(): void {
    this.tokens = undefined;
    sessionStorage.removeItem(TOKENS);
    clearTimeout(this.refreshTimer);
    this.onChange();
  }

  private get client(): oauth.Client {
    return { client_id: this.config.clientId };
  }

  private get insecure() {
    return { [oauth.allowInsecureRequests]: new URL(this.config.issuer).protocol === 'http:' };
  }

  /** Back from the provider with `?code=…&state=…`: the code becomes tokens, and the URL is cleaned. */
  private async completeIfReturning(): Promise<void> {
    const here = new URL(location.href);
    const pending = sessionStorage.getItem(PENDING);
    if (!pending || (!here.searchParams.has('code') && !here.searchParams.has('error'))) return;
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, '', '/');
    const { codeVerifier, state } = JSON.parse(pending) as { codeVerifier: string; state: string };
    const parameters = oauth.validateAuthResponse(this.server, this.client, here, state);
    const response = await oauth.authorizationCodeGrantRequest(
      this.server,
      this.client,
      oauth.None(),
      parameters,
      redirectUri(),
      codeVerifier,
      { ...this.insecure, additionalParameters: { resource: this.config.audience } },
    );
    this.keep(await oauth.processAuthorizationCodeResponse(this.server, this.client, response));
  }

  private keep(answer: oauth.TokenEndpointResponse): void {
    const claims = oauth.getValidatedIdTokenClaims(answer);
    this.tokens = {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token ?? this.tokens?.refreshToken,
      expiresAt: Date.now() + (answer.expires_in ?? 300) * 1000,
      issuedAt: Date.now(),
      user: claims?.sub ?? this.tokens?.user ?? '',
    };
    sessionStorage.setItem(TOKENS, JSON.stringify(this.tokens));
    this.onChange();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const tokens = this.tokens;
    if (!tokens?.refreshToken) return;
    const lifetime = tokens.expiresAt - tokens.issuedAt;
    const refreshAt = tokens.issuedAt + Math.max(lifetime / 2, lifetime - REFRESH_EARLY_MS);
    this.refreshTimer = window.setTimeout(() => void this.refresh(), Math.max(0, refreshAt - Date.now()));
  }

  private async refresh(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return;
    try {
      const response = await oauth.refreshTokenGrantRequest(this.server, this.client, oauth.None(), refreshToken, {
        ...this.insecure,
        additionalParameters: { resource: this.config.audience },
      });
      this.keep(await oauth.processRefreshTokenResponse(this.server, this.client, response));
      this.scheduleRefresh();
    } catch {
      this.signOut(); // the provider ended the session: sign in again
    }
  }
}

/**
 * What a signed-in user's token costs (issue 37): requests per second through one gateway with a
 * user's ES256 token against the same requests with a client key, by turns (key, token, key,
 * token…), and what one ES256 verification costs in this process (jose, the gateway's library).
 * The provider is a JWKS served from this process; the operation is `{ __typename }`, so the
 * difference is the caller's authentication and little else.
 *
 *   npx tsx bench/token-verification.ts [requests] [pairs]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { Agent, request } from 'undici';
import { startGatewayOn, startSimulator } from './lib/child.js';
import { cpuSeconds } from './lib/memory.js';
import { fmt, median, signed } from './lib/stats.js';

export interface TokenVerificationRow {
  requests: number;
  /** Requests per second, each run's. */
  clientKey: number[];
  userToken: number[];
  /** Gateway CPU microseconds per request, each run's. */
  clientKeyCpuUs: number[];
  userTokenCpuUs: number[];
  /** Microseconds per ES256 verification with jose, in this process. */
  verifyUs: number;
}

const AUDIENCE = 'urn:mavi-gateway:bench';
const CLIENT_KEY = 'bench-client-key-0123456789abcdef';
const CONCURRENCY = 32;

export async function benchTokenVerification(requests: number, pairs: number): Promise<TokenVerificationRow> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
  const token = await new SignJWT({ scope: 'openid' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);

  const simulator = await startSimulator();
  const gateway = await startGatewayOn(simulator, {
    AUTH_ISSUER: issuer,
    AUTH_JWKS_URL: `${issuer}/jwks`,
    AUTH_AUDIENCE: AUDIENCE,
    GATEWAY_API_KEYS: `bench:${CLIENT_KEY}`,
  });
  const dispatcher = new Agent({ connections: CONCURRENCY });
  const pid = gateway.child.proc.pid!;
  const row: TokenVerificationRow = {
    requests,
    clientKey: [],
    userToken: [],
    clientKeyCpuUs: [],
    userTokenCpuUs: [],
    verifyUs: NaN,
  };
  /** `count` requests, CONCURRENCY at a time; requests per second and gateway CPU µs per request. */
  const load = async (authorization: string, count: number) => {
    let next = 0;
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const worker = async () => {
      while (next < count) {
        next += 1;
        const answer = await request(`${gateway.url}/graphql`, {
          method: 'POST',
          dispatcher,
          headers: { 'content-type': 'application/json', authorization },
          body: '{"query":"{ __typename }"}',
        });
        const text = await answer.body.text();
        if (answer.statusCode !== 200 || !text.includes('"Query"')) {
          throw new Error(`refused (${answer.statusCode}): ${text.slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: count / seconds, cpuUs: ((cpuSeconds(pid) - cpuBefore) * 1e6) / count };
  };
  try {
    // Warm both paths (JIT, the provider's keys) unmeasured.
    await load(`Bearer ${CLIENT_KEY}`, 2000);
    await load(`Bearer ${token}`, 2000);
    for (let pair = 1; pair <= pairs; pair += 1) {
      const key = await load(`Bearer ${CLIENT_KEY}`, requests);
      const user = await load(`Bearer ${token}`, requests);
      row.clientKey.push(key.perSecond);
      row.clientKeyCpuUs.push(key.cpuUs);
      row.userToken.push(user.perSecond);
      row.userTokenCpuUs.push(user.cpuUs);
      process.stderr.write(
        `  token verification pair ${pair}: client key ${fmt(key.perSecond, 0)}/s (${fmt(key.cpuUs, 0)} µs CPU each), user token ${fmt(user.perSecond, 0)}/s (${fmt(user.cpuUs, 0)} µs)\n`,
      );
    }
  } finally {
    await dispatcher.close();
    await gateway.child.stop();
    await simulator.child.stop();
    jwks.close();
  }

  // One verification, as the gateway does it (jose's jwtVerify, the key already fetched).
  const getKey: JWTVerifyGetKey = async () => publicKey;
  const verifyOnce = () => jwtVerify(token, getKey, { issuer, audience: AUDIENCE, algorithms: ['ES256'] });
  for (let warm = 0; warm < 500; warm += 1) await verifyOnce();
  const rounds = 5000;
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) await verifyOnce();
  row.verifyUs = ((performance.now() - started) * 1000) / rounds;
  return row;
}

export function tokenVerificationTable(row: TokenVerificationRow): string[] {
  const ratios = row.userToken.map((perSecond, index) => perSecond / row.clientKey[index]!);
  const extraUs = row.userTokenCpuUs.map((cpu, index) => cpu - row.clientKeyCpuUs[index]!);
  return [
    `| caller | requests/s (median; every run) | gateway CPU µs per request (median) |`,
    '|---|---|---|',
    `| client key | ${fmt(median(row.clientKey), 0)} (${row.clientKey.map((value) => fmt(value, 0)).join(', ')}) | ${fmt(median(row.clientKeyCpuUs), 0)} |`,
    `| user token (ES256) | ${fmt(median(row.userToken), 0)} (${row.userToken.map((value) => fmt(value, 0)).join(', ')}) | ${fmt(median(row.userTokenCpuUs), 0)} |`,
    `| user token against client key | ${fmt(median(ratios), 2)}x (pairs ${ratios.map((ratio) => fmt(ratio, 2)).join(', ')}) | ${signed(median(extraUs), 0)} µs |`,
    `| one ES256 verification (jose, in the bench process) | – | ${fmt(row.verifyUs, 0)} µs |`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const row = await benchTokenVerification(Number(process.argv[2] ?? 20_000), Number(process.argv[3] ?? 3));
  process.stdout.write(`${tokenVerificationTable(row).join('\n')}\n`);
}

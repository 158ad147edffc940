/**
 * The deployment examples in deploy/ are checked, not only written (they are not run here: no
 * cluster, and `podman run` is refused; the image itself is run by test/e2e/image/):
 *  - every Kubernetes manifest validates against Kubernetes' schemas (kubernetes-models);
 *  - every variable a manifest or the compose file sets is one the gateway knows, and together
 *    they make a configuration the gateway accepts;
 *  - the probes name the gateway's own routes and port, and the grace period outlasts
 *    SHUTDOWN_TIMEOUT_MS;
 *  - the compose file parses, and its load balancer passes websockets through.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { variablesOf } from '../../src/config/variable.js';
import { VARIABLES } from '../../src/config/variables.js';
import { HEALTH_PATH, READY_PATH } from '../../src/edge/paths.js';

const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;
const KNOWN = new Set(variablesOf(VARIABLES).map((variable) => variable.name));
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, any>;
}

function manifestsIn(folder: string): Manifest[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) =>
      parseAllDocuments(readFileSync(join(folder, name), 'utf8')).map((doc) => doc.toJS() as Manifest),
    );
}

const setups = readdirSync(join(DEPLOY, 'kubernetes')).map(
  (name) => [name, manifestsIn(join(DEPLOY, 'kubernetes', name))] as const,
);

/** What a secret reference stands for, when the test reads a manifest's environment. */
const PLACEHOLDERS: Record<string, string> = {
  'mavi-api-key': 'a-mavi-api-key-placeholder',
  'gateway-api-keys': 'mobile:a-client-key-placeholder-000001',
  'webhook-secret': 'a-webhook-secret-placeholder-0001',
  'redis-url': 'redis://127.0.0.1:6379',
  's3-access-key-id': 'an-access-key-id',
  's3-secret-access-key': 'a-secret-access-key',
};

describe.each(setups)('Kubernetes manifests: %s', (_name, manifests) => {
  const deployment = manifests.find((manifest) => manifest.kind === 'Deployment')!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('validate against the Kubernetes schemas, and hold a Deployment, a Service and a PodDisruptionBudget', () => {
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
      expect(
        () => new Model!(manifest as never).validate(),
        `${manifest.kind} ${manifest.metadata.name}`,
      ).not.toThrow();
    }
    expect(manifests.map((manifest) => manifest.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'Service', 'PodDisruptionBudget']),
    );
    // A manifest that breaks the schema is caught: the check is not a formality.
    expect(() =>
      new Deployment({ ...deployment, spec: { ...deployment.spec, replicas: 'three' } } as never).validate(),
    ).toThrow();
  });

  it('set only variables the gateway knows, secrets by reference, into a configuration it accepts', () => {
    const env: Record<string, string> = {};
    for (const entry of container.env as { name: string; value?: string; valueFrom?: any }[]) {
      expect(KNOWN.has(entry.name), entry.name).toBe(true);
      if (entry.valueFrom) {
        const key = entry.valueFrom.secretKeyRef.key as string;
        expect(PLACEHOLDERS[key], key).toBeDefined();
        env[entry.name] = PLACEHOLDERS[key]!;
      } else env[entry.name] = entry.value!;
    }
    for (const secret of ['MAVI_API_KEY', 'GATEWAY_API_KEYS', 'WEBHOOK_SECRET']) {
      expect(
        container.env.find((entry: { name: string }) => entry.name === secret).valueFrom.secretKeyRef,
      ).toBeDefined();
    }
    expect(() => loadConfig({ ...env, DATA_DIR: '/data' })).not.toThrow();
  });

  it("probe the gateway's own routes on its port, and let a shutdown finish before the kill", () => {
    const port = container.ports.find((entry: { name: string }) => entry.name === 'http');
    expect(port.containerPort).toBe(4000); // the image's PORT
    expect(container.readinessProbe.httpGet).toEqual({ path: READY_PATH, port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
    const shutdownMs = Number(
      container.env.find((entry: { name: string }) => entry.name === 'SHUTDOWN_TIMEOUT_MS').value,
    );
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(shutdownMs);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
  });
});

describe('the compose file', () => {
  const compose = parse(readFileSync(join(DEPLOY, 'compose/compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { build?: { dockerfile: string }; environment?: Record<string, string> }>;
  };

  it('runs two gateways from the Containerfile, with only variables the gateway knows, sharing Redis and S3', () => {
    const gateways = Object.entries(compose.services).filter(
      ([, service]) => service.build?.dockerfile === 'Containerfile',
    );
    expect(gateways.map(([name]) => name)).toEqual(['gateway-a', 'gateway-b']);
    for (const [name, service] of gateways) {
      for (const variable of Object.keys(service.environment ?? {}))
        expect(KNOWN.has(variable), `${name}: ${variable}`).toBe(true);
      const env = Object.fromEntries(
        Object.entries(service.environment!).map(([key, value]) => [
          key,
          value.replace(/\$\{[^}]*\}/g, 'a-placeholder-of-16-chars+'),
        ]),
      );
      expect(() =>
        loadConfig({ ...env, PUBLIC_URL: 'http://localhost:8080', REDIS_URL: 'redis://redis:6379' }),
      ).not.toThrow();
      expect(env).toMatchObject({ STORE: 'redis', STAGING_S3_BUCKET: 'mavi-gateway-staging' });
    }
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['redis', 'minio', 'load-balancer']));
  });

  it('balances with websockets passed through and uploads streamed', () => {
    const nginx = readFileSync(join(DEPLOY, 'compose/nginx.conf'), 'utf8');
    expect(nginx).toMatch(/server gateway-a:4000;\s+server gateway-b:4000;/);
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).toContain('proxy_request_buffering off;');
  });
});

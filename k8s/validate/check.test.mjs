// Tests of check.mjs itself: a checker that passes everything would make .ci/k8s-check worthless. fixtures/good.yaml
// passes; each test breaks one rule and expects exactly that rule's message. Run: node --test (in this directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkPolicy, checkSchemas, parseManifests } from './check.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const good = () => parseManifests(readFileSync(here('fixtures/good.yaml'), 'utf8'));
const find = (docs, kind) => docs.find((o) => o.kind === kind);
const container = (docs) => find(docs, 'Deployment').spec.template.spec.containers[0];

async function problemsAfter(change, options) {
  const docs = good();
  change(docs);
  return [...await checkSchemas(docs), ...checkPolicy(docs, options)];
}

function assertReported(problems, fragment) {
  assert.ok(problems.some((p) => p.includes(fragment)), `expected a problem containing "${fragment}", got:\n${problems.join('\n')}`);
}

test('the good fixture passes schemas and policy, also as production', async () => {
  assert.deepEqual(await problemsAfter(() => {}), []);
  assert.deepEqual(await problemsAfter(() => {}, { production: true }), []);
});

test('the CLI refuses a manifest without probes and accepts the good one', () => {
  const run = (file) => spawnSync(process.execPath, [here('check.mjs'), here(file)], { encoding: 'utf8' });
  const bad = run('fixtures/no-probes.yaml');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /container svc-demo: no livenessProbe/);
  assert.match(bad.stderr, /container svc-demo: no readinessProbe/);
  assert.equal(run('fixtures/good.yaml').status, 0);
});

test('schema: a port that is not a number is refused', async () => {
  assertReported(await problemsAfter((d) => { container(d).ports[0].containerPort = 'grpc-port'; }), 'containerPort must be integer');
});

test('schema: a Deployment without a selector is refused', async () => {
  assertReported(await problemsAfter((d) => { delete find(d, 'Deployment').spec.selector; }), 'must have required property selector');
});

test('schema: an unknown kind is refused', async () => {
  assertReported(await problemsAfter((d) => { d.push({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }); }), 'unknown apiVersion/kind');
});

test('a missing memory limit is reported', async () => {
  assertReported(await problemsAfter((d) => { delete container(d).resources.limits.memory; }), 'no resources.limits.memory');
});

test('a missing cpu request is reported', async () => {
  assertReported(await problemsAfter((d) => { delete container(d).resources.requests.cpu; }), 'no resources.requests.cpu');
});

test('security context: each weakening is reported', async () => {
  assertReported(await problemsAfter((d) => { container(d).securityContext.allowPrivilegeEscalation = true; }), 'allowPrivilegeEscalation is not false');
  assertReported(await problemsAfter((d) => { delete container(d).securityContext.readOnlyRootFilesystem; }), 'readOnlyRootFilesystem is not true');
  assertReported(await problemsAfter((d) => { container(d).securityContext.capabilities.drop = ['NET_RAW']; }), 'capabilities.drop lacks ALL');
  assertReported(await problemsAfter((d) => { container(d).securityContext.capabilities.add = ['NET_ADMIN']; }), 'adds capabilities');
  assertReported(await problemsAfter((d) => { delete find(d, 'Deployment').spec.template.spec.securityContext.runAsNonRoot; }), 'runAsNonRoot is not true');
  assertReported(await problemsAfter((d) => { delete find(d, 'Deployment').spec.template.spec.securityContext.seccompProfile; }), 'seccompProfile is not RuntimeDefault');
});

test('init containers need resources and a security context but no probes', async () => {
  const init = (d) => {
    const c = structuredClone(container(d));
    delete c.livenessProbe; delete c.readinessProbe; c.name = 'init';
    find(d, 'Deployment').spec.template.spec.initContainers = [c];
    return c;
  };
  assert.deepEqual(await problemsAfter((d) => { init(d); }), []);
  assertReported(await problemsAfter((d) => { delete init(d).resources; }), 'container init: no resources.requests.cpu');
  assertReported(await problemsAfter((d) => { delete init(d).securityContext; }), 'container init: readOnlyRootFilesystem is not true');
});

test('a service probed over HTTP instead of gRPC health is reported', async () => {
  assertReported(await problemsAfter((d) => { container(d).readinessProbe = { httpGet: { path: '/health', port: 9101 } }; }), 'readinessProbe is not a grpc probe');
});

test('a read-only root filesystem without an emptyDir at /tmp is reported', async () => {
  assertReported(await problemsAfter((d) => { container(d).volumeMounts = []; }), 'no emptyDir at /tmp');
});

test('an untagged or latest image is reported', async () => {
  assertReported(await problemsAfter((d) => { container(d).image = 'pinhole/svc-demo'; }), 'has no fixed tag');
  assertReported(await problemsAfter((d) => { container(d).image = 'pinhole/svc-demo:latest'; }), 'has no fixed tag');
});

test('a mounted service account token is reported', async () => {
  assertReported(await problemsAfter((d) => { find(d, 'ServiceAccount').automountServiceAccountToken = true; }), 'service account token is mounted');
});

test('a ConfigMap referenced but not rendered is reported', async () => {
  assertReported(await problemsAfter((d) => { container(d).envFrom[0].configMapRef.name = 'svc-dmeo'; }), 'ConfigMap svc-dmeo is referenced but not in the rendering');
});

test('a Secret referenced but not rendered is reported locally, expected in production', async () => {
  const secretRef = (d) => { container(d).env = [{ name: 'PINHOLE_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'pinhole-db', key: 'password' } } }]; };
  assertReported(await problemsAfter(secretRef), 'Secret pinhole-db is referenced but not in the rendering');
  assert.deepEqual(await problemsAfter(secretRef, { production: true }), []);
});

test('a rendered Secret is refused in production', async () => {
  const secret = (d) => { d.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pinhole-db' }, stringData: { password: 'x' } }); };
  assert.deepEqual(await problemsAfter(secret), []);
  assertReported(await problemsAfter(secret, { production: true }), 'credentials are created in the cluster');
});

test('a service without a disruption budget is reported', async () => {
  assertReported(await problemsAfter((d) => { find(d, 'PodDisruptionBudget').spec.selector.matchLabels['app.kubernetes.io/name'] = 'other'; }), 'no PodDisruptionBudget');
});

test('replicas beside an autoscaler are reported; production wants an autoscaler of at least 2', async () => {
  assertReported(await problemsAfter((d) => { find(d, 'Deployment').spec.replicas = 3; }), 'sets replicas although');
  assertReported(await problemsAfter((d) => { find(d, 'HorizontalPodAutoscaler').spec.minReplicas = 1; }, { production: true }), 'no autoscaler keeping at least 2');
});

test('a ClusterIP Service in front of a gRPC service is reported', async () => {
  assertReported(await problemsAfter((d) => { delete find(d, 'Service').spec.clusterIP; }), 'is not headless');
});

test('network: no default deny, or a service open to any source, is reported', async () => {
  assertReported(await problemsAfter((d) => { d.splice(d.indexOf(find(d, 'NetworkPolicy')), 1); }), 'no default-deny ingress');
  const openService = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open' },
    spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc-demo' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 9101 }] }] } };
  assertReported(await problemsAfter((d) => { d.push(openService); }), 'only the gateway may be public');
});

test('transaction pooling requires prepareThreshold 0 and extra_float_digits ignored', async () => {
  const pgbouncer = (ini, threshold) => (d) => {
    d.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pgbouncer' }, data: { 'pgbouncer.ini': ini } });
    d.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pinhole-infra' },
      data: { PINHOLE_DB_SERVERS: 'pgbouncer-0:6432', PINHOLE_DB_PREPARE_THRESHOLD: threshold } });
  };
  const ok = 'pool_mode = transaction\nignore_startup_parameters = extra_float_digits\n';
  assert.deepEqual(await problemsAfter(pgbouncer(ok, '0')), []);
  assertReported(await problemsAfter(pgbouncer(ok, '5')), 'PINHOLE_DB_PREPARE_THRESHOLD is not 0');
  assertReported(await problemsAfter(pgbouncer('pool_mode = transaction\n', '0')), 'extra_float_digits');
});

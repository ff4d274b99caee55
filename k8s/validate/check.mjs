// Offline checks of a rendered overlay (the output of `kubectl kustomize k8s/overlays/<name>`):
//   1. schemas: every object validated against the Kubernetes API schema of its apiVersion and kind (npm
//      kubernetes-models: wrong types, missing required fields, malformed quantities and ports). Unknown fields are
//      not reported (the models allow them): a misspelt probe is caught by the policy below instead.
//   2. policy: what Pinhole's pods must have (k8s/README.md, "What the checks enforce").
//
//   node check.mjs [--production] RENDERED.yaml
//
// --production adds the rules of a real deployment: no Secret objects (credentials are created in the cluster,
// never committed), at least two replicas of every service through its autoscaler.
// Exit status 0 when both pass; every problem is printed, not only the first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';

const require = createRequire(import.meta.url);
const modelsRoot = require.resolve('kubernetes-models/package.json').replace(/package\.json$/, '');

/** Parses a multi-document YAML stream into plain objects (empty documents dropped). */
export function parseManifests(text) {
  const docs = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`YAML: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value) docs.push(value);
  }
  return docs;
}

const nameOf = (o) => `${o.kind}/${o.metadata?.name ?? '?'}`;

/** Validates each object against its kind's schema; returns problems as strings. */
export async function checkSchemas(docs) {
  const problems = [];
  for (const o of docs) {
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      problems.push(`${nameOf(o)}: no apiVersion or kind`);
      continue;
    }
    // "apps/v1" → apps/v1/Deployment, "v1" → v1/Service: the package's own layout.
    const modulePath = `${modelsRoot}${o.apiVersion}/${o.kind}.js`;
    let Model;
    try {
      Model = (await import(modulePath))[o.kind];
    } catch {
      problems.push(`${nameOf(o)}: unknown apiVersion/kind ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      problems.push(`${nameOf(o)}: schema: ${e.message.split('\n').slice(0, 5).join('; ')}`);
    }
  }
  return problems;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
const PINHOLE_COMPONENTS = new Set(['service', 'gateway']);

function matches(selector, labels) {
  const wanted = selector?.matchLabels ?? {};
  if (Object.keys(wanted).length === 0 && !selector?.matchExpressions) return true; // {} selects every pod
  if (selector?.matchExpressions) return false; // not used by Pinhole; treat as not matching
  return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

function checkContainer(where, c, pod, { init }) {
  const problems = [];
  const at = `${where} container ${c.name}`;
  if (!init) {
    if (!c.livenessProbe) problems.push(`${at}: no livenessProbe`);
    if (!c.readinessProbe) problems.push(`${at}: no readinessProbe`);
  }
  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      if (c.resources?.[kind]?.[resource] === undefined) problems.push(`${at}: no resources.${kind}.${resource}`);
    }
  }
  const sc = c.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: capabilities.drop lacks ALL`);
  if ((sc.capabilities?.add ?? []).length) problems.push(`${at}: adds capabilities ${sc.capabilities.add}`);
  if (sc.privileged) problems.push(`${at}: privileged`);
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot is not true`);
  if ((sc.runAsUser ?? podSc.runAsUser) === 0) problems.push(`${at}: runs as user 0`);
  if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault') {
    problems.push(`${at}: seccompProfile is not RuntimeDefault`);
  }
  if (!c.image || /:latest$/.test(c.image) || !/[:@]/.test(c.image.split('/').pop())) {
    problems.push(`${at}: image ${c.image} has no fixed tag (untagged or :latest)`);
  }
  return problems;
}

/** Rules for Pinhole's own containers: the probes they are meant to use and a writable /tmp. */
function checkPinholeContainer(where, component, c, pod) {
  const problems = [];
  const at = `${where} container ${c.name}`;
  const ports = (c.ports ?? []).map((p) => p.containerPort);
  if (component === 'service') {
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      if (c[probe] && !(c[probe].grpc && ports.includes(c[probe].grpc.port))) {
        problems.push(`${at}: ${probe} is not a grpc probe on the container's port (grpc.health.v1 is served there)`);
      }
    }
  } else if (component === 'gateway') {
    const paths = { livenessProbe: '/actuator/health/liveness', readinessProbe: '/actuator/health/readiness' };
    for (const [probe, path] of Object.entries(paths)) {
      if (c[probe] && c[probe].httpGet?.path !== path) problems.push(`${at}: ${probe} is not GET ${path}`);
    }
  }
  const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
  const volume = tmp && (pod.volumes ?? []).find((v) => v.name === tmp.name);
  if (!volume?.emptyDir) problems.push(`${at}: no emptyDir at /tmp (the root filesystem is read-only)`);
  return problems;
}

/** Every ConfigMap a pod reads must be in the rendering; Secrets too unless they come from the cluster. */
function references(pod) {
  const refs = [];
  const all = [...(pod.containers ?? []), ...(pod.initContainers ?? [])];
  for (const c of all) {
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef) refs.push({ kind: 'ConfigMap', name: from.configMapRef.name, optional: from.configMapRef.optional });
      if (from.secretRef) refs.push({ kind: 'Secret', name: from.secretRef.name, optional: from.secretRef.optional });
    }
    for (const env of c.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef;
      const secret = env.valueFrom?.secretKeyRef;
      if (cm) refs.push({ kind: 'ConfigMap', name: cm.name, key: cm.key, optional: cm.optional });
      if (secret) refs.push({ kind: 'Secret', name: secret.name, key: secret.key, optional: secret.optional });
    }
  }
  for (const v of pod.volumes ?? []) {
    if (v.configMap) refs.push({ kind: 'ConfigMap', name: v.configMap.name, optional: v.configMap.optional });
    if (v.secret) refs.push({ kind: 'Secret', name: v.secret.secretName, optional: v.secret.optional });
  }
  return refs;
}

/** Pinhole's policy over a whole rendering; returns problems as strings. */
export function checkPolicy(docs, { production = false } = {}) {
  const problems = [];
  const byKind = (kind) => docs.filter((o) => o.kind === kind);
  const objects = new Map(docs.map((o) => [`${o.kind}/${o.metadata?.name}`, o]));
  const hpas = byKind('HorizontalPodAutoscaler');
  const pdbs = byKind('PodDisruptionBudget');
  const policies = byKind('NetworkPolicy');

  if (production && byKind('Secret').length) {
    problems.push(`Secret objects in a production rendering (${byKind('Secret').map(nameOf)}): credentials are created in the cluster, never committed`);
  }

  for (const w of docs.filter((o) => WORKLOADS.has(o.kind))) {
    const where = nameOf(w);
    const template = w.spec?.template ?? {};
    const pod = template.spec ?? {};
    const labels = template.metadata?.labels ?? {};
    const component = labels['app.kubernetes.io/component'];
    if (pod.automountServiceAccountToken !== false) {
      const sa = objects.get(`ServiceAccount/${pod.serviceAccountName ?? 'default'}`);
      if (sa?.automountServiceAccountToken !== false) problems.push(`${where}: the service account token is mounted`);
    }
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push(`${where}: shares a host namespace`);
    for (const c of pod.containers ?? []) {
      problems.push(...checkContainer(where, c, pod, { init: false }));
      if (PINHOLE_COMPONENTS.has(component)) problems.push(...checkPinholeContainer(where, component, c, pod));
    }
    for (const c of pod.initContainers ?? []) problems.push(...checkContainer(where, c, pod, { init: true }));

    for (const ref of references(pod)) {
      const target = objects.get(`${ref.kind}/${ref.name}`);
      if (!target) {
        // Production's Secrets live in the cluster only; anything else missing would stop the pod at start.
        if (!(production && ref.kind === 'Secret') && !ref.optional) {
          problems.push(`${where}: ${ref.kind} ${ref.name} is referenced but not in the rendering`);
        }
        continue;
      }
      const data = { ...(target.data ?? {}), ...(target.stringData ?? {}) };
      if (ref.key && !(ref.key in data) && !ref.optional) problems.push(`${where}: ${ref.kind} ${ref.name} has no key ${ref.key}`);
    }

    if (w.kind === 'Deployment' || w.kind === 'StatefulSet') {
      if (PINHOLE_COMPONENTS.has(component) && !pdbs.some((p) => matches(p.spec?.selector, labels))) {
        problems.push(`${where}: no PodDisruptionBudget selects its pods`);
      }
      const hpa = hpas.find((h) => h.spec?.scaleTargetRef?.kind === w.kind && h.spec?.scaleTargetRef?.name === w.metadata.name);
      if (hpa && w.spec.replicas !== undefined) {
        problems.push(`${where}: sets replicas although ${nameOf(hpa)} scales it (every apply would undo the autoscaler)`);
      }
      if (production && PINHOLE_COMPONENTS.has(component) && !(hpa && hpa.spec.minReplicas >= 2)) {
        problems.push(`${where}: no autoscaler keeping at least 2 replicas`);
      }
    }
  }

  // Pinhole's gRPC services are balanced by their clients: their Services must be headless.
  for (const s of byKind('Service')) {
    const selectsService = docs.some((w) => WORKLOADS.has(w.kind)
      && w.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'] === 'service'
      && matches({ matchLabels: s.spec?.selector ?? { none: 'none' } }, w.spec.template.metadata.labels));
    if (selectsService && s.spec?.clusterIP !== 'None') problems.push(`${nameOf(s)}: selects gRPC service pods but is not headless`);
  }

  // Network: a default deny of ingress, and ingress from anywhere only into the gateway.
  if (!policies.some((p) => Object.keys(p.spec?.podSelector ?? {}).length === 0
      && (p.spec?.policyTypes ?? []).includes('Ingress') && !(p.spec?.ingress ?? []).length)) {
    problems.push('no default-deny ingress NetworkPolicy (podSelector {} with no ingress rule)');
  }
  for (const p of policies) {
    const open = (p.spec?.ingress ?? []).some((rule) => !rule.from?.length
      || rule.from.some((peer) => peer.ipBlock?.cidr === '0.0.0.0/0' || peer.namespaceSelector && !Object.keys(peer.namespaceSelector).length && !peer.podSelector));
    if (!open) continue;
    for (const w of docs.filter((o) => WORKLOADS.has(o.kind))) {
      const labels = w.spec?.template?.metadata?.labels ?? {};
      if (matches(p.spec?.podSelector, labels) && labels['app.kubernetes.io/component'] !== 'gateway') {
        problems.push(`${nameOf(p)}: lets any source reach ${nameOf(w)}; only the gateway may be public`);
      }
    }
  }

  // pgbouncer in transaction mode lends a server connection per transaction: PgJDBC must not keep named prepared
  // statements across transactions, and pgbouncer must accept PgJDBC's extra_float_digits startup parameter.
  for (const cm of byKind('ConfigMap')) {
    for (const [file, text] of Object.entries(cm.data ?? {})) {
      if (!/^\s*pool_mode\s*=\s*transaction\b/m.test(text)) continue;
      if (!/^\s*ignore_startup_parameters\s*=.*\bextra_float_digits\b/m.test(text)) {
        problems.push(`${nameOf(cm)} ${file}: transaction pooling without ignore_startup_parameters = extra_float_digits (PgJDBC's connect fails)`);
      }
      const infra = byKind('ConfigMap').filter((c) => c.data?.PINHOLE_DB_SERVERS !== undefined);
      if (!infra.length || infra.some((c) => c.data.PINHOLE_DB_PREPARE_THRESHOLD !== '0')) {
        problems.push(`${nameOf(cm)} ${file}: transaction pooling but PINHOLE_DB_PREPARE_THRESHOLD is not 0 where PINHOLE_DB_SERVERS is set`);
      }
    }
  }
  return problems;
}

async function main(args) {
  const production = args.includes('--production');
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length !== 1) {
    console.error('usage: node check.mjs [--production] RENDERED.yaml');
    process.exit(2);
  }
  const docs = parseManifests(readFileSync(files[0], 'utf8'));
  const problems = [...await checkSchemas(docs), ...checkPolicy(docs, { production })];
  for (const p of problems) console.error(`  ${p}`);
  if (problems.length) {
    console.error(`k8s-check: ${files[0]}: ${problems.length} problem(s) in ${docs.length} objects`);
    process.exit(1);
  }
  console.log(`k8s-check: ${files[0]}: ${docs.length} objects valid, policy holds`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));

// Checks k8s/monitoring without dependencies (Node's standard library only):
//   node .ci/monitoring-check.mjs rules DASHBOARD          → prints every panel query as a Prometheus recording rule
//                                                            (JSON is YAML), so that promtool parses each expression
//   node .ci/monitoring-check.mjs metrics DIR FILE...       → fails when FILE uses a metric that no scrape in DIR
//                                                            exports (except k8s/monitoring/lazy-metrics.txt)
// The dashboard's shape is checked by both: title, uid, unique panel IDs, grid positions, a Prometheus datasource
// and a query on every panel that is not a row.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const fail = (message) => { console.error(`monitoring-check: ${message}`); process.exit(1); };

function dashboardQueries(file) {
  const dashboard = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of ['title', 'uid', 'schemaVersion', 'panels']) {
    if (dashboard[field] === undefined) fail(`${file}: no ${field}`);
  }
  const ids = new Set();
  const queries = [];
  for (const panel of dashboard.panels) {
    if (ids.has(panel.id)) fail(`${file}: panel id ${panel.id} twice`);
    ids.add(panel.id);
    const grid = panel.gridPos ?? {};
    if (!['h', 'w', 'x', 'y'].every((k) => Number.isInteger(grid[k])) || grid.x + grid.w > 24) {
      fail(`${file}: panel "${panel.title}" has no valid gridPos`);
    }
    if (!panel.title) fail(`${file}: panel ${panel.id} has no title`);
    if (panel.type === 'row') continue;
    if (panel.datasource?.type !== 'prometheus') fail(`${file}: panel "${panel.title}" has no Prometheus datasource`);
    if (!panel.targets?.length) fail(`${file}: panel "${panel.title}" has no query`);
    for (const target of panel.targets) {
      if (!target.refId || !target.expr) fail(`${file}: panel "${panel.title}" has a target without refId or expr`);
      queries.push({ name: `dashboard:panel_${panel.id}_${target.refId}`, expr: target.expr });
    }
  }
  return queries;
}

// Metric names: the exporters' prefixes used here; label values and functions never match these.
const METRIC = /\b(grpc_service_[a-z_]+|pinhole_[a-z_]+|hikaricp_[a-z_]+|jvm_[a-z_]+|http_server_[a-z_]+|armeria_[a-z_]+)\b/g;

const [command, ...args] = process.argv.slice(2);
if (command === 'rules') {
  const queries = dashboardQueries(args[0]);
  console.log(JSON.stringify({ groups: [{ name: 'dashboard', rules: queries.map((q) => ({ record: q.name, expr: q.expr })) }] }, null, 2));
} else if (command === 'metrics') {
  const [directory, ...files] = args;
  const exported = new Set();
  for (const scrape of readdirSync(directory)) {
    for (const line of readFileSync(join(directory, scrape), 'utf8').split('\n')) {
      const name = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/);
      if (name) exported.add(name[1]);
    }
  }
  if (exported.size === 0) fail(`no metrics scraped in ${directory}`);
  const lazy = new Set(readFileSync('k8s/monitoring/lazy-metrics.txt', 'utf8').split('\n')
    .map((line) => line.replace(/#.*/, '').trim()).filter(Boolean));
  const missing = new Set();
  let used = 0;
  for (const file of files) {
    const text = file.endsWith('.json') ? dashboardQueries(file).map((q) => q.expr).join('\n') : readFileSync(file, 'utf8');
    for (const [name] of text.matchAll(METRIC)) {
      used++;
      if (!exported.has(name) && !lazy.has(name)) missing.add(`${name} (${file})`);
    }
  }
  if (missing.size) fail(`used but exported by no running service:\n  ${[...missing].join('\n  ')}`);
  console.log(`monitoring-check: ${used} metric references, all exported by the running stack (${exported.size} names scraped)`);
} else {
  fail('usage: monitoring-check.mjs rules DASHBOARD | metrics DIR FILE...');
}

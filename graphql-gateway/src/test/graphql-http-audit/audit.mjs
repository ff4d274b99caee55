// The official GraphQL-over-HTTP server audits (npm graphql-http, https://graphql.github.io/graphql-over-http/)
// against a running gateway: `node audit.mjs http://127.0.0.1:8080/graphql`. Prints one JSON line on stdout:
// {"total": n, "counts": {"ok": …, "warn": …, "notice": …, "error": …}, "results": [{id, name, status, reason}]}.
// graphql-http names each audit MUST / SHOULD / MAY; a failed MUST is "error", a failed SHOULD "warn", a failed MAY
// "notice". GraphQlHttpAuditTest fails on any "error" and reports the rest. Exits 2 on a bad invocation only.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}

const results = [];
for (const audit of serverAudits({ url })) {
  let result;
  try {
    result = await audit.fn();
  } catch (thrown) {
    // An audit that cannot even run (connection refused…) counts as failed at its own level.
    result = { status: audit.name.startsWith('MUST') ? 'error' : audit.name.startsWith('SHOULD') ? 'warn' : 'notice',
               reason: String(thrown?.message ?? thrown) };
  }
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason ?? null });
}
const counts = { ok: 0, warn: 0, notice: 0, error: 0 };
for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
console.log(JSON.stringify({ total: results.length, counts, results }));

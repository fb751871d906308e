// Runs graphql-http's GraphQL-over-HTTP server audit (serverAudits) against a running
// endpoint and prints one JSON document: {"ok": n, "notice": n, "warn": n, "error": n,
// "results": [{"id", "name", "status", "reason"?}]}.
// Usage: node http-audit.mjs <url>
import { serverAudits } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node http-audit.mjs <url>");
  process.exit(2);
}
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const results = [];
for (const audit of serverAudits({ url })) {
  const r = await audit.fn();
  counts[r.status]++;
  const row = { id: r.id, name: r.name, status: r.status };
  if (r.status !== "ok") row.reason = r.reason;
  results.push(row);
}
process.stdout.write(JSON.stringify({ ...counts, results }) + "\n");

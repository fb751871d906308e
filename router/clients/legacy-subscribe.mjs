// Subscribes with the legacy graphql-ws protocol (Apollo's subscriptions-transport-ws
// client, as old Apollo Client apps do) and prints every event as one JSON line:
//   {"data": ...} / {"errors": ...} for results, {"complete": true} when the server ends it,
//   {"error": "..."} when the connection or operation fails.
// Usage: node legacy-subscribe.mjs <ws-url> <token|-> <query> [variables-json] [seconds]
import ws from "ws";
import pkg from "subscriptions-transport-ws";
const { SubscriptionClient } = pkg;

const [url, token, query, vars = "{}", seconds = "60"] = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + "\n");
const client = new SubscriptionClient(url, {
  reconnect: false,
  lazy: false,
  connectionParams: token && token !== "-" ? { Authorization: `Bearer ${token}` } : {},
  connectionCallback: (err) => { if (err) out({ error: "connection: " + JSON.stringify(err) }); },
}, ws);
client.onConnected(() => out({ connected: true }));
const stop = (code) => { client.close(); setTimeout(() => process.exit(code), 50); };
client.request({ query, variables: JSON.parse(vars) }).subscribe({
  next: (r) => out(r),
  error: (e) => { out({ error: Array.isArray(e) ? JSON.stringify(e) : String(e && e.message || e) }); stop(1); },
  complete: () => { out({ complete: true }); stop(0); },
});
setTimeout(() => { out({ timeout: true }); stop(2); }, Number(seconds) * 1000);

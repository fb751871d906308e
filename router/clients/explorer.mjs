// Drives the router's explorer (GraphiQL at /) in Debian's chromium through playwright-core:
// types a token into the headers editor, runs a query and a subscription, reloads the page
// and runs both again. Prints one JSON document: {"steps": [{"name", "ok", "result"}],
// "connectionInits": [<payload of every graphql-transport-ws connection_init sent>],
// "headersAfterReload": "<headers editor text>", "favicon": <HTTP status>}.
// Usage: node explorer.mjs <router-base-url> <token> [chromium-path] [artifacts-dir]
import { chromium } from "playwright-core";

const [base, token, executablePath = "/usr/bin/chromium", artifacts = ""] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
const report = { steps: [], connectionInits: [], headersAfterReload: "", favicon: 0 };
const page = await browser.newPage();
page.on("websocket", (ws) => ws.on("framesent", (f) => {
  try {
    const m = JSON.parse(typeof f.payload === "string" ? f.payload : f.payload.toString());
    if (m.type === "connection_init") report.connectionInits.push(m.payload ?? null);
  } catch { /* not JSON */ }
}));
const editor = (sel) => page.evaluate((s) => document.querySelector(s).CodeMirror.getValue(), sel);
const setEditor = (sel, text) => page.evaluate(([s, t]) => document.querySelector(s).CodeMirror.setValue(t), [sel, text]);
const QUERY = ".graphiql-query-editor .CodeMirror";
const RESULT = ".result-window .CodeMirror";
const HEADERS = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror";

async function open() {
  await page.goto(base + "/", { waitUntil: "load" });
  await page.waitForSelector(QUERY, { timeout: 30000 });
  await page.click('button[data-name="headers"]');
  await page.waitForSelector(HEADERS, { timeout: 10000 });
}

// run executes text and waits (up to 20 s) for a result naming alias.
async function run(name, text, alias) {
  await setEditor(QUERY, text);
  await page.click(".graphiql-execute-button");
  let result = "";
  const until = Date.now() + 20000;
  while (Date.now() < until) {
    result = await editor(RESULT);
    if (result.includes(`"${alias}"`) || result.includes('"errors"')) break;
    await page.waitForTimeout(200);
  }
  let ok = false;
  try {
    const parsed = JSON.parse(result);
    ok = !parsed.errors && parsed.data && parsed.data[alias] != null;
  } catch { /* not JSON: a transport error as text */ }
  report.steps.push({ name, ok, result });
  // A subscription runs on: stop it before the next step.
  if (text.startsWith("subscription")) {
    await page.waitForTimeout(500);
  }
}

try {
  await open();
  await setEditor(HEADERS, JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2));
  await run("query before reload", "{ q1: topProducts(first: 1) { upc } }", "q1");
  await run("subscription before reload", 'subscription { s1: reviewAdded(upc: "1", count: 2, intervalMs: 100) { body } }', "s1");
  await open(); // the reload
  report.headersAfterReload = await editor(HEADERS);
  await run("query after reload", "{ q2: topProducts(first: 1) { upc } }", "q2");
  await run("subscription after reload", 'subscription { s2: reviewAdded(upc: "1", count: 2, intervalMs: 100) { body } }', "s2");
  const icon = await page.request.get(base + "/favicon.ico");
  report.favicon = icon.status();
} catch (e) {
  report.steps.push({ name: "driver", ok: false, result: String(e && e.stack || e) });
  if (artifacts) await page.screenshot({ path: artifacts + "/explorer.png" }).catch(() => {});
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report) + "\n");

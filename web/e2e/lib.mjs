// What every browser script under web/e2e shares: its settings from the environment, the
// line protocol on stdout, Debian's chromium through playwright-core, numbered screenshots,
// the axe-core check and the verdict. The scripts are run by platform/city's browser tests
// (browser_test.go), which read these lines:
//   STEP <name> <file>        a screenshot
//   METRIC <name> <value>     a figure (axe, timings)
//   PASS / FAIL <reason>      the verdict (exit code 0 / 1)
// plus whatever lines a script adds of its own (documented at its top).
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// env reads a setting; without a default, a missing one stops the script with its name.
export const env = (k, d) => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};

export const out = (line) => process.stdout.write(line + '\n');

export const artifacts = env('WEB_E2E_ARTIFACTS', 'artifacts');
mkdirSync(artifacts, { recursive: true });

// launch starts Debian's chromium headless ($WEB_E2E_CHROMIUM to use another).
export function launch() {
  return chromium.launch({
    executablePath: env('WEB_E2E_CHROMIUM', '/usr/bin/chromium'),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

let shot = 0;

// step saves a numbered full-page screenshot of the page and says so.
export async function step(page, name) {
  shot++;
  const file = path.join(artifacts, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  out(`STEP ${name} ${file}`);
}

// failureShot saves what a page showed when the script failed and prints its main text.
export async function failureShot(page, name, label = '') {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true }).catch(() => undefined);
  const text = await page.locator('main').innerText({ timeout: 2_000 }).catch(() => '');
  out(`SCREEN ${label ? label + ' ' : ''}${page.url()} ${text.replace(/\s+/g, ' ').slice(0, 600)}`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const axeViolations = [];

// axe runs axe-core on the current screen; serious and critical violations are kept for
// assertAccessible. With phone set, a page wider than its viewport (sideways scrolling) is
// one too.
export async function axe(page, screen, { phone = false } = {}) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) axeViolations.push(`${screen}: ${v.id} (${v.impact}, ${v.nodes} nodes) ${v.help}`);
  out(`METRIC axe_${screen}_violations ${result.length} (serious or critical: ${bad.length})`);
  if (!phone) return;
  const width = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  if (width.page > width.viewport) axeViolations.push(`${screen}: the page is ${width.page} px wide on a ${width.viewport} px phone screen`);
}

// assertAccessible fails the script if any screen had a serious or critical violation.
export function assertAccessible() {
  if (axeViolations.length) throw new Error(`axe-core: ${axeViolations.join('; ')}`);
}

// run runs a script's main and turns a thrown error into the FAIL line and exit code 1.
export function run(main) {
  main().catch((e) => {
    out(`FAIL ${String(e?.stack ?? e?.message ?? e).replace(/\n/g, ' | ')}`);
    process.exit(1);
  });
}

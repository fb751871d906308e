// The customer's side of the browser test: Debian's chromium, headless, driven by
// playwright-core against the built app and the real router. platform/city's
// TestWebCustomer boots the platform, serves the app, plays the restaurant and the courier
// through the API and runs this script. Protocol on stdout (one line each):
//   SIGNEDUP                  the account exists: the test grants it 500 loyalty points
//   PAID <orderId>            the order page shows PAID: the restaurant may act
//   SEEN <status> <unix ms>   when the order page first showed each status (OFFLINE: the
//                             connection banner; ONLINE_AGAIN: the banner gone after it)
//   CANCELLED <orderId>       a second order, cancelled from its page and refunded
//   METRIC <name> <value>     figures (first load, axe)
//   PASS / FAIL <reason>      the verdict (exit code 0 / 1)
// Screenshots of each step go to $WEB_E2E_ARTIFACTS (git-ignored web/e2e/artifacts/).
import { assertAccessible, axe, env, failureShot, launch, out, run, step } from './lib.mjs';

const appURL = env('WEB_E2E_APP_URL');
const email = env('WEB_E2E_EMAIL');
const password = env('WEB_E2E_PASSWORD');
const restaurantName = env('WEB_E2E_RESTAURANT');
// A second pizzeria, ~2.3 km from the customer: the distance filter keeps it out within 1 km.
const farRestaurantName = env('WEB_E2E_FAR_RESTAURANT');
const lat = Number(env('WEB_E2E_LAT'));
const lng = Number(env('WEB_E2E_LNG'));
const lastGraphQL = [];

const statuses = ['PAID', 'ACCEPTED', 'PREPARING', 'READY_FOR_PICKUP', 'PICKED_UP', 'DELIVERED'];

async function main() {
  const browser = await launch();
  try {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
      geolocation: { latitude: lat, longitude: lng },
      permissions: ['geolocation'],
    });
    const page = await context.newPage();
    const jsBytes = { n: 0 };
    page.on('response', async (r) => {
      if (r.url().endsWith('.js')) {
        const len = Number((await r.allHeaders())['content-length'] ?? 0);
        jsBytes.n += len;
      }
    });
    page.on('pageerror', (e) => out(`PAGEERROR ${e.message}`));
    // The last GraphQL answers the page received, printed when the test fails: what the
    // router said is the evidence a screenshot of "0 restaurants" cannot give.
    page.on('response', async (r) => {
      const req = r.request();
      if (!r.url().includes('/graphql') || req.method() !== 'POST') return;
      let op = '?';
      let vars = '';
      try {
        const body = JSON.parse(req.postData() ?? '{}');
        op = body.operationName ?? '?';
        vars = JSON.stringify(body.variables ?? {});
      } catch {}
      const text = await r.text().catch((e) => `(no body: ${e.message})`);
      lastGraphQL.push(`${op} ${vars.slice(0, 300)} -> ${r.status()} ${text.replace(/\s+/g, ' ').slice(0, 1500)}`);
      if (lastGraphQL.length > 6) lastGraphQL.shift();
    });
    // Every orderUpdated subscribe sent and transition received, over every socket, in order:
    // the resume after the test drops the connection is checked against them.
    const wire = [];
    let sockets = 0;
    page.on('websocket', (ws) => {
      const socket = ++sockets;
      const parse = (f) => {
        try {
          return JSON.parse(typeof f.payload === 'string' ? f.payload : f.payload.toString());
        } catch {
          return null;
        }
      };
      ws.on('framesent', (f) => {
        const m = parse(f);
        if (m?.type === 'subscribe' && m.payload?.query?.includes('orderUpdated')) wire.push({ socket, sent: 'subscribe', since: m.payload.variables?.since });
      });
      ws.on('framereceived', (f) => {
        const m = parse(f);
        const t = m?.type === 'next' ? m.payload?.data?.orderUpdated?.transition : null;
        if (t) wire.push({ socket, received: t.sequence, to: t.to });
      });
    });

    // Sign up.
    const t0 = Date.now();
    await page.goto(appURL);
    await page.getByRole('button', { name: 'Sign up' }).waitFor();
    out(`METRIC first_screen_interactive_ms ${Date.now() - t0}`);
    out(`METRIC first_load_js_bytes_uncompressed ${jsBytes.n}`);
    await axe(page, 'signup', { phone: true });
    await page.getByLabel('Name').fill('Web Customer');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await step(page, 'signup');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Find food' }).waitFor();
    out('SIGNEDUP'); // the test's admin grants this customer loyalty points now

    // Top up through the wallet screen; the gateway's webhook credits it shortly after.
    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByLabel('Top-up amount (UZS)').fill('10000');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.getByTestId('wallet-balances').filter({ hasText: '10,000.00 UZS' }).waitFor({ timeout: 30_000 });
    // The points the admin granted show once the wallet is read again.
    const pointsDeadline = Date.now() + 30_000;
    for (;;) {
      await page.getByRole('link', { name: 'Search' }).click();
      await page.getByRole('link', { name: 'Wallet' }).click();
      try {
        await page.getByTestId('wallet-balances').filter({ hasText: '500 points' }).waitFor({ timeout: 2_000 });
        break;
      } catch (e) {
        if (Date.now() > pointsDeadline) throw new Error('the granted 500 points never showed in the wallet');
      }
    }
    await step(page, 'topped-up');
    await axe(page, 'wallet', { phone: true });

    // Search "piza" (a typo) within 3 km of the customer (the test puts them in the demo
    // city's outskirts, where only its two pizzerias are that near); the index catches up
    // with the new restaurants within seconds, so type it again until the pizzeria shows.
    await page.getByRole('link', { name: 'Search' }).click();
    const distance = page.getByTestId('distance');
    await distance.selectOption('3');
    const box = page.getByLabel('Restaurant, dish or cuisine');
    const hit = page.getByRole('link', { name: new RegExp(restaurantName) });
    const searchDeadline = Date.now() + 60_000;
    for (;;) {
      await box.fill('');
      await box.fill('piza');
      try {
        await hit.waitFor({ timeout: 3_000 });
        break;
      } catch (e) {
        if (Date.now() > searchDeadline) throw new Error(`search "piza" did not find ${restaurantName} within 60 s`);
      }
    }
    // The cuisine facet: pressing "pizza" filters by it and keeps the pizzeria.
    const cuisines = page.getByRole('group', { name: 'Cuisines' });
    await cuisines.getByRole('button', { name: /pizza/ }).click();
    await cuisines.getByRole('button', { name: /pizza/, pressed: true }).waitFor({ timeout: 15_000 });
    await hit.waitFor({ timeout: 15_000 });
    await step(page, 'search-piza');

    // Distance: the far pizzeria (~2.3 km) is found within 3 km, not within 1 km, and
    // again within 3 km; the near one (~0.7 km) stays throughout.
    const far = page.getByRole('link', { name: new RegExp(farRestaurantName) });
    await far.waitFor({ timeout: 30_000 });
    await distance.selectOption('1');
    await far.waitFor({ state: 'detached', timeout: 15_000 });
    await hit.waitFor();
    await page.getByText(/restaurants within 1 km/).waitFor();
    await step(page, 'search-within-1km');
    await distance.selectOption('3');
    await far.waitFor({ timeout: 15_000 });
    await hit.waitFor();
    out('METRIC distance_filter_checked 1km_excludes_far 3km_includes_far');
    // The hits on the offline city map: both pizzerias (and the customer) drawn by Leaflet.
    await page.getByRole('button', { name: 'Show on the map' }).click();
    await page.locator('.city-map path.map-hit').nth(1).waitFor({ timeout: 30_000 });
    // (cells out of view are attached but not drawn: Leaflet clips them)
    await page.locator('.city-map path.city-cell').nth(100).waitFor({ state: 'attached', timeout: 30_000 });
    out(`METRIC search_map_hits ${await page.locator('.city-map path.map-hit').count()}`);
    await step(page, 'search-map');
    await axe(page, 'search', { phone: true });

    // Suggestions as you type: the box's datalist offers completions of "pizz".
    await box.fill('pizz');
    await page.locator('#suggestions option[value]').first().waitFor({ state: 'attached', timeout: 15_000 });
    const suggested = await page.locator('#suggestions option').evaluateAll((os) => os.map((o) => `${o.value} (${o.label})`));
    out(`METRIC suggestions_for_pizz ${JSON.stringify(suggested)}`);
    if (!suggested.some((v) => /pizz/i.test(v))) throw new Error(`suggestions for "pizz" name no pizza: ${JSON.stringify(suggested)}`);
    await box.fill('piza');
    await hit.waitFor({ timeout: 15_000 });

    // The menu: the size is required; adding without it is refused, then Large + olives x 2.
    await hit.click();
    await page.getByRole('button', { name: 'Add Pizza Margherita' }).click();
    await page.getByRole('button', { name: /Add to cart/ }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose a Size' }).waitFor();
    await page.getByLabel(/Large/).check();
    await page.getByLabel(/Olives/).check();
    await page.getByLabel('Quantity').fill('2');
    await step(page, 'options');
    await axe(page, 'restaurant', { phone: true });
    await page.getByRole('button', { name: /Add to cart · 1,800.00 UZS/ }).click();

    // The cart, priced by the quote API, paid from the wallet.
    await page.getByRole('link', { name: /Cart \(2\)/ }).click();
    await page.getByTestId('subtotal').filter({ hasText: 'Subtotal (quoted): 1,800.00 UZS' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('balance').filter({ hasText: '10,000.00 UZS' }).waitFor({ timeout: 15_000 });
    await page.getByLabel(/Use my loyalty points \(500 pts\)/).check();
    await page.getByText(/pts cover/).waitFor({ timeout: 15_000 });
    await page.getByLabel('Delivery address').fill('Amir Temur 1');
    await step(page, 'cart');
    await axe(page, 'cart', { phone: true });
    await page.getByRole('button', { name: 'Place order' }).click();

    // The live order page: record when each status first shows.
    await page.getByTestId('order-status').waitFor();
    const orderId = page.url().split('/').pop();
    await page.getByText(/points redeemed/).waitFor({ timeout: 15_000 });
    await page.evaluate(() => {
      const seen = (window.__seen = {});
      const log = (window.__statusLog = []);
      const el = document.querySelector('[data-testid=order-status]');
      const drawn = (sel) => [...document.querySelectorAll(sel)].some((p) => (p.getAttribute('d') ?? '') !== '');
      const note = () => {
        const s = document.querySelector('[data-testid=order-status]')?.getAttribute('data-status');
        if (s && log[log.length - 1] !== s) log.push(s);
        if (s && !(s in seen)) seen[s] = Date.now();
        // A status is shown once the status line or the timeline shows it: two transitions
        // landing together (a poll that reads both) render once, the timeline marks both.
        const steps = ['PLACED', 'PAID', 'ACCEPTED', 'PREPARING', 'READY_FOR_PICKUP', 'PICKED_UP', 'DELIVERED'];
        document.querySelectorAll('ol.timeline li').forEach((li, i) => {
          if (i < steps.length && li.classList.contains('done') && !(steps[i] in seen)) seen[steps[i]] = Date.now();
        });
        // The courier and the city's cells drawn (a path with geometry) on the Leaflet map.
        if (drawn('.city-map path.map-driver') && !('DRIVER_ON_MAP' in seen)) seen.DRIVER_ON_MAP = Date.now();
        if (document.querySelectorAll('.city-map path.city-cell').length > 100 && drawn('.city-map path.city-cell') && !('CELLS_ON_MAP' in seen)) seen.CELLS_ON_MAP = Date.now();
        if (document.querySelector('[data-testid=eta]') && !('ETA' in seen)) seen.ETA = Date.now();
        const banner = document.querySelector('[data-testid=connectivity].offline');
        if (banner && !('OFFLINE' in seen)) seen.OFFLINE = Date.now();
        if (!document.querySelector('[data-testid=connectivity]') && 'OFFLINE' in seen && !('ONLINE_AGAIN' in seen)) seen.ONLINE_AGAIN = Date.now();
      };
      note();
      // The whole body: the connection banner sits outside <main>, and nothing in <main> need
      // change while the page is cut off.
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      void el;
    });
    const printed = new Set();
    const deadline = Date.now() + 240_000;
    let said = false;
    while (Date.now() < deadline) {
      const seen = await page.evaluate(() => window.__seen);
      for (const [s, at] of Object.entries(seen)) {
        if (printed.has(s)) continue;
        printed.add(s);
        out(`SEEN ${s} ${at}`);
        if (statuses.includes(s) || s === 'OFFLINE' || s === 'ONLINE_AGAIN') await step(page, `order-${s.toLowerCase()}`);
      }
      if (!said && 'PAID' in seen) {
        said = true;
        out(`PAID ${orderId}`);
      }
      if ('DELIVERED' in seen) break;
      if ('CANCELLED' in seen || 'PAYMENT_FAILED' in seen || 'REJECTED' in seen) throw new Error(`order ended ${JSON.stringify(seen)}`);
      await page.waitForTimeout(100);
    }
    const seen = await page.evaluate(() => window.__seen);
    const missing = statuses.filter((s) => !(s in seen));
    if (missing.length) {
      const log = await page.evaluate(() => window.__statusLog);
      throw new Error(`the order page never showed ${missing.join(', ')} (saw ${Object.keys(seen).join(', ')}; statuses ${log.join('>')}; orderUpdated on the wire ${JSON.stringify(wire)})`);
    }
    if (!('DRIVER_ON_MAP' in seen) || !('ETA' in seen)) throw new Error('the courier never showed on the map with an ETA');
    if (!('CELLS_ON_MAP' in seen)) throw new Error("the order page's map never drew the city's H3 cells");
    out(`METRIC order_map_cells ${await page.locator('.city-map path.city-cell').count()}`);

    // The drop: the test cut the connection after PAID. The page said it was offline, came
    // back, and resumed from the last transition it had: every status shown once, in order.
    if (!('OFFLINE' in seen) || !('ONLINE_AGAIN' in seen)) throw new Error(`the page never showed the drop and the return (saw ${Object.keys(seen).join(', ')})`);
    const log = await page.evaluate(() => window.__statusLog);
    const order = ['PLACED', ...statuses];
    const idx = log.map((s) => order.indexOf(s));
    if (idx.some((i, k) => i < 0 || (k > 0 && i <= idx[k - 1]))) throw new Error(`the status went ${log.join(' → ')}: not once each, in order`);
    const shown = await page.locator('ol.timeline li.done').allInnerTexts();
    const names = ['Placed', 'Paid', 'Accepted', 'Preparing', 'Ready for pickup', 'Picked up', 'Delivered'];
    if (shown.length !== names.length || shown.some((t, i) => !t.startsWith(names[i]))) throw new Error(`the timeline shows ${JSON.stringify(shown)}`);
    const received = wire.filter((w) => w.received !== undefined).map((w) => w.received);
    if (received.some((q, k) => k > 0 && q <= received[k - 1])) throw new Error(`transitions arrived ${received.join(',')}: one twice or out of order`);
    const subs = wire.filter((w) => w.sent === 'subscribe');
    const resumed = subs.filter((w) => w.socket !== subs[0].socket);
    if (resumed.length === 0) throw new Error(`orderUpdated was never subscribed again on a new socket: ${JSON.stringify(subs)}`);
    for (const r of resumed) {
      const before = wire.slice(0, wire.indexOf(r)).filter((w) => w.received !== undefined).map((w) => w.received);
      const last = Math.max(subs[0].since ?? 0, ...before);
      if (r.since !== last) throw new Error(`resumed with since ${r.since} on socket ${r.socket}, want ${last} (the last transition received)`);
    }
    out(`METRIC resume subscribes ${JSON.stringify(subs)} transitions_received ${received.join(',')} statuses_shown ${log.join('>')}`);
    await axe(page, 'order', { phone: true });
    await step(page, 'delivered');

    // History: the order and the wallet's payment.
    await page.getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('link', { name: new RegExp(`${restaurantName}.*delivered`, 'i') }).waitFor({ timeout: 15_000 });
    await step(page, 'order-history');
    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByRole('list', { name: 'Wallet history' }).getByText(/order payment/).first().waitFor({ timeout: 15_000 });
    await step(page, 'wallet-history');

    // Cancel while allowed: a second order, paid, cancelled before the restaurant accepts
    // (the test's restaurant acts only on the first); the wallet refunds it.
    await page.getByRole('link', { name: 'Search' }).click();
    await box.fill('piza');
    await hit.waitFor({ timeout: 30_000 });
    await hit.click();
    await page.getByRole('button', { name: 'Add Pizza Margherita' }).click();
    await page.getByLabel(/Small/).check();
    await page.getByRole('button', { name: /Add to cart · 650.00 UZS/ }).click();
    await page.getByRole('link', { name: /Cart \(1\)/ }).click();
    await page.getByTestId('subtotal').filter({ hasText: 'Subtotal (quoted): 650.00 UZS' }).waitFor({ timeout: 15_000 });
    await page.getByLabel('Delivery address').fill('Amir Temur 1');
    await page.getByRole('button', { name: 'Place order' }).click();
    const status = page.getByTestId('order-status');
    await status.and(page.locator('[data-status=PAID]')).waitFor({ timeout: 60_000 });
    const cancelledId = page.url().split('/').pop();
    if (cancelledId === orderId) throw new Error('the second order has the first one\'s id');
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await status.and(page.locator('[data-status=CANCELLED]')).waitFor({ timeout: 30_000 });
    if (await page.getByRole('button', { name: 'Cancel order' }).count()) throw new Error('a cancelled order still offers to cancel');
    await step(page, 'cancelled');
    await axe(page, 'cancelled', { phone: true });
    await page.getByRole('link', { name: 'Orders' }).click();
    await page.getByRole('link', { name: new RegExp(`${restaurantName}.*cancelled`, 'i') }).waitFor({ timeout: 15_000 });
    // The refund shows once the wallet is read again (the saga refunds shortly after).
    const refundDeadline = Date.now() + 60_000;
    for (;;) {
      await page.getByRole('link', { name: 'Wallet' }).click();
      try {
        await page.getByRole('list', { name: 'Wallet history' }).getByText(/refund/).first().waitFor({ timeout: 3_000 });
        break;
      } catch (e) {
        if (Date.now() > refundDeadline) throw new Error('the cancelled order\'s refund never showed in the wallet history');
        await page.getByRole('link', { name: 'Orders' }).click();
      }
    }
    out(`CANCELLED ${cancelledId}`);
    await step(page, 'refunded');

    assertAccessible();
    out('PASS');
  } catch (e) {
    // What the screen said when it failed, beside a screenshot of it.
    const page = browser.contexts()[0]?.pages()[0];
    if (page) await failureShot(page, 'failure');
    for (const g of lastGraphQL) out(`GRAPHQL ${g}`);
    throw e;
  } finally {
    await browser.close();
  }
}

run(main);

// One order across four browsers: the customer, the restaurant owner, the courier and the
// admin each use only their own app (Debian's chromium, headless, through playwright-core,
// against the real router). platform/city's TestWebFourApps boots the platform, makes the
// owner's restaurant and the courier's and admin's accounts, serves the four built apps
// and runs this script. Protocol on stdout (one line each):
//   STEP <name> <file>        a screenshot
//   ORDER <orderId>           the order delivered; REJECTED <orderId> the one turned down
//   METRIC <name> <value>     figures (axe, how long a screen took to show a change)
//   PASS / FAIL <reason>      the verdict (exit code 0 / 1)
import { assertAccessible, axe, env, failureShot, launch, out, run, step } from './lib.mjs';

const base = env('WEB_E2E_BASE'); // serves /customer/ /driver/ /restaurant/ /admin/
const router = env('WEB_E2E_ROUTER');
const password = env('WEB_E2E_PASSWORD');
const customerEmail = env('WEB_E2E_CUSTOMER_EMAIL');
const ownerEmail = env('WEB_E2E_OWNER_EMAIL');
const driverEmail = env('WEB_E2E_DRIVER_EMAIL');
const driverId = env('WEB_E2E_DRIVER_ID');
const adminEmail = env('WEB_E2E_ADMIN_EMAIL');
const restaurantId = env('WEB_E2E_RESTAURANT_ID');
const restaurantName = env('WEB_E2E_RESTAURANT');
const dish = env('WEB_E2E_DISH');
const at = { lat: Number(env('WEB_E2E_LAT')), lng: Number(env('WEB_E2E_LNG')) };
const driverStart = { lat: Number(env('WEB_E2E_DRIVER_LAT')), lng: Number(env('WEB_E2E_DRIVER_LNG')) };
const pages = {};

const url = (app, extra = '', hash = '') => `${base}/${app}/index.html?router=${encodeURIComponent(router)}${extra}${hash}`;

async function signIn(page, email) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function newPage(browser, who, options) {
  const context = await browser.newContext({ deviceScaleFactor: 1, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => out(`PAGEERROR ${who} ${e.message}`));
  pages[who] = page;
  return page;
}

/** orderFromCustomerApp: search the restaurant, add the dish, place the order; returns its id once PAID shows. */
async function orderFromCustomerApp(customer, label) {
  await customer.getByRole('link', { name: 'Search' }).click();
  const box = customer.getByLabel('Restaurant, dish or cuisine');
  const hit = customer.getByRole('link', { name: new RegExp(restaurantName) });
  const deadline = Date.now() + 60_000;
  for (;;) {
    await box.fill('');
    await box.fill('plov'); // the dish's word, as a hungry customer types it
    try {
      await hit.first().waitFor({ timeout: 3_000 });
      break;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`search did not find ${restaurantName} within 60 s`);
    }
  }
  if (label === 'first') {
    await step(customer, 'customer-search');
    await axe(customer, 'customer_search');
  }
  await hit.first().click();
  await customer.getByRole('button', { name: `Add ${dish}` }).click();
  // The option group the owner added in the dashboard, priced by the quote.
  if (label === 'first') await customer.getByLabel(/^Garlic/).check();
  await customer.getByRole('button', { name: /Add to cart/ }).click();
  await customer.getByRole('link', { name: /Cart \([1-9]\)/ }).click();
  await customer.getByLabel('Delivery address').fill('Amir Temur 1');
  if (label === 'first') {
    await step(customer, 'customer-cart');
    await axe(customer, 'customer_cart');
  }
  await customer.getByRole('button', { name: 'Place order' }).click();
  await customer.locator('[data-testid=order-status][data-status=PAID]').waitFor({ timeout: 60_000 });
  return customer.url().split('/').pop();
}

async function main() {
  const browser = await launch();
  try {
    // The admin watches the city and the restaurant's orders from the start.
    const admin = await newPage(browser, 'admin', { viewport: { width: 1280, height: 900 } });
    await admin.goto(url('admin', `&lat=${at.lat}&lng=${at.lng}&restaurant=${restaurantId}`, '#/live'));
    await signIn(admin, adminEmail);
    await admin.getByRole('heading', { name: 'Live operations' }).waitFor();
    await admin.getByRole('button', { name: 'Watch' }).click();
    await step(admin, 'admin-live-empty');
    await axe(admin, 'admin_live');

    // The owner's dashboard on a tablet.
    const kitchen = await newPage(browser, 'restaurant', { viewport: { width: 1024, height: 768 } });
    await kitchen.goto(url('restaurant', '', `#/r/${restaurantId}`));
    await signIn(kitchen, ownerEmail);
    await kitchen.getByRole('heading', { name: restaurantName }).waitFor();
    await kitchen.getByText('No open orders.').waitFor();
    await step(kitchen, 'restaurant-dashboard');
    await axe(kitchen, 'restaurant_dashboard');

    // Staff through relation tuples: the owner is listed; the courier's account is made
    // staff and removed again.
    const staff = kitchen.getByTestId('staff');
    await staff.locator('tr', { hasText: 'Owner' }).waitFor({ timeout: 15_000 });
    await kitchen.getByLabel("New staff member's user id").fill(driverId);
    await kitchen.getByRole('button', { name: 'Add staff' }).click();
    await staff.locator(`tr[data-user="${driverId}"]`, { hasText: 'Staff' }).waitFor({ timeout: 15_000 });
    await step(kitchen, 'restaurant-staff');
    await axe(kitchen, 'restaurant_staff');
    await staff.locator(`tr[data-user="${driverId}"]`).getByRole('button', { name: /^Remove / }).click();
    await staff.locator(`tr[data-user="${driverId}"]`).waitFor({ state: 'detached', timeout: 15_000 });

    // Two tabs edit the menu: the second saves first, so the first's stale edit is
    // refused and shows what changed.
    const other = await kitchen.context().newPage();
    await other.goto(url('restaurant', '', `#/r/${restaurantId}`));
    await signIn(other, ownerEmail);
    await kitchen.getByLabel(`Price of ${dish}`).fill('270.00');
    await other.getByLabel(`Price of ${dish}`).fill('260.00');
    await other.getByRole('button', { name: 'Save prices' }).click();
    // Saved: the edit is cleared, so there is nothing to save again.
    await other.locator('button:has-text("Save prices"):disabled').waitFor({ timeout: 15_000 });
    await other.close();
    await kitchen.getByRole('button', { name: 'Save prices' }).click();
    await kitchen.getByTestId('menu-conflict').filter({ hasText: '250.00 UZS → 260.00 UZS' }).waitFor({ timeout: 15_000 });
    await step(kitchen, 'restaurant-menu-conflict');
    await axe(kitchen, 'restaurant_menu_conflict');
    await kitchen.getByRole('button', { name: 'Start again from the new version' }).click();

    // The dish gets an optional Sauce group (0 to 2 of Garlic +5.00, Chili +7.00): a
    // maximum above the options' count is refused before saving, then it saves.
    const opts = kitchen.getByTestId('options-editor');
    await opts.getByLabel('Item').selectOption({ label: dish });
    await opts.getByRole('button', { name: 'Add option group' }).click();
    await opts.getByLabel('Group name').last().fill('Sauce');
    await opts.getByLabel('Option 1 of Sauce').fill('Garlic');
    await opts.getByLabel('Price delta of Garlic').fill('5.00');
    await opts.getByRole('button', { name: 'Add option to Sauce' }).click();
    await opts.getByLabel('Option 2 of Sauce').fill('Chili');
    await opts.getByLabel('Price delta of Chili').fill('7.00');
    await opts.getByLabel('Maximum').last().fill('3');
    await opts.getByRole('button', { name: 'Save options' }).click();
    await kitchen.getByTestId('options-error').filter({ hasText: 'above the number of options (2)' }).waitFor({ timeout: 15_000 });
    await opts.getByLabel('Maximum').last().fill('2');
    await opts.getByRole('button', { name: 'Save options' }).click();
    await kitchen.getByTestId('options-saved').filter({ hasText: `Options of ${dish} saved` }).waitFor({ timeout: 15_000 });
    await step(kitchen, 'restaurant-options');
    await axe(kitchen, 'restaurant_options');

    // Opening hours: overlapping ranges are refused by the server (BAD_USER_INPUT); a
    // second tab changes Sunday first, so this tab's save is stale and names who did it.
    await kitchen.getByLabel('Monday hours').fill('10:00-14:00, 13:00-18:00');
    await kitchen.getByRole('button', { name: 'Save hours' }).click();
    await kitchen.getByTestId('hours-error').filter({ hasText: /overlap.*BAD_USER_INPUT/ }).waitFor({ timeout: 15_000 });
    const other2 = await kitchen.context().newPage();
    await other2.goto(url('restaurant', '', `#/r/${restaurantId}`));
    await signIn(other2, ownerEmail);
    await other2.getByLabel('Sunday hours').fill('00:00-12:00, 12:00-24:00');
    await other2.getByRole('button', { name: 'Save hours' }).click();
    await other2.getByTestId('hours-saved').filter({ hasText: 'open now' }).waitFor({ timeout: 15_000 });
    await other2.close();
    await kitchen.getByLabel('Monday hours').fill('00:00-24:00');
    await kitchen.getByRole('button', { name: 'Save hours' }).click();
    await kitchen.getByTestId('hours-conflict').filter({ hasText: /changed the hours since you opened them/ }).waitFor({ timeout: 15_000 });
    await step(kitchen, 'restaurant-hours-conflict');
    await axe(kitchen, 'restaurant_hours');
    await kitchen.getByRole('button', { name: /^Start again from version/ }).click();
    await kitchen.waitForFunction(() => document.querySelector('input[aria-label="Sunday hours"]')?.value === '00:00-12:00, 12:00-24:00', null, { timeout: 15_000 });

    // The courier on a phone, starting from a simulated position.
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
    const driver = await newPage(browser, 'driver', phone);
    const driverURL = url('driver', `&lat=${driverStart.lat}&lng=${driverStart.lng}`);
    await driver.goto(driverURL);
    await axe(driver, 'driver_signin');
    await signIn(driver, driverEmail);
    await driver.getByRole('button', { name: 'Go online' }).click();
    await driver.getByTestId('courier-status').filter({ hasText: 'waiting for offers' }).waitFor();
    await step(driver, 'driver-online');
    await axe(driver, 'driver_online');

    // The customer signs up, tops up and orders.
    const customer = await newPage(browser, 'customer', { ...phone, geolocation: { latitude: at.lat, longitude: at.lng }, permissions: ['geolocation'] });
    await customer.goto(url('customer'));
    await customer.getByLabel('Name').fill('Four Apps Customer');
    await customer.getByLabel('Email').fill(customerEmail);
    await customer.getByLabel('Password').fill(password);
    await customer.getByRole('button', { name: 'Sign up' }).click();
    await customer.getByRole('heading', { name: 'Find food' }).waitFor();
    await customer.getByRole('link', { name: 'Wallet' }).click();
    await customer.getByLabel('Top-up amount (UZS)').fill('10000');
    await customer.getByRole('button', { name: 'Top up' }).click();
    await customer.getByTestId('wallet-balances').filter({ hasText: '10,000.00 UZS' }).waitFor({ timeout: 30_000 });
    const orderId = await orderFromCustomerApp(customer, 'first');
    const paidAt = Date.now();
    await step(customer, 'customer-paid');

    // The restaurant hears it, with the acceptance deadline counting down.
    const ticket = kitchen.locator(`[data-testid=ticket][data-order="${orderId}"]`);
    await ticket.getByTestId('accept-countdown').waitFor({ timeout: 30_000 });
    out(`METRIC restaurant_ticket_after_paid_ms ${Date.now() - paidAt}`);
    await step(kitchen, 'restaurant-incoming');
    await axe(kitchen, 'restaurant_incoming');
    // The admin sees it in the restaurant's live orders.
    await admin.locator(`[data-testid=live-orders] tr[data-order="${orderId}"]`).waitFor({ timeout: 30_000 });
    const short = orderId.slice(0, 8);
    await ticket.getByRole('button', { name: `Accept order ${short}` }).click();
    await ticket.getByRole('button', { name: `Start preparing ${short}` }).click();
    await ticket.getByRole('button', { name: `Ready for pickup ${short}` }).waitFor();

    // The courier is offered it, with the time left to answer, and takes it.
    await driver.getByTestId('offer-countdown').waitFor({ timeout: 60_000 });
    await step(driver, 'driver-offer');
    await axe(driver, 'driver_offer');
    await driver.getByRole('button', { name: 'Accept offer' }).click();
    await driver.getByTestId('delivery-status').filter({ hasText: 'Accepted' }).waitFor();
    await driver.getByRole('button', { name: 'Head to the restaurant' }).click();
    await driver.getByTestId('delivery-status').filter({ hasText: 'On the way to the restaurant' }).waitFor();
    await step(driver, 'driver-delivery');
    await axe(driver, 'driver_delivery');
    // The admin sees the courier on the live map (its pings) and the order assigned.
    await admin.locator('[data-testid=drivers] tr', { hasText: driverId }).waitFor({ timeout: 30_000 });
    await admin.locator(`[data-testid=live-orders] tr[data-order="${orderId}"]`).getByTestId('live-order-status').filter({ hasText: 'PREPARING' }).waitFor({ timeout: 30_000 });
    await step(admin, 'admin-live-delivering');
    await driver.getByRole('button', { name: 'Arrived at the restaurant' }).click();
    await driver.getByTestId('delivery-status').filter({ hasText: 'At the restaurant' }).waitFor();
    await ticket.getByRole('button', { name: `Ready for pickup ${short}` }).click();
    await ticket.getByTestId('ticket-status').filter({ hasText: 'READY_FOR_PICKUP' }).waitFor();
    await step(kitchen, 'restaurant-ready');
    await driver.getByRole('button', { name: 'Picked up the order' }).click();
    await driver.getByTestId('delivery-status').filter({ hasText: 'Picked up' }).waitFor();

    // The courier's app is reloaded mid-delivery: signed in again, it finds the delivery.
    await driver.reload();
    await signIn(driver, driverEmail);
    await driver.getByTestId('delivery-status').filter({ hasText: 'Picked up' }).waitFor({ timeout: 15_000 });
    await driver.getByTestId('courier-status').filter({ hasText: 'on a delivery' }).waitFor();
    await step(driver, 'driver-after-reload');
    out('RECOVERED');
    await driver.getByRole('button', { name: 'Head to the customer' }).click();
    await driver.getByTestId('delivery-status').filter({ hasText: 'On the way to the customer' }).waitFor();
    await driver.getByRole('button', { name: 'Arrived at the customer' }).click();
    await driver.getByTestId('delivery-status').filter({ hasText: 'At the customer' }).waitFor();
    await driver.getByRole('button', { name: 'Delivered' }).click();
    await driver.getByTestId('courier-status').filter({ hasText: 'waiting for offers' }).waitFor({ timeout: 15_000 });
    await step(driver, 'driver-done');
    // The delivery is in the courier's history, and the wallet credits the share today.
    await driver.getByTestId('delivery-history').getByText(new RegExp(`^${orderId.slice(0, 8)} Delivered`)).waitFor({ timeout: 30_000 });
    await driver.getByTestId('earnings-today').filter({ hasText: /from 1 order$/ }).waitFor({ timeout: 60_000 });
    await step(driver, 'driver-earnings');
    await axe(driver, 'driver_earnings');
    out('EARNED');

    // Everyone sees it delivered.
    await customer.locator('[data-testid=order-status][data-status=DELIVERED]').waitFor({ timeout: 30_000 });
    await step(customer, 'customer-delivered');
    await axe(customer, 'customer_order');
    await admin.locator(`[data-testid=live-orders] tr[data-order="${orderId}"]`).getByTestId('live-order-status').filter({ hasText: 'DELIVERED' }).waitFor({ timeout: 30_000 });
    await step(admin, 'admin-live-delivered');
    await kitchen.getByTestId('closed-orders').getByText(`${short} DELIVERED`).waitFor({ timeout: 30_000 });
    out(`ORDER ${orderId}`);

    // The admin opens the order: its full timeline.
    await admin.goto(url('admin', `&lat=${at.lat}&lng=${at.lng}`, `#/orders/${orderId}`));
    await signIn(admin, adminEmail);
    await admin.getByTestId('order-status').filter({ hasText: 'DELIVERED' }).waitFor({ timeout: 15_000 });
    await admin.getByTestId('order-timeline').getByText(/^PICKED_UP/).waitFor();
    await step(admin, 'admin-order-detail');
    await axe(admin, 'admin_order');
    await admin.getByRole('link', { name: 'Health' }).click();
    await admin.getByTestId('health-status').filter({ hasText: /Router: ready/ }).waitFor({ timeout: 15_000 });
    await step(admin, 'admin-health');
    await axe(admin, 'admin_health');
    // The wallet's audit log, verified on demand.
    await admin.getByRole('link', { name: 'Wallet audit' }).click();
    await admin.getByRole('button', { name: 'Verify the audit log' }).click();
    await admin.getByTestId('audit-verdict').filter({ hasText: /^Intact/ }).waitFor({ timeout: 60_000 });
    await step(admin, 'admin-wallet-audit');
    await axe(admin, 'admin_wallet_audit');

    // Users and roles: the admin finds the customer by email and sees their roles and
    // the audit of role changes.
    await admin.getByRole('link', { name: 'Users' }).click();
    await admin.getByLabel('Email or name starts with').fill(customerEmail);
    await admin.getByRole('button', { name: 'Search users' }).click();
    const row = admin.getByTestId('users').locator('tr', { hasText: customerEmail });
    await row.filter({ hasText: 'CUSTOMER' }).waitFor({ timeout: 15_000 });
    await row.getByRole('link').click();
    await admin.getByRole('checkbox', { name: 'CUSTOMER' }).and(admin.locator(':checked')).waitFor({ timeout: 15_000 });
    await admin.getByRole('heading', { name: 'Role changes' }).waitFor();
    await step(admin, 'admin-users');
    await axe(admin, 'admin_users');

    // A second order, turned down by the restaurant: the wallet refunds the customer.
    const rejectedId = await orderFromCustomerApp(customer, 'second');
    const rticket = kitchen.locator(`[data-testid=ticket][data-order="${rejectedId}"]`);
    const rshort = rejectedId.slice(0, 8);
    await rticket.getByLabel(`Reason to reject ${rshort}`).fill('Out of dough');
    await rticket.getByRole('button', { name: `Reject order ${rshort}` }).click();
    await kitchen.getByTestId('closed-orders').getByText(`${rshort} REJECTED`).waitFor({ timeout: 30_000 });
    await step(kitchen, 'restaurant-rejected');
    await customer.locator('[data-testid=order-status][data-status=REJECTED]').waitFor({ timeout: 30_000 });
    await customer.getByRole('link', { name: 'Wallet' }).click();
    const refundDeadline = Date.now() + 60_000;
    for (;;) {
      try {
        await customer.getByRole('list', { name: 'Wallet history' }).getByText(/^refund/).first().waitFor({ timeout: 3_000 });
        break;
      } catch (e) {
        if (Date.now() > refundDeadline) throw new Error('the refund never showed in the customer wallet');
        await customer.getByRole('link', { name: 'Search' }).click();
        await customer.getByRole('link', { name: 'Wallet' }).click();
      }
    }
    await step(customer, 'customer-wallet-refunded');
    await axe(customer, 'customer_wallet');
    out(`REJECTED ${rejectedId}`);

    assertAccessible();
    out('PASS');
  } catch (e) {
    for (const [who, page] of Object.entries(pages)) await failureShot(page, `failure-${who}`, who);
    throw e;
  } finally {
    await browser.close();
  }
}

run(main);

// The admin's dead-letter screen in Debian's chromium (playwright-core) against the real
// router: platform/city's TestWebDeadLetters parks two poison events and repairs their
// cause, then runs this script. The admin opens #/dead-letters, finds the topic and the
// two letters, replays the first (once: the button is gone after) and discards the
// second. Protocol on stdout: STEP <name> <file>, METRIC <name> <value>, PASS / FAIL <reason>.
import { assertAccessible, axe, env, launch, out, run, step } from './lib.mjs';

const base = env('WEB_E2E_BASE'); // serves /admin/
const router = env('WEB_E2E_ROUTER');
const password = env('WEB_E2E_PASSWORD');
const adminEmail = env('WEB_E2E_ADMIN_EMAIL');
const topic = env('WEB_E2E_DLQ_TOPIC');
const replayId = env('WEB_E2E_REPLAY_EVENT');
const discardId = env('WEB_E2E_DISCARD_EVENT');

// said waits for the screen's status line to say text; an error alert instead fails at once with its words.
async function said(page, text) {
  const status = page.getByTestId('dlq-said').filter({ hasText: text });
  const alert = page.getByRole('alert');
  const shows = (l) => l.first().waitFor({ timeout: 30_000 }).then(() => true, () => false);
  await Promise.race([shows(status), shows(alert)]);
  if (await status.isVisible()) return;
  if (await alert.first().isVisible()) throw new Error(`wanted "${text}", the screen says: ${await alert.first().textContent()}`);
  throw new Error(`"${text}" never showed`);
}

async function main() {
  const browser = await launch();
  try {
    const context = await browser.newContext({ deviceScaleFactor: 1, viewport: { width: 1280, height: 900 } });
    const admin = await context.newPage();
    admin.on('pageerror', (e) => out(`PAGEERROR admin ${e.message}`));
    admin.on('dialog', (d) => void d.accept()); // "Discard ...? It will never be replayed."
    await admin.goto(`${base}/admin/index.html?router=${encodeURIComponent(router)}#/live`);
    await admin.getByLabel('Email').fill(adminEmail);
    await admin.getByLabel('Password').fill(password);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('link', { name: 'Dead letters' }).click();
    await admin.getByRole('heading', { name: 'Dead-letter queues' }).waitFor();
    const row = admin.getByTestId('dlq-topics').getByRole('row', { name: new RegExp(topic.replaceAll('.', '\\.')) });
    await row.waitFor({ timeout: 15_000 });
    await step(admin, 'admin-dead-letter-topics');
    await axe(admin, 'admin_dead_letter_topics');

    await row.getByRole('link', { name: topic }).click();
    const letter = (id) => admin.locator(`[data-testid=dlq-letter][data-event-id="${id}"]`);
    await letter(replayId).waitFor({ timeout: 15_000 });
    await letter(discardId).waitFor();
    await letter(replayId).getByText('Payload').click(); // open the payload of the first
    await letter(replayId).locator('pre').filter({ hasText: replayId }).waitFor();
    await step(admin, 'admin-dead-letters');
    await axe(admin, 'admin_dead_letters');

    await letter(replayId).getByRole('button', { name: 'Replay' }).click();
    await said(admin, 'Replayed 1 letter.');
    await letter(replayId).getByText('REPLAYED', { exact: true }).waitFor({ timeout: 15_000 });
    if (!(await letter(replayId).getByRole('button', { name: 'Replay' }).isDisabled())) {
      throw new Error('the replayed letter can still be replayed from the screen');
    }
    await letter(discardId).getByRole('button', { name: 'Discard' }).click();
    await said(admin, `Discarded ${discardId}.`);
    await letter(discardId).waitFor({ state: 'detached', timeout: 15_000 });
    await admin.getByTestId('dlq-total').filter({ hasText: /^1 letter kept/ }).waitFor({ timeout: 15_000 });
    await step(admin, 'admin-dead-letters-after');
    await axe(admin, 'admin_dead_letters_after');
    assertAccessible();
    out('PASS');
  } finally {
    await browser.close();
  }
}

run(main);

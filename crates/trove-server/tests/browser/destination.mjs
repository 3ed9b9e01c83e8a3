// Drives the destination forms in headless Chromium (playwright-core). Started by tests/output_destination.rs:
//   PW_MODULES, CHROMIUM   from scripts/browser          BASE  the web UI      ACCESS / SECRET  a key pair
//   PHASE=project: PROJECT, GOOD, BAD_SCHEME, BAD_DIR    set the project's default destination through the form
//   PHASE=tasks:   TASKS (JSON list of ids), DRAFT, DONE, GOOD, BAD_DIR   read the INFO tabs, edit a draft's
// Prints one JSON line of findings; exits non-zero on the first failed check.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PW_MODULES + '/playwright-core');
const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`missing env ${k}`); return v; };
const check = (cond, msg) => { if (!cond) throw new Error('check failed: ' + msg); };
const BASE = env('BASE');

const browser = await chromium.launch({
  executablePath: env('CHROMIUM'),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const out = {};
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=access_key]', env('ACCESS'));
  await page.fill('input[name=secret_key]', env('SECRET'));
  await Promise.all([page.waitForURL('**/projects'), page.click('button[type=submit]')]);

  // Submit a form's one text field; returns [HTTP status, error notice text or null].
  const submit = async (formSel, field, value) => {
    await page.fill(`${formSel} input[name=${field}]`, value);
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click(`${formSel} button[type=submit]`),
    ]);
    await page.waitForLoadState('load');
    const err = page.locator('.notice.err');
    return [resp.status(), (await err.count()) ? (await err.first().innerText()) : null];
  };

  if (env('PHASE') === 'project') {
    const PROJECT = env('PROJECT');
    await page.goto(`${BASE}/projects/${PROJECT}`);
    const form = '#project-destination-form';
    out.unknown_scheme = await submit(form, 'default_output_destination', env('BAD_SCHEME'));
    out.after_unknown = await page.locator('#project-destination').innerText();
    out.unwritable = await submit(form, 'default_output_destination', env('BAD_DIR'));
    out.after_unwritable = await page.locator('#project-destination').innerText();
    out.relative = await submit(form, 'default_output_destination', 'relative/folder');
    out.good = await submit(form, 'default_output_destination', env('GOOD'));
    out.saved_notice = await page.locator('.notice.ok').innerText();
    out.after_good = await page.locator('#project-destination').innerText();
    // A POST without the form's token is refused, even with the session cookie.
    const forged = await page.request.post(`${BASE}/projects/${PROJECT}/settings`, {
      form: { default_output_destination: '/tmp' }, maxRedirects: 0,
    });
    out.forged_status = forged.status();
    // ... and so is one from another origin, even with a valid token.
    const token = await page.locator(`${form} input[name=csrf]`).inputValue();
    const cross = await page.request.post(`${BASE}/projects/${PROJECT}/settings`, {
      form: { csrf: token, default_output_destination: '/tmp' }, maxRedirects: 0,
      headers: { Origin: 'http://evil.example' },
    });
    out.cross_origin_status = cross.status();
    await page.goto(`${BASE}/projects/${PROJECT}`);
    out.after_forged = await page.locator('#project-destination').innerText();
  } else {
    out.tasks = {};
    for (const id of JSON.parse(env('TASKS'))) {
      await page.goto(`${BASE}/tasks/${id}`);
      out.tasks[id] = {
        uri: await page.locator('#destination-card .dest-uri').innerText(),
        level: await page.locator('#destination-card .dest-level').innerText(),
      };
    }
    const DRAFT = env('DRAFT');
    await page.goto(`${BASE}/tasks/${DRAFT}`);
    const form = '#task-destination-form';
    out.draft_unwritable = await submit(form, 'destination', env('BAD_DIR'));
    out.draft_unknown = await submit(form, 'destination', 'gopher://old.example/files');
    out.draft_good = await submit(form, 'destination', env('GOOD'));
    out.draft_after = {
      uri: await page.locator('#destination-card .dest-uri').innerText(),
      level: await page.locator('#destination-card .dest-level').innerText(),
    };
    await page.goto(`${BASE}/tasks/${env('DONE')}`);
    out.done_has_form = await page.locator('#task-destination-form').count();
    await page.screenshot({ path: env('SCREENSHOT'), fullPage: true });
  }
  console.log(JSON.stringify(out));
} catch (e) {
  const pages = browser.contexts().flatMap((c) => c.pages());
  for (const p of pages) {
    console.error(`at ${p.url()}:\n${(await p.content()).slice(0, 4000)}`);
  }
  throw e;
} finally {
  await browser.close();
}

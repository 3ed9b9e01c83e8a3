// The seed example's ARTIFACTS tab in headless Chromium (playwright-core), as recorded by the Rust SDK's
// embedded mode and served by `trove server --home <that folder> --no-auth`. Started by tests/seed_ui.rs with
//   PW_MODULES, CHROMIUM, BASE, TASK, PANDAS_FILE (the stored Pandas.csv.gz), SCREENSHOT.
// Prints one JSON line of findings; exits non-zero on the first failed check.
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PW_MODULES + '/playwright-core');
const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`missing env ${k}`); return v; };
const BASE = env('BASE'), TASK = env('TASK');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const check = (cond, msg) => { if (!cond) throw new Error('check failed: ' + msg); };

const browser = await chromium.launch({
  executablePath: env('CHROMIUM'),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const out = {};
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(`${BASE}/tasks/${TASK}/artifacts`);
  check(page.url().endsWith(`/tasks/${TASK}/artifacts`), `no login with --no-auth, at ${page.url()}`);

  const titles = await page.locator('article.artifact h3').allTextContents();
  for (const name of ['train', 'Pandas', 'local file', 'dictionary', 'Numpy Eye', 'pillow_image', 'local folder', 'wildcard jpegs']) {
    check(titles.some((t) => t.trim() === name), `artifact ${name} listed in ${titles}`);
  }
  out.artifacts = titles.length;

  const total = await page.locator('.preview[data-src]').count();
  for (let y = 0; y < 40; y++) { await page.mouse.wheel(0, 600); await page.waitForTimeout(50); }
  await page.waitForFunction((n) => document.querySelectorAll('.preview.loaded').length === n, total, { timeout: 30000 });
  const card = (key) => page.locator('article.artifact').filter({ has: page.locator('h3', { hasText: new RegExp(`^\\s*${key}\\s*$`) }) }).first();

  const cells = await card('Pandas').locator('.preview table tbody tr').first().locator('th, td').allTextContents();
  check(JSON.stringify(cells) === JSON.stringify(['falcon', '2', '2', '10']), `Pandas first row ${JSON.stringify(cells)}`);
  const train = await card('train').locator('.preview table tbody tr').first().locator('th, td').allTextContents();
  check(train.slice(-3).join(',') === '2,2,10', `train first row ${JSON.stringify(train)}`);
  const meta = await card('train').locator('tr.meta').allTextContents();
  check(meta.includes('COUNTINGlegs') && meta.includes('MAX LEGS69'), `train metadata ${meta}`);

  const img = card('pillow_image').locator('img.thumb');
  await img.scrollIntoViewIfNeeded();
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 20000 });
  const nat = await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
  check(nat[0] === 444 && nat[1] === 444, `image natural size ${nat}`);
  out.image = nat;

  const json = JSON.parse(await card('dictionary').locator('.preview pre').textContent());
  check(json.num_legs.falcon === 2 && json.num_specimen_seen.fish === 8, 'dictionary preview');
  const npz = await card('Numpy Eye').locator('.preview').textContent();
  check(npz.includes('(100, 100)') && npz.includes('float64'), `npz preview ${npz}`);
  const zip = await card('local folder').locator('.preview').textContent();
  check(zip.includes('dancing.jpg') && zip.includes('data.csv'), `zip preview ${zip}`);
  const jpgs = await card('wildcard jpegs').locator('.preview').textContent();
  check(jpgs.includes('picasso.jpg') && !jpgs.includes('data.csv'), `wildcard preview ${jpgs}`);

  const [download] = await Promise.all([page.waitForEvent('download'), card('Pandas').locator('a[download]').click()]);
  const got = readFileSync(await download.path());
  check(sha256(got) === sha256(readFileSync(env('PANDAS_FILE'))), 'downloaded Pandas.csv.gz equals the stored file');
  out.download_sha256 = sha256(got);

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: env('SCREENSHOT'), fullPage: true, clip: { x: 0, y: 0, width: 1360, height: 1600 } });
  check(dialogs.length === 0, `no dialogs, got ${dialogs}`);
  console.log(JSON.stringify(out));
} catch (e) {
  console.log(JSON.stringify({ ...out, error: String(e && e.stack || e) }));
  process.exitCode = 1;
} finally {
  await browser.close();
}

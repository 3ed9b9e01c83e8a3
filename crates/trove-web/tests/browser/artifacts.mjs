// Drives the ARTIFACTS tab in headless Chromium (playwright-core). Started by tests/browser.rs with:
//   PW_MODULES  node_modules folder holding playwright-core      CHROMIUM  the browser binary
//   BASE        the web UI's base URL                             TASK / OTHER_TASK / PROJECT  ids
//   EXPECT      JSON: {pandas_file, json_file, hostile}            SCREENSHOT  where to save the PNG
// Prints one JSON line of findings; exits non-zero on the first failed check.
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PW_MODULES + '/playwright-core');
const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`missing env ${k}`); return v; };
const BASE = env('BASE'), TASK = env('TASK'), OTHER = env('OTHER_TASK'), PROJECT = env('PROJECT');
const EXPECT = JSON.parse(env('EXPECT'));
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
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  // 1. login: the tab redirects to /login, then back
  await page.goto(`${BASE}/tasks/${TASK}/artifacts`);
  check(page.url().includes('/login'), `redirected to login, at ${page.url()}`);
  await page.fill('input[name=access_key]', 'webtest');
  await page.fill('input[name=secret_key]', 'websecret');
  await Promise.all([page.waitForURL(`**/tasks/${TASK}/artifacts`), page.click('button[type=submit]')]);
  out.logged_in = true;

  // 2. every preview loads lazily while scrolling
  const total = await page.locator('.preview[data-src]').count();
  for (let y = 0; y < 40; y++) {
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(50);
  }
  await page.waitForFunction((n) => document.querySelectorAll('.preview.loaded').length === n, total, { timeout: 20000 });
  out.previews_loaded = total;

  const card = (key) => page.locator('article.artifact').filter({ has: page.locator('h3', { hasText: key }) }).first();

  // 3. frame preview cells (index column is a header cell)
  const firstRow = card('Pandas').locator('.preview table tbody tr').first();
  const cells = await firstRow.locator('th, td').allTextContents();
  check(JSON.stringify(cells) === JSON.stringify(['falcon', '2', '2', '10']), `Pandas first row ${JSON.stringify(cells)}`);
  const header = await card('Pandas').locator('.preview table thead th').allTextContents();
  check(header.join('|') === '|num_legs|num_wings|num_specimen_seen', `Pandas header ${header}`);
  out.frame_cells = cells;
  const metaRows = await card('Pandas').locator('tr.meta').allTextContents();
  check(metaRows.includes('COUNTINGlegs') && metaRows.includes('MAX LEGS69'), `metadata rows ${metaRows}`);

  // 4. the image really loaded
  const img = card('pillow_image').locator('img.thumb');
  await img.scrollIntoViewIfNeeded();
  await page.waitForFunction((el) => el.complete, await img.elementHandle());
  const nat = await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
  check(nat[0] === 64 && nat[1] === 48, `image natural size ${nat}`);
  out.image = nat;

  // 5. JSON pretty-printed, same data as the file
  const jsonText = await card('dictionary').locator('.preview pre').textContent();
  const expected = JSON.parse(readFileSync(EXPECT.json_file, 'utf8'));
  check(JSON.stringify(JSON.parse(jsonText)) === JSON.stringify(expected), 'JSON preview equals the file');
  check(jsonText.includes('\n    "falcon": 2'), 'JSON is indented');
  out.json_ok = true;

  // npz and zip previews
  const npz = await card('Numpy Eye').locator('.preview').textContent();
  check(npz.includes('(100, 100)') && npz.includes('float64'), `npz preview ${npz}`);
  const zip = await card('local folder').locator('.preview').textContent();
  check(zip.includes('sub/b.bin') && zip.includes('a.txt'), `zip preview ${zip}`);

  // 6. the hostile name and metadata show as text; nothing ran
  const titles = await page.locator('article.artifact h3').allTextContents();
  check(titles.includes(EXPECT.hostile), `hostile title shown as text: ${titles}`);
  const hostileCard = card('alert(1)');
  const metaText = await hostileCard.locator('tr.meta').textContent();
  check(metaText.includes('<B>BOLD</B>') && metaText.includes('<img src=x onerror=alert(2)>'), `hostile metadata ${metaText}`);
  check(await page.locator('article.artifact script, article.artifact img[src=x], article.artifact b').count() === 0, 'no injected elements');
  check(dialogs.length === 0, `no dialogs, got ${dialogs}`);
  out.hostile_as_text = true;

  // 7. download through /files and compare bytes
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card('Pandas').locator('a[download]').click(),
  ]);
  const got = readFileSync(await download.path());
  const want = readFileSync(EXPECT.pandas_file);
  check(sha256(got) === sha256(want), `downloaded sha256 ${sha256(got)} != ${sha256(want)}`);
  check(download.suggestedFilename() === 'Pandas.csv.gz', `download name ${download.suggestedFilename()}`);
  out.download_sha256 = sha256(got);

  // 8. screenshot of the tab (top of the page, where the frame, JSON and image are)
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: env('SCREENSHOT'), fullPage: true, clip: { x: 0, y: 0, width: 1360, height: 1500 } });
  out.screenshot = env('SCREENSHOT');

  // 9. pick two tasks on the task list and compare
  await page.goto(`${BASE}/projects/${PROJECT}`);
  await page.check(`input[name=t][value="${TASK}"]`);
  await page.check(`input[name=t][value="${OTHER}"]`);
  await Promise.all([page.waitForURL('**/compare?tasks=*'), page.click('#compare-btn')]);
  const diffKeys = await page.locator('table.compare tr.diff').evaluateAll((rows) => rows.map((r) => r.dataset.key));
  check(diffKeys.includes('dictionary') && !diffKeys.includes('Pandas'), `diff rows ${diffKeys}`);
  check(await page.locator('tr[data-key="pillow_image"] td.missing').count() === 1, 'image missing on one side');
  out.compare_diff = diffKeys.length;

  check(dialogs.length === 0, `no dialogs at the end, got ${dialogs}`);
  out.console_errors = consoleErrors;
  console.log(JSON.stringify(out));
} catch (e) {
  console.log(JSON.stringify({ ...out, error: String(e && e.stack || e) }));
  process.exitCode = 1;
} finally {
  await browser.close();
}

// List options in the browser: a week of announcements (?date=A..B) under day headings with the
// "unread only" toggle hiding papers already opened (read marks in localStorage), the "this
// week" link, and the replacements toggle adding arXiv's replaced papers as a third section.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import {
  checkPrerequisites, tempDir, importPapers, startServer, launchBrowser, newContext,
  watchErrors, openReader, screenshot, byId, syntheticPapers, tinyPdf, DAY, OLD_DAY,
} from './lib.mjs';

const PAPERS = syntheticPapers();  // 10 papers in cs.CL on DAY, 1 on OLD_DAY
const REPLACED = '2606.00011';      // new on OLD_DAY, replaced on DAY (added below)
const WEEK = `${OLD_DAY}..${DAY}`;
const site = { dir: '', server: null, base: '', browser: null };

before(async () => {
  checkPrerequisites();
  site.dir = tempDir();
  const db = importPapers(site.dir, PAPERS, 'options');
  // The JSON-lines import knows announcements only; the harvester stores replacements like this.
  const sql = `INSERT INTO memberships (category, day, paper_id, type, position) ` +
              `VALUES ('cs.CL', '${DAY}', '${REPLACED}', 2, 100)`;
  const r = spawnSync('python3', ['-c', 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); ' +
                                        'c.execute(sys.argv[2]); c.commit()', db, sql],
                      { encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error(`adding the replacement failed: ${r.stderr}`);
  site.server = await startServer(db);
  site.base = site.server.url;
  site.browser = await launchBrowser();
});

after(async () => {
  if (site.browser) await site.browser.close();
  if (site.server) await site.server.stop();
  if (site.dir) rmSync(site.dir, { recursive: true, force: true });
});

async function freshPage() {
  const ctx = await newContext(site.browser);
  const page = await ctx.newPage();
  return { ctx, page, errors: watchErrors(page) };
}

function visibleIds(page) {
  return page.$$eval('div.panel.paper', (els) => els
    .filter((e) => !e.hidden && getComputedStyle(e).display !== 'none').map((e) => e.id));
}

function allIds(page) {
  return page.$$eval('div.panel.paper', (els) => els.map((e) => e.id));
}

test('a week under day headings; "unread only" hides what was opened, and stays on', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await ctx.route('https://arxiv.org/pdf/**', (route) => route.fulfill({
      status: 200, contentType: 'application/pdf', body: tinyPdf(),
      headers: { 'access-control-allow-origin': '*' },
    }));
    await openReader(page, `${site.base}/arxiv/cs.CL?date=${WEEK}`);
    const ids = await allIds(page);
    assert.equal(ids.length, PAPERS.length, `the week lists every paper once: ${ids}`);
    assert.equal(new Set(ids).size, ids.length);
    const headings = await page.$$eval('h2.day-heading', (els) => els.map((e) => e.id));
    assert.deepEqual(headings, [`day-${DAY}`, `day-${OLD_DAY}`]);
    assert.equal(ids[ids.length - 1], '2606.00011', 'the older day comes last');

    // Read marks from an earlier visit (another tab, or an imported star list).
    await page.evaluate(() => localStorage.setItem('coolpapers.read',
      JSON.stringify({ '2607.00002': Date.now(), '2606.00011': Date.now() })));
    await openReader(page, `${site.base}/arxiv/cs.CL?date=${WEEK}`);
    const toggle = page.locator('nav.day-nav button.cp-unread-only');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    let shown = await visibleIds(page);
    assert.equal(shown.length, PAPERS.length - 2);
    assert.ok(!shown.includes('2607.00002') && !shown.includes('2606.00011'), `${shown}`);
    assert.match(await toggle.innerText(), /2 read hidden/);
    assert.match(await page.locator('#cp-toolbar .cp-info').innerText(), /2 hidden/);

    // Opening a paper while the toggle is on marks it read but does not hide it under the reader.
    const panel = page.locator(byId('2607.00003'));
    await panel.locator('a.title-pdf').click();
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('coolpapers.read') || '{}')['2607.00003']);
    assert.ok((await visibleIds(page)).includes('2607.00003'));
    await screenshot(page, 'list-week-unread-only');

    // The choice is a setting: on the next visit the paper read last time is hidden too.
    await openReader(page, `${site.base}/arxiv/cs.CL?date=${WEEK}`);
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    shown = await visibleIds(page);
    assert.equal(shown.length, PAPERS.length - 3);
    assert.ok(!shown.includes('2607.00003'));
    // Off again: every paper shows.
    await toggle.click();
    assert.equal((await visibleIds(page)).length, PAPERS.length);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('"This week" and "Last 7 days" open ranges ending on the newest day', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL?date=${OLD_DAY}`);
    assert.equal((await allIds(page)).length, 1);
    await Promise.all([page.waitForURL(/date=2026-06-29\.\.2026-07-01/), page.click('a.range-week')]);
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal((await allIds(page)).length, PAPERS.length - 1);  // DAY is a Wednesday
    assert.equal(await page.locator('h2.day-heading').count(), 1);
    await Promise.all([page.waitForURL(/date=2026-06-25\.\.2026-07-01/), page.click('a.range-last7')]);
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal((await allIds(page)).length, PAPERS.length - 1);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('the replacements toggle adds replaced papers as a third section, and removes them', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL?date=${DAY}`);
    const plain = await allIds(page);
    assert.equal(plain.length, PAPERS.length - 1);
    assert.ok(!plain.includes(REPLACED));
    const toggle = page.locator('a.replacements-toggle');
    assert.equal(await toggle.innerText(), 'Show replacements');
    await Promise.all([page.waitForURL(/show_replacements=1/), toggle.click()]);
    await page.waitForSelector('body[data-ready="1"]');
    const withRepl = await allIds(page);
    assert.equal(withRepl.length, plain.length + 1);
    assert.equal(withRepl[withRepl.length - 1], REPLACED);
    const sections = await page.$$eval('h2.list-section', (els) => els.map((e) => e.textContent));
    assert.deepEqual(sections, ['New submissions', 'Cross-lists', 'Replacements']);
    const announce = await page.locator(`${byId(REPLACED)} p.announce`).evaluate(
      (el) => [el.textContent, getComputedStyle(el).display, el.closest('div.panel').className]);
    assert.match(announce[0], /replaced/, JSON.stringify(announce));
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    await screenshot(page, 'list-replacements');
    await Promise.all([page.waitForURL((u) => !u.search.includes('show_replacements')), toggle.click()]);
    await page.waitForSelector('body[data-ready="1"]');
    assert.deepEqual(await allIds(page), plain);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

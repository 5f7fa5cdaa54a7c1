// A venue edition page (/venue/ACL.2024, the real ACL Anthology fixture) gets the reader of the
// arXiv list pages: the sort toolbar above the first group heading, ★ by site-wide clicks, ❤ by
// preference keywords, time and page order (group headings hidden while sorted, deferred panels
// revealed), and the keyword filters with highlights; its search boxes search the venue branch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { useSite, openReader, screenshot, byId, BIN, SOURCE_DIR } from './lib.mjs';

const ACL = path.join(SOURCE_DIR, 'tests', 'fixtures', 'venues', 'acl', '2024.acl.excerpt.xml');
const NAME = 'venue';

// The ACL fixture goes into the database the arXiv fixture is then imported into.
const site = useSite({
  name: NAME,
  env: (s) => {
    const db = path.join(s.dir, `${NAME}.db`);
    const r = spawnSync(BIN, ['import', 'venue', '--source', 'acl', ACL, '--db', `sqlite:${db}`],
                        { encoding: 'utf8', timeout: 120000 });
    if (r.status !== 0) throw new Error(`venue import failed (exit ${r.status}): ${r.stderr}`);
    return {};
  },
});

function allIds(page) {
  return page.$$eval('div.panel.paper', (els) => els.map((e) => e.id));
}

function visibleIds(page) {
  return page.$$eval('div.panel.paper', (els) => els
    .filter((e) => !e.hidden && getComputedStyle(e).display !== 'none').map((e) => e.id));
}

// Each panel's searchable text as the filters see it (title, abstract, authors; lower case).
function panelTexts(page) {
  return page.$$eval('div.panel.paper', (els) => els.map((e) => {
    const t = (sel) => [...e.querySelectorAll(sel)].map((x) => x.textContent.replace(/\s+/g, ' ').trim());
    return [e.id, `${t('h2.title a.title-link')}\n${t('p.summary')}\n${t('p.authors a.author').join(', ')}`.toLowerCase()];
  }));
}

async function visibleGroupHeadings(page) {
  return page.$$eval('section.venue-list > h2.group',
                     (els) => els.filter((e) => getComputedStyle(e).display !== 'none').length);
}

async function setFilter(page, { include = '', exclude = '', mode = 'or', only = true }) {
  if (!(await page.locator('#cp-filter').isVisible())) await page.click('#cp-bar-filter');
  await page.fill('#cp-include', include);
  await page.fill('#cp-exclude', exclude);
  await page.check(mode === 'and' ? '#cp-mode-and' : '#cp-mode-or');
  if (only) await page.check('#cp-only'); else await page.uncheck('#cp-only');
  await page.waitForFunction(([inc, exc]) => {
    const s = JSON.parse(localStorage.getItem('coolpapers.settings') || '{}');
    return s.include === inc && s.exclude === exc;
  }, [include, exclude]);
}

test('venue edition: ★, ❤, time and page-order sorts with ?show=N, group headings hidden while sorted', async () => {
  const { ctx, page, errors } = await freshPageWithClicks();
  try {
    // ?show=5 defers the rest; a sort reveals and orders every panel.
    await openReader(page, `${site.base}/venue/ACL.2024?show=5`);
    const original = await allIds(page);
    assert.equal(original.length, 20, `the fixture edition has 20 papers: ${original}`);
    assert.equal((await visibleIds(page)).length, 5);
    // The toolbar sits above the first group heading, as above the first section on arXiv lists.
    assert.equal(await page.evaluate(() => {
      const bar = document.getElementById('cp-toolbar');
      return bar && bar.nextElementSibling && bar.nextElementSibling.matches('h2.group');
    }), true);
    const groups = await visibleGroupHeadings(page);
    assert.ok(groups >= 2, `several groups: ${groups}`);

    await page.getByRole('button', { name: /site-wide clicks/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'stars');
    const byStars = await allIds(page);
    assert.deepEqual(byStars.slice(0, 2), [original[19], original[12]]);
    assert.deepEqual([...byStars].sort(), [...original].sort());
    assert.equal((await visibleIds(page)).length, 20);
    assert.equal(await visibleGroupHeadings(page), 0);
    await screenshot(page, 'venue-sort-stars');

    // ❤: the paper whose title has the preference keyword comes first.
    const texts = new Map(await panelTexts(page));
    const prefId = original.find((id) => texts.get(id).includes('world simulators'));
    assert.ok(prefId, 'the fixture has the "world simulators" paper');
    await page.click('#cp-bar-track');
    await page.fill('#cp-prefs', 'world simulators');
    await page.getByRole('button', { name: /your preferences/ }).click();
    await page.waitForFunction((id) => document.body.dataset.sort === 'prefs' &&
      document.querySelector('div.panel.paper').id === id, prefId);

    // Time: every paper of an edition has its date, so time keeps the venue's order.
    await page.getByRole('button', { name: /by time/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'time');
    assert.deepEqual(await allIds(page), original);

    await page.getByRole('button', { name: /Page order/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'default');
    assert.deepEqual(await allIds(page), original);
    assert.equal(await visibleGroupHeadings(page), groups);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

// Site-wide clicks on two ACL papers (the 20th and the 13th of the edition), then a fresh page.
async function freshPageWithClicks() {
  const r = await fetch(`${site.base}/api/list?venue=ACL.2024`);
  assert.ok(r.ok, `/api/list?venue=ACL.2024: ${r.status}`);
  const body = await r.json();
  const ids = (body.papers || body.results || []).map((p) => p.id);
  assert.equal(ids.length, 20, JSON.stringify(body).slice(0, 300));
  const clicks = [[ids[19], 3], [ids[12], 2]];
  const kinds = ['kimi', 'pdf', 'copy'];
  for (const [id, n] of clicks) {
    for (let i = 0; i < n; i++) {
      const c = await fetch(`${site.base}/api/click/${encodeURIComponent(id)}?kind=${kinds[i]}`,
                            { method: 'POST' });
      assert.ok(c.ok, `POST /api/click/${id}: ${c.status}`);
    }
  }
  return site.freshPage();
}

test('venue edition: include (OR, AND), exclude and only-matching filters with highlights', async () => {
  const { ctx, page, errors } = await site.freshPage();
  try {
    await openReader(page, `${site.base}/venue/ACL.2024`);
    const texts = await panelTexts(page);
    assert.equal(texts.length, 20);
    const expect = (pred) => texts.filter(([, t]) => pred(t)).map(([id]) => id);

    await setFilter(page, { include: 'language models\nmultimodal' });
    const or = await visibleIds(page);
    assert.deepEqual(or, expect((t) => t.includes('language models') || t.includes('multimodal')));
    assert.ok(or.length >= 3 && or.length < 20, `OR matches some: ${or.length}`);
    await page.waitForSelector(`${byId(or[0])} mark.kw`);

    await setFilter(page, { include: 'language models\nlarge', mode: 'and' });
    assert.deepEqual(await visibleIds(page),
                     expect((t) => t.includes('language models') && t.includes('large')));

    await setFilter(page, { include: '', exclude: 'language', only: false });
    const ex = await visibleIds(page);
    assert.deepEqual(ex, expect((t) => !t.includes('language')));
    assert.ok(ex.length > 0 && ex.length < 20);
    await screenshot(page, 'venue-filter-exclude');

    await setFilter(page, { include: '', exclude: '', only: false });
    assert.equal((await visibleIds(page)).length, 20);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

// `serve` starts with an empty index and fills it from the store in the background.
async function waitForVenueIndex() {
  for (let i = 0; i < 60; i++) {
    const r = await fetch(`${site.base}/api/search?q=language%20models&mode=bm25`);
    if (r.ok && (await r.json()).results.some((h) => h.id.includes('@'))) return;
    await new Promise((res) => setTimeout(res, 500));
  }
  assert.fail('the venue papers were not indexed within 30 s');
}

test('venue pages search the venue branch: the top bar and the edition search box', async () => {
  await waitForVenueIndex();
  const { ctx, page, errors } = await site.freshPage();
  try {
    await openReader(page, `${site.base}/venue/`);
    await page.fill('#top-bar input[name="query"]', 'language models');
    await Promise.all([page.waitForURL(/\/venue\/search\?query=language/), page.press('#top-bar input[name="query"]', 'Enter')]);
    await page.waitForSelector('body[data-ready="1"]');
    const hits = await allIds(page);
    assert.ok(hits.length > 0, 'the venue search finds the ACL papers');
    assert.deepEqual(hits.filter((id) => !id.endsWith('@ACL')), []);
    const href = await page.getAttribute(`${byId(hits[0])} a.title-link`, 'href');
    assert.equal(href, `/venue/${hits[0]}`);

    await openReader(page, `${site.base}/venue/ACL.2024`);
    await page.fill('form.venue-search input[name="query"]', 'language models');
    await Promise.all([page.waitForURL(/\/venue\/search\?venue=ACL\.2024/), page.press('form.venue-search input[name="query"]', 'Enter')]);
    await page.waitForSelector('body[data-ready="1"]');
    assert.deepEqual((await allIds(page)).sort(), [...hits].sort());
    assert.equal(await page.textContent('.search-venue'), 'ACL.2024');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

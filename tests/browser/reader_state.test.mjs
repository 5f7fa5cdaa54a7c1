// Reader state kept in the browser: keyword filters (include OR/AND, exclude, only matching,
// highlights), settings surviving a reload, star export (URL, JSON, BibTeX) and import on another
// "device", the home-page category chooser, subject follow/exclude, and the ★ / ❤ / clock sorts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useSite, syntheticPapers, openReader, screenshot, byId, DAY } from './lib.mjs';

const PAPERS = syntheticPapers();
const site = useSite({ papers: PAPERS });
const freshPage = site.freshPage;

// Ids of the papers on the page that are not hidden, in DOM order.
function visibleIds(page) {
  return page.$$eval('div.panel.paper', (els) => els
    .filter((e) => !e.hidden && getComputedStyle(e).display !== 'none').map((e) => e.id));
}

function allIds(page) {
  return page.$$eval('div.panel.paper', (els) => els.map((e) => e.id));
}

// What the day page must show for a keyword query, computed from the fixture itself.
function expected(pageIds, { include = [], mode = 'or', exclude = [] }) {
  const text = new Map(PAPERS.map((p) => [p.id, `${p.title}\n${p.summary}\n${p.authors.join(', ')}`.toLowerCase()]));
  return pageIds.filter((id) => {
    const t = text.get(id);
    if (exclude.some((k) => t.includes(k))) return false;
    if (!include.length) return true;
    return mode === 'and' ? include.every((k) => t.includes(k)) : include.some((k) => t.includes(k));
  });
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

test('include (OR and AND), exclude and only-matching filters over title, abstract and authors', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const ids = await allIds(page);
    assert.ok(ids.includes('2607.00001') && ids.length >= 10, `day page lists the fixture: ${ids}`);

    await setFilter(page, { include: 'speech\ntranslation' });
    const or = await visibleIds(page);
    assert.deepEqual(or, expected(ids, { include: ['speech', 'translation'] }));
    assert.ok(or.includes('2607.00002') && or.includes('2607.00004') && !or.includes('2607.00010'));
    // Matches are highlighted, never inside rendered formulas.
    await page.waitForSelector(`${byId('2607.00002')} p.summary mark.kw`);
    assert.equal(await page.locator('.katex mark.kw').count(), 0);
    await screenshot(page, 'filter-or');

    await setFilter(page, { include: 'speech\ntranslation', mode: 'and' });
    assert.deepEqual(await visibleIds(page), ['2607.00006']);

    await setFilter(page, { include: 'alice zhang' });  // authors are searched too
    assert.deepEqual(await visibleIds(page), ['2607.00001', '2607.00009']);

    await setFilter(page, { include: '', exclude: 'transformer', only: false });
    const ex = await visibleIds(page);
    assert.deepEqual(ex, expected(ids, { exclude: ['transformer'] }));
    assert.ok(!ex.includes('2607.00001') && !ex.includes('2607.00008') && ex.includes('2607.00002'));

    // Without "only matching", non-matching papers stay and matching ones are marked.
    await setFilter(page, { include: 'robot', exclude: '', only: false });
    assert.deepEqual(await visibleIds(page), ids);
    assert.deepEqual(await page.$$eval('div.panel.paper.cp-match', (e) => e.map((x) => x.id)), ['2607.00003']);
    const ms = Number(await page.evaluate(() => document.body.dataset.filterMs));
    assert.ok(Number.isFinite(ms), 'filter time is exposed');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('settings survive a reload and are applied on load', async () => {
  const { ctx, page } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await setFilter(page, { include: 'speech\ntranslation', mode: 'and', exclude: 'kitchen' });
    await page.click('#cp-bar-settings');
    await page.selectOption('#cp-theme', 'dark');
    await page.selectOption('#cp-faq-lang', 'zh');
    await page.check('#cp-fold-all');
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.deepEqual(await visibleIds(page), ['2607.00006']);
    assert.equal(await page.locator(`${byId('2607.00006')}.cp-folded`).count(), 1);
    await page.click('#cp-bar-filter');
    assert.equal(await page.inputValue('#cp-include'), 'speech\ntranslation');
    assert.equal(await page.inputValue('#cp-exclude'), 'kitchen');
    assert.equal(await page.isChecked('#cp-mode-and'), true);
    assert.equal(await page.isChecked('#cp-only'), true);
    await page.click('#cp-bar-settings');
    assert.equal(await page.inputValue('#cp-faq-lang'), 'zh');
    await screenshot(page, 'settings-after-reload');
    // The FAQ request carries the language setting.
    const req = page.waitForRequest((r) => r.url().includes('/arxiv/kimi?') && r.method() === 'POST');
    await page.locator(`${byId('2607.00006')} a.title-kimi`).click();
    assert.match((await req).url(), /lang=zh/);
  } finally {
    await ctx.close();
  }
});

test('stars export as a shareable URL, JSON and BibTeX, and import on another device', async () => {
  const { ctx, page, errors } = await freshPage();
  const picked = ['2607.00001', '2607.00004', '2607.00007'];
  let jsonPath;
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    for (const id of picked) await page.locator(`${byId(id)} a.title-star`).click();
    await page.click('#cp-bar-stars');
    const share = await page.inputValue('#cp-share-url');
    assert.equal(share, `${site.base}/arxiv/${picked.join(',')}`);

    const [jsonDl] = await Promise.all([page.waitForEvent('download'), page.click('#cp-export-json')]);
    jsonPath = path.join(site.dir, 'stars-export.json');  // downloads vanish with their context
    await jsonDl.saveAs(jsonPath);
    const doc = JSON.parse(readFileSync(jsonPath, 'utf8'));
    assert.deepEqual(doc.stars.map((s) => s.id), picked);
    assert.equal(doc.stars[0].title, PAPERS[0].title);
    assert.deepEqual(doc.stars[1].authors, ['Frank Rossi', 'Grace Kim']);

    const [bibDl] = await Promise.all([page.waitForEvent('download'), page.click('#cp-export-bib')]);
    const bib = readFileSync(await bibDl.path(), 'utf8');
    assert.equal((bib.match(/^@misc\{/gm) || []).length, 3);
    assert.match(bib, /eprint = \{2607\.00004\}/);
    assert.match(bib, /author = \{Frank Rossi and Grace Kim\}/);
    assert.match(bib, /title = \{\{A Survey of Machine Translation Evaluation\}\}/);
    assert.match(bib, /primaryClass = \{cs\.CL\}/);
    await screenshot(page, 'stars-export');

    // The shared URL opens exactly those papers.
    await openReader(page, share);
    assert.deepEqual((await allIds(page)).sort(), [...picked].sort());
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }

  // Another device: empty storage, import the JSON file.
  const other = await freshPage();
  try {
    await openReader(other.page, `${site.base}/arxiv/cs.CL`);
    assert.equal(await other.page.locator('div.panel.paper.starred').count(), 0);
    await other.page.click('#cp-bar-stars');
    await other.page.setInputFiles('#cp-import-file', jsonPath);
    await other.page.waitForFunction(() => document.querySelectorAll('div.items a.i-title').length === 3);
    assert.deepEqual((await other.page.$$eval('div.panel.paper.starred', (e) => e.map((x) => x.id))).sort(),
                     [...picked].sort());
    await openReader(other.page, `${site.base}/arxiv/cs.CL`);
    assert.equal(await other.page.locator('div.panel.paper.starred').count(), 3);
    // A broken file is refused with a message, and nothing changes.
    await other.page.click('#cp-bar-stars');
    await other.page.setInputFiles('#cp-import-file', { name: 'x.json', mimeType: 'application/json',
                                                         buffer: Buffer.from('{"nope": 1}') });
    await other.page.waitForFunction(() => /Import failed/.test(document.getElementById('cp-toast')?.textContent || ''));
    assert.equal(await other.page.locator('div.panel.paper.starred').count(), 3);
    await screenshot(other.page, 'stars-imported');
  } finally {
    await other.ctx.close();
  }
});

test('the home-page category chooser opens the union or difference URL', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await openReader(page, `${site.base}/`);
    const toggle = (cat) => page.locator(`a.cp-choose[data-cat="${cat}"]`).first();
    assert.ok(await toggle('cs.CL').count(), 'a chooser toggle next to cs.CL');
    await page.locator('#archive-cs summary').click();  // the archive's categories start folded
    await toggle('cs.CL').click();
    await toggle('cs.LG').click();
    assert.equal(await page.getAttribute('#cp-chooser-open', 'href'), '/arxiv/cs.CL,cs.LG');
    await toggle('cs.CV').click();
    await toggle('cs.CV').click();  // second activation: exclude
    assert.equal(await toggle('cs.CV').getAttribute('data-state'), 'exclude');
    assert.equal(await page.getAttribute('#cp-chooser-open', 'href'), '/arxiv/cs.CL+cs.LG-cs.CV');
    await screenshot(page, 'home-chooser');
    await page.click('#cp-chooser-open');
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal(new URL(page.url()).pathname, '/arxiv/cs.CL+cs.LG-cs.CV');
    const ids = await allIds(page);
    assert.ok(ids.includes('2607.00001') && ids.includes('2607.00009'), `union listed: ${ids}`);
    assert.ok(!ids.includes('2607.00008'), 'the cs.CV paper is excluded');
    // The choice persists on the home page.
    await openReader(page, `${site.base}/`);
    assert.equal(await toggle('cs.CL').getAttribute('data-state'), 'include');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('a subject can be followed or excluded from its hover menu', async () => {
  const { ctx, page } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const subject = page.locator(`${byId('2607.00003')} p.subjects a`, { hasText: 'cs.RO' });
    await subject.hover();
    await page.locator(`${byId('2607.00003')} .cp-pop .cp-exclude`).click();
    await page.waitForFunction(() => getComputedStyle(document.getElementById('2607.00003')).display === 'none');
    await page.locator(`${byId('2607.00001')} p.subjects a`, { hasText: 'cs.LG' }).hover();
    await page.locator(`${byId('2607.00001')} .cp-pop .cp-follow`).click();
    await page.waitForSelector(`${byId('2607.00009')} p.subjects a.followed`);
    const s = await page.evaluate(() => JSON.parse(localStorage.getItem('coolpapers.settings')));
    assert.deepEqual(s.excludeCats, ['cs.RO']);
    assert.deepEqual(s.followCats, ['cs.LG']);
    await screenshot(page, 'subject-follow-exclude');
    // Undo from the keyword sheet.
    await page.click('#cp-bar-filter');
    await page.getByRole('button', { name: 'Stop excluding cs.RO' }).click();
    await page.waitForFunction(() => getComputedStyle(document.getElementById('2607.00003')).display !== 'none');
  } finally {
    await ctx.close();
  }
});

test('sorts: ★ by site-wide clicks, ❤ by preference keywords, clock by time, and back', async () => {
  // Site-wide clicks recorded by other readers. One client counts once per paper and kind a
  // day, so the clicks of this one client go to different kinds (★ sorts by their sum).
  const clicks = { '2607.00010': 3, '2607.00004': 2 };
  const kinds = ['kimi', 'pdf', 'copy'];
  for (const [id, n] of Object.entries(clicks)) {
    for (let i = 0; i < n; i++) {
      const r = await fetch(`${site.base}/api/click/${id}?kind=${kinds[i]}`, { method: 'POST' });
      assert.ok(r.ok, `POST /api/click/${id}: ${r.status}`);
    }
  }
  const { ctx, page, errors } = await freshPage();
  try {
    // A list no other test opened, so no cached copy predates the clicks above.
    await openReader(page, `${site.base}/arxiv/cs.CL,eess.AS`);
    const original = await allIds(page);
    await page.getByRole('button', { name: /site-wide clicks/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'stars');
    const byStars = await allIds(page);
    assert.deepEqual(byStars.slice(0, 2), ['2607.00010', '2607.00004']);
    assert.deepEqual([...byStars].sort(), [...original].sort());
    await screenshot(page, 'sort-stars');

    await page.click('#cp-bar-track');
    await page.fill('#cp-prefs', 'robot\nkitchen');
    await page.getByRole('button', { name: /your preferences/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'prefs' &&
      document.querySelector('div.panel.paper').id === '2607.00003');

    await page.getByRole('button', { name: /Page order/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'default');
    assert.deepEqual(await allIds(page), original);

    // Time: a list of two papers from different days, newest first when sorted.
    await openReader(page, `${site.base}/arxiv/2606.00011,2607.00002`);
    await page.getByRole('button', { name: /by time/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'time');
    assert.deepEqual(await allIds(page), ['2607.00002', '2606.00011']);
    // The sort is a setting: it stays after a reload.
    await openReader(page, `${site.base}/arxiv/2606.00011,2607.00002`);
    assert.deepEqual(await allIds(page), ['2607.00002', '2606.00011']);
    assert.equal(DAY > '2026-06-24', true);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

// A 1,000-paper day stays responsive: keyword filtering over every paper is timed (recorded, not
// asserted), math renders lazily as panels approach the screen, and ?show=N reveals the rest of
// the list as the reader scrolls. Figures go to test-output/browser/large_page.json.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { useSite, bulkPapers, openReader, screenshot, OUT_DIR } from './lib.mjs';

const N = 1000;
const papers = bulkPapers(N, 'cs.AI');
const site = useSite({ papers, name: 'large' });

function count(term) {
  const t = term.toLowerCase();
  return papers.filter((p) => `${p.title}\n${p.summary.replace(/\s+/g, ' ')}\n${p.authors.join(', ')}`
    .toLowerCase().includes(t)).length;
}

test('filtering a 1,000-paper page is fast and exact; math renders lazily', async () => {
  const { ctx, page, errors } = await site.freshPage();
  const figures = { papers: N };
  try {
    const t0 = Date.now();
    await openReader(page, `${site.base}/arxiv/cs.AI`);
    figures.load_to_ready_ms = Date.now() - t0;
    const panels = await page.locator('div.panel.paper').count();
    assert.equal(panels, N);
    figures.initial_filter_ms = Number(await page.evaluate(() => document.body.dataset.filterMs));

    // Lazy math: panels far below the screen have not been rendered yet.
    const rendered = await page.evaluate(() => document.querySelectorAll('div.panel.paper .katex').length);
    const withTex = await page.evaluate(() => [...document.querySelectorAll('div.panel.paper')]
      .filter((p) => /\$/.test(p.querySelector('p.summary')?.textContent || '')).length);
    figures.math_rendered_at_load = rendered;
    figures.panels_with_tex = withTex;

    // Pick a term that matches some but not all papers.
    const term = ['transformer', 'language', 'learning', 'model'].find((t) => {
      const c = count(t);
      return c > 10 && c < N;
    });
    assert.ok(term, 'the fixture has a selective term');
    await page.click('#cp-bar-filter');
    await page.check('#cp-only');
    const samples = [];
    for (const q of [term, `${term}\nnetwork`, 'zzzz-no-match', term]) {
      await page.fill('#cp-include', q);
      await page.waitForFunction((v) => JSON.parse(localStorage.getItem('coolpapers.settings')).include === v, q);
      samples.push(Number(await page.evaluate(() => document.body.dataset.filterMs)));
    }
    figures.filter_ms = samples;
    figures.filter_ms_max = Math.max(...samples);
    const shown = await page.$$eval('div.panel.paper', (els) =>
      els.filter((e) => getComputedStyle(e).display !== 'none').length);
    assert.equal(shown, count(term), `only the ${count(term)} papers containing "${term}" are shown`);
    await screenshot(page, 'large-filtered');

    // Sorting 1,000 panels.
    await page.uncheck('#cp-only');
    await page.getByRole('button', { name: /by time/ }).click();
    await page.waitForFunction(() => document.body.dataset.sort === 'time');
    figures.sort_ms = Number(await page.evaluate(() => document.body.dataset.sortMs));

    // Scrolling to the last paper renders its math on the way.
    if (withTex > 0) {
      const lastTex = await page.evaluate(() => [...document.querySelectorAll('div.panel.paper')]
        .filter((p) => /\$/.test(p.querySelector('p.summary')?.textContent || '')).pop().id);
      await page.evaluate((id) => document.getElementById(id).scrollIntoView(), lastTex);
      await page.waitForFunction((id) => document.getElementById(id).querySelector('.katex'), lastTex,
                                 { timeout: 10000 });
      assert.ok(rendered < withTex * 0.5 || withTex < 20,
                `math is rendered lazily (${rendered} formulas at load for ${withTex} papers with TeX)`);
    }
    assert.deepEqual(errors, []);
  } finally {
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(path.join(OUT_DIR, 'large_page.json'), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`# large page figures: ${JSON.stringify(figures)}`);
    await ctx.close();
  }
});

test('?show=N renders N papers and reveals the rest while scrolling', async () => {
  const { ctx, page } = await site.freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.AI?show=50`);
    const visible = () => page.$$eval('div.panel.paper', (els) => els.filter((e) => !e.hidden).length);
    assert.equal(await visible(), 50);
    // Bounded in time rather than in passes: each reveal relays out a large page.
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline && (await visible()) < N) {
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForTimeout(100);
    }
    assert.equal(await visible(), N);
    await screenshot(page, 'large-show-all');
  } finally {
    await ctx.close();
  }
});

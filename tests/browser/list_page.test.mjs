// A reader on a real list page served by the real binary: math, stars, the star list, read marks
// after opening a PDF, the FAQ panel without an API key, [Copy], [REL], "et al.", dark mode,
// keyboard access and a phone-sized viewport. Screenshots go to test-output/browser/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, openReader, screenshot, tinyPdf, byId } from './lib.mjs';

const site = useSite();
const freshPage = site.freshPage;

test('math renders in titles and summaries; malformed TeX and markup do not break the page', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await page.waitForSelector(`${byId('2607.00001')} p.summary .katex`, { timeout: 10000 });
    assert.ok(await page.locator(`${byId('2607.00001')} h2.title .katex`).count() >= 1, 'title math');
    assert.ok(await page.locator(`${byId('2607.00001')} p.summary .katex-display`).count() >= 1,
              '$$...$$ renders as display math');
    // Malformed TeX stays readable text and the rest of the page keeps working.
    const broken = await page.locator(byId('2607.00005')).innerText();
    assert.match(broken, /Malformed TeX/);
    assert.match(broken, /5 < 6 & 7 > 3/);
    const escaped = await page.locator(`${byId('2607.00007')} a.title-link`).innerText();
    assert.match(escaped, /<script>alert\(1\)<\/script>/);
    assert.equal(await page.locator(`${byId('2607.00007')} script`).count(), 0);
    assert.equal(await page.evaluate(() => typeof window.togglePdf), 'function');
    assert.deepEqual(errors, []);
    await screenshot(page, 'list-math');
  } finally {
    await ctx.close();
  }
});

test('star and unstar a paper (mouse and keyboard); the star list jumps to it', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const panel = page.locator(byId('2607.00010'));
    const star = panel.locator('a.title-star');
    await star.click();
    await page.waitForFunction((id) => document.getElementById(id).classList.contains('starred'), '2607.00010');
    assert.equal(await star.innerText(), '★');
    assert.equal(await star.getAttribute('aria-pressed'), 'true');
    // Keyboard: focus the star of another paper and press Enter.
    await page.locator(`${byId('2607.00007')} a.title-star`).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.getElementById(id).classList.contains('starred'), '2607.00007');
    // Star list: div.items > p > a.i-title[href="#id"], in page order.
    const links = await page.$$eval('div.items p a.i-title', (as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(links, ['#2607.00007', '#2607.00010']);
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('coolpapers.stars')));
    assert.deepEqual(Object.keys(stored).sort(), ['2607.00007', '2607.00010']);
    assert.equal(stored['2607.00010'].title, 'Tokenization Matters for Multilingual Models');
    // Jump from the star list.
    await page.click('#cp-bar-stars');
    await page.evaluate(() => window.scrollTo(0, 0));  // focusing the star scrolled to it
    assert.ok(await page.evaluate(() => document.getElementById('2607.00007').getBoundingClientRect().top > 900),
              'the paper starts below the screen');
    await page.locator('#cp-stars div.items a.i-title[href="#2607.00007"]').click();
    await page.waitForFunction((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top >= -2 && r.top < 80;
    }, '2607.00007');
    await screenshot(page, 'list-stars');
    // Stars survive a reload; unstarring removes the paper from the list.
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    assert.equal(await page.locator(`${byId('2607.00010')}.starred`).count(), 1);
    await page.locator(`${byId('2607.00010')} a.title-star`).click();
    await page.waitForFunction(() => document.querySelectorAll('div.items a.i-title').length === 1);
    assert.equal(await page.locator(`${byId('2607.00010')}.starred`).count(), 0);
    assert.equal(await page.locator(`${byId('2607.00010')} a.title-star`).innerText(), '☆');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('opening a PDF shows it inline, counts the click, and marks the paper read and starred', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await ctx.route('https://arxiv.org/pdf/**', (route) => route.fulfill({
      status: 200, contentType: 'application/pdf', body: tinyPdf(),
      headers: { 'access-control-allow-origin': '*' },
    }));
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const panel = page.locator(byId('2607.00002'));
    const before = Number(await panel.locator('sup.pdf-counter').innerText());
    const clicked = page.waitForRequest((r) => r.url().includes('/api/click/2607.00002') &&
                                                r.url().includes('kind=pdf') && r.method() === 'POST');
    await panel.locator('a.title-pdf').click();
    await clicked;
    await page.waitForSelector(`${byId('2607.00002')} .pdf-panel .pdf-page[data-done="1"] canvas`, { timeout: 15000 });
    assert.equal(await panel.locator('.pdf-area').getAttribute('data-viewer'), 'pdfjs');
    const pdfUrl = await panel.locator('a.title-pdf').getAttribute('data');
    assert.match(pdfUrl, /^https:\/\/arxiv\.org\/pdf\/2607\.00002/);
    assert.equal(await panel.locator('a.pdf-original').getAttribute('href'), pdfUrl);
    assert.equal(Number(await panel.locator('sup.pdf-counter').innerText()), before + 1);
    assert.match(await panel.getAttribute('class'), /\bread\b/);
    assert.match(await panel.getAttribute('class'), /\bstarred\b/);
    await page.mouse.move(1, 1);
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.waitForTimeout(400);  // the dimming fades in
    const opacity = await panel.evaluate((el) => Number(getComputedStyle(el).opacity));
    assert.ok(opacity < 1, `read papers are dimmed (opacity ${opacity})`);
    await screenshot(page, 'list-pdf-open');
    // [PDF] again closes the viewer.
    await panel.locator('a.title-pdf').click();
    assert.equal(await panel.locator('.pdf-panel').count(), 0);
    // After a reload: still read; the server remembers the click.
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    assert.match(await panel.getAttribute('class'), /\bread\b/);
    const api = await (await fetch(`${site.base}/api/papers/2607.00002`)).json();
    assert.equal(api.clicks.pdf, before + 1, 'the server counted the click');
    await screenshot(page, 'list-read-mark');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('the PDF viewer falls back to the browser viewer when PDF.js cannot read the file', async () => {
  const { ctx, page } = await freshPage();
  try {
    // arXiv answering with an HTML page instead of a PDF (e.g. "PDF being generated").
    await ctx.route('https://arxiv.org/pdf/**', (route) => route.fulfill({
      status: 200, contentType: 'text/html', body: '<html><body>PDF unavailable</body></html>',
    }));
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await page.locator(`${byId('2607.00003')} a.title-pdf`).click();
    await page.waitForSelector(`${byId('2607.00003')} .pdf-area[data-viewer="browser"] iframe.pdf-frame`,
                               { timeout: 15000 });
    assert.equal(await page.locator(`${byId('2607.00003')} iframe.pdf-frame`).getAttribute('src'),
                 await page.locator(`${byId('2607.00003')} a.title-pdf`).getAttribute('data'));
  } finally {
    await ctx.close();
  }
});

test('the FAQ panel explains that no LLM API key is configured', async () => {
  const { ctx, page, errors } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const panel = page.locator(byId('2607.00004'));
    await panel.locator('a.title-kimi').click();
    await page.waitForFunction((id) => {
      const p = document.getElementById(id).querySelector('.faq-panel');
      return p && /COOLPAPERS_LLM_API_KEY/.test(p.textContent);
    }, '2607.00004', { timeout: 15000 });
    assert.match(await panel.getAttribute('class'), /\bread\b/);
    assert.equal(await panel.locator('a.title-kimi').getAttribute('aria-expanded'), 'true');
    await screenshot(page, 'list-faq-nokey');
    await panel.locator('a.title-kimi').click();
    assert.equal(await panel.locator('.faq-panel').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('[Copy] copies title, authors, abstract and link without touching the selection', async () => {
  const { ctx, page } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.base });
    // The reader has selected some text elsewhere.
    await page.evaluate(() => {
      const s = document.querySelector('[id="2607.00009"] p.summary');
      const r = document.createRange();
      r.selectNodeContents(s);
      getSelection().removeAllRanges();
      getSelection().addRange(r);
    });
    const selected = await page.evaluate(() => getSelection().toString());
    const panel = page.locator(byId('2607.00004'));
    const before = Number(await panel.locator('sup.copy-counter').innerText());
    await panel.locator('a.title-copy').click();
    await page.waitForFunction((n) => Number(document.querySelector('[id="2607.00004"] sup.copy-counter').textContent) === n,
                               before + 1);
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(clip, /A Survey of Machine Translation Evaluation/);
    assert.match(clip, /Frank Rossi, Grace Kim/);
    assert.match(clip, /We survey translation metrics/);
    assert.match(clip, /\/arxiv\/2607\.00004/);
    assert.equal(await page.evaluate(() => getSelection().toString()), selected);
  } finally {
    await ctx.close();
  }
});

test('[REL] opens a related-papers panel and counts the click', async () => {
  const { ctx, page } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const panel = page.locator(byId('2607.00002'));
    const before = Number(await panel.locator('sup.rel-counter').innerText());
    await panel.locator('a.title-rel').click();
    await page.waitForFunction(() => {
      const p = document.querySelector('[id="2607.00002"] .rel-panel');
      return p && !/Loading/.test(p.textContent);
    }, null, { timeout: 15000 });
    assert.equal(Number(await panel.locator('sup.rel-counter').innerText()), before + 1);
    const items = await panel.locator('.rel-panel a.rel-title').count();
    const message = await panel.locator('.rel-panel .rel-status').count();
    assert.ok(items > 0 || message > 0, 'either related papers or a message');
    await screenshot(page, 'list-related');
  } finally {
    await ctx.close();
  }
});

test('more than 40 authors fold behind "et al."; a paper folds and unfolds', async () => {
  const { ctx, page } = await freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const panel = page.locator(byId('2607.00006'));
    assert.equal(await panel.locator('a.author').count(), 45);
    assert.equal(await panel.locator('a.author:visible').count(), 20);
    await panel.locator('.cp-etal').click();
    assert.equal(await panel.locator('a.author:visible').count(), 45);
    assert.equal(await page.locator(`${byId('2607.00004')} a.author:visible`).count(), 2);
    const fold = page.locator(`${byId('2607.00004')} .cp-fold`);
    await fold.click();
    assert.equal(await page.locator(`${byId('2607.00004')} p.summary`).isVisible(), false);
    assert.equal(await fold.getAttribute('aria-expanded'), 'false');
    await fold.click();
    assert.equal(await page.locator(`${byId('2607.00004')} p.summary`).isVisible(), true);
  } finally {
    await ctx.close();
  }
});

function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

test('dark mode follows the system and the toggle, and the choice survives a reload', async () => {
  const { ctx, page, errors } = await freshPage({ colorScheme: 'dark' });
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.ok(luminance(await bg()) < 0.2, `dark background by default: ${await bg()}`);
    await screenshot(page, 'list-dark');
    await page.click('#cp-theme-toggle');
    assert.ok(luminance(await bg()) > 0.8, `light after the toggle: ${await bg()}`);
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    assert.ok(luminance(await bg()) > 0.8, 'the choice is remembered');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    await page.click('#cp-theme-toggle');
    assert.ok(luminance(await bg()) < 0.2);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('a 375 px phone viewport has no horizontal scrolling and usable controls', async () => {
  const { ctx, page, errors } = await freshPage({
    viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
    const bar = await page.locator('#bottom-bar').boundingBox();
    assert.ok(bar && bar.y + bar.height <= 741 && bar.width <= 376, 'bottom bar on screen');
    for (const b of await page.locator('#bottom-bar .cp-bar-btn').all()) {
      const box = await b.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 376, 'every bar button is on screen');
      assert.ok(box.height >= 36, 'touch-sized buttons');
      assert.ok(await b.getAttribute('aria-label'), 'every bar button has a label');
    }
    await screenshot(page, 'list-mobile');
    await page.locator('#cp-bar-filter').tap();
    const sheet = await page.locator('#cp-filter').boundingBox();
    assert.ok(sheet.x >= 0 && sheet.x + sheet.width <= 376, 'the filter sheet fits the screen');
    await screenshot(page, 'list-mobile-filter');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

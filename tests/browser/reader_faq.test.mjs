// What a reader gets from FAQs that already exist, and the tidied home page: the one-line TL;DR
// under titles (and the setting that hides it), [Copy] with the FAQ, the star list exported as
// Markdown with each FAQ, and the home page's calendar buttons, "Your categories" and folded
// archives. FAQs are generated beforehand by the real server from a fake LLM on 127.0.0.1; no
// copy, export or TL;DR starts one. Screenshots go to test-output/browser/.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { useSite, openReader, screenshot, tinyPdf, byId, DAY } from './lib.mjs';

let fake;
let chatRequests = 0;
const WITH_FAQ = ['2607.00001', '2607.00004'];
const PDF_TEXT = Array.from({ length: 40 }, (_, i) =>
  `Line ${i + 1}: graph transformers reduce attention cost with sparse patterns and kernels.`).join('\n');
const SUMMARY = 'The paper makes **graph transformers** cost $O(n \\log n)$ per layer. ' +
  'It also reports experiments on translation.';

function answerFor(question) {
  if (/Summarize/.test(question)) return SUMMARY;
  return `An answer to "${question}" with $x^2$.`;
}

function startFake() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url.startsWith('/pdf/')) {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end(tinyPdf(PDF_TEXT));
        return;
      }
      if (req.method === 'POST' && req.url.endsWith('/chat/completions')) {
        chatRequests++;
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          const msgs = JSON.parse(body).messages || [];
          const last = msgs.filter((m) => m.role === 'user').pop();
          const text = answerFor(last ? String(last.content) : '');
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`);
          res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
                                              usage: { prompt_tokens: 10, completion_tokens: 12, total_tokens: 22 } })}\n\n`);
          res.end('data: [DONE]\n\n');
        });
        return;
      }
      res.writeHead(404);
      res.end();
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

const site = useSite({
  env: async () => {
    fake = await startFake();
    const url = `http://127.0.0.1:${fake.address().port}`;
    return {
      COOLPAPERS_LLM_API_KEY: 'test-key-not-secret',
      COOLPAPERS_LLM_BASE_URL: `${url}/v1`,
      COOLPAPERS_LLM_MODEL: 'fake-model',
      COOLPAPERS_ARXIV_BASE_URL: url,
    };
  },
});

// The English FAQs of WITH_FAQ, generated once as the [Kimi] button would (POST, then wait).
let generated = null;
function ensureFaqs() {
  if (!generated) generated = generateFaqs();
  return generated;
}

async function generateFaqs() {
  for (const id of WITH_FAQ) {
    const r = await fetch(`${site.base}/arxiv/kimi?paper=${id}&lang=en`, { method: 'POST' });
    assert.ok(r.ok, `POST /arxiv/kimi for ${id}: ${r.status}`);
  }
  const deadline = Date.now() + 60000;
  for (const id of WITH_FAQ) {
    for (;;) {
      const state = await (await fetch(`${site.base}/arxiv/progress?paper=${id}&lang=en`)).text();
      if (state === '1') break;
      assert.ok(Date.now() < deadline && !state.startsWith('failed'), `FAQ of ${id}: ${state}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}

after(() => {
  if (fake) fake.close();
});

async function progress(id) {
  return (await fetch(`${site.base}/arxiv/progress?paper=${id}&lang=en`)).text();
}

test('a TL;DR line sits under the titles of papers with a FAQ; the setting hides it', async () => {
  await ensureFaqs();
  const { ctx, page, errors } = await site.freshPage({ locale: 'en-US' });
  try {
    const asked = [];
    page.on('request', (r) => { if (r.url().includes('/api/tldr')) asked.push(r.url()); });
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const line = page.locator(`${byId('2607.00001')} > p.tldr`);
    await line.waitFor({ timeout: 10000 });
    assert.match(await line.innerText(), /^TL;DR\s+The paper makes graph transformers cost/);
    await page.waitForSelector(`${byId('2607.00001')} > p.tldr .katex`);  // math stays TeX, rendered
    assert.equal(await page.locator(`${byId('2607.00001')} > p.tldr strong.tldr-label`).count(), 1);
    // Right under the title, before the authors.
    assert.equal(await page.evaluate(() =>
      document.getElementById('2607.00001').querySelector('h2.title').nextElementSibling.className), 'tldr');
    await page.locator(`${byId('2607.00004')} > p.tldr`).waitFor();
    assert.equal(await page.locator(`${byId('2607.00002')} > p.tldr`).count(), 0, 'no FAQ, no TL;DR');
    assert.ok(asked.length >= 1 && asked.every((u) => /lang=en/.test(u)), asked.join(' '));
    assert.equal(await progress('2607.00002'), 'none', 'asking for TL;DRs starts no FAQ');
    await screenshot(page, 'tldr-list');

    await page.click('#cp-bar-settings');
    await page.uncheck('#cp-tldr');
    await page.waitForFunction(() => document.body.classList.contains('cp-no-tldr'));
    assert.equal(await line.isVisible(), false);
    // Off stays off after a reload, and nothing is asked for.
    asked.length = 0;
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await page.waitForTimeout(400);
    assert.deepEqual(asked, []);
    assert.equal(await page.locator('p.tldr').count(), 0);
    await page.click('#cp-bar-settings');
    await page.check('#cp-tldr');
    await page.locator(`${byId('2607.00001')} > p.tldr`).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('[Copy] offers the plain text or the text with the cached FAQ', async () => {
  await ensureFaqs();
  const { ctx, page, errors } = await site.freshPage({ locale: 'en-US' });
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.base });
    const chatsBefore = chatRequests;
    const panel = page.locator(byId('2607.00001'));
    await panel.locator('a.title-copy').click();
    const menu = panel.locator('.cp-copy-menu');
    await menu.waitFor();
    assert.equal(await panel.locator('a.title-copy').getAttribute('aria-expanded'), 'true');
    let clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(clip, /^Graph Transformers with/);
    assert.doesNotMatch(clip, /FAQ/);
    await page.waitForFunction(() =>
      /FAQ available/.test(document.querySelector('[id="2607.00001"] .cp-copy-note')?.textContent ?? ''));
    await screenshot(page, 'copy-menu');
    await menu.locator('button.cp-copy-faq').click();
    await page.waitForFunction(async () => /## FAQ/.test(await navigator.clipboard.readText()));
    clip = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(clip, /^Graph Transformers with/);
    assert.match(clip, /We study graph transformers/);
    assert.match(clip, /\/arxiv\/2607\.00001\n\n## FAQ\n\n\*\*1\. What problem does this paper try to solve\?\*\*/);
    assert.ok(clip.includes(SUMMARY), 'the summary answer, TeX as written');
    assert.equal(await menu.count(), 0, 'the menu closes after copying');

    // A paper without a FAQ: the option is disabled and says why; nothing is generated.
    const other = page.locator(byId('2607.00002'));
    await other.locator('a.title-copy').click();
    await page.waitForFunction(() =>
      /no FAQ yet/.test(document.querySelector('[id="2607.00002"] .cp-copy-note')?.textContent ?? ''));
    assert.equal(await other.locator('button.cp-copy-faq').isDisabled(), true);
    await page.keyboard.press('Escape');
    assert.equal(await other.locator('.cp-copy-menu').count(), 0);
    assert.equal(chatRequests, chatsBefore);
    assert.equal(await progress('2607.00002'), 'none');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('the star list exports as Markdown with each cached FAQ', async () => {
  await ensureFaqs();
  const { ctx, page, errors } = await site.freshPage({ locale: 'en-US' });
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    for (const id of ['2607.00001', '2607.00002']) await page.locator(`${byId(id)} a.title-star`).click();
    await page.click('#cp-bar-stars');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#cp-export-md')]);
    assert.match(dl.suggestedFilename(), /^coolpapers-stars-\d{4}-\d{2}-\d{2}\.md$/);
    const md = readFileSync(await dl.path(), 'utf8');
    const sections = md.split('\n---\n');
    assert.equal(sections.length, 2, md);
    assert.match(sections[0], /^## 1\. \[Graph Transformers with \$\\mathcal\{O\}\(n \\log n\)\$ Attention\]\(http:\/\/127\.0\.0\.1:\d+\/arxiv\/2607\.00001\)$/m);
    assert.match(sections[0], /We study graph transformers/);
    assert.match(sections[0], /### FAQ/);
    assert.ok(sections[0].includes(SUMMARY));
    assert.match(sections[1], /Speech Recognition for Low-Resource Languages/);
    assert.doesNotMatch(sections[1], /### FAQ/, 'no FAQ, no FAQ section');
    assert.equal(await progress('2607.00002'), 'none', 'exporting starts no FAQ');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('the home page: calendar buttons, your categories first, the rest folded per archive', async () => {
  const { ctx, page, errors } = await site.freshPage();
  try {
    await openReader(page, `${site.base}/`);
    const csList = page.locator('#archive-cs details.archive-categories');
    assert.equal(await csList.getAttribute('open'), null, 'archives start folded');
    assert.equal(await page.locator('li.category[data-category="cs.CL"]').isVisible(), false);
    assert.match(await page.locator('#cp-your-categories').innerText(), /choose categories/);
    // Choose cs.CL and cs.LG in the unfolded cs archive; they come first on the next visit.
    await page.locator('#archive-cs summary').click();
    await page.locator('a.cp-choose[data-cat="cs.CL"]').click();
    await page.locator('a.cp-choose[data-cat="cs.LG"]').click();
    await openReader(page, `${site.base}/`);
    const mine = page.locator('#cp-your-categories li.category');
    assert.deepEqual(await mine.evaluateAll((els) => els.map((e) => e.dataset.category)), ['cs.CL', 'cs.LG']);
    assert.equal(await mine.first().isVisible(), true, 'chosen categories need no unfolding');
    assert.equal(await page.locator('li.category[data-category="cs.CL"]').count(), 1, 'listed once');
    // Each category has a calendar button instead of a visible date field and Go button.
    const item = page.locator('#cp-your-categories li.category[data-category="cs.CL"]');
    assert.equal(await item.locator('button.cp-cal-btn').isVisible(), true);
    // The field stays in the page (the picker opens from it) but takes no room and is not seen.
    const field = await item.locator('input[type="date"]').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { w: r.width, h: r.height, opacity: getComputedStyle(el).opacity };
    });
    assert.ok(field.w <= 1 && field.h <= 1 && field.opacity === '0', JSON.stringify(field));
    assert.equal(await item.locator('button[type="submit"]').isVisible(), false);
    await screenshot(page, 'home', true);
    await item.locator('button.cp-cal-btn').click();  // opens the browser's picker (or the field)
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/arxiv/cs.CL' && u.searchParams.get('date') === DAY),
      item.locator('input[type="date"]').evaluate((input, day) => {
        input.value = day;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      }, DAY),
    ]);
    await page.waitForSelector('body[data-ready="1"]');
    assert.ok(await page.locator(byId('2607.00001')).count());
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

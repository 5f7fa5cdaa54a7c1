// The FAQ panel streams a generation end to end: the real server asks a fake OpenAI-compatible
// LLM on 127.0.0.1 (and fetches the PDF from a fake arXiv there), and the reader sees progress,
// questions and answers arrive, then the finished FAQ (p.faq-q / div.faq-a) with rendered math.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { useSite, openReader, screenshot, tinyPdf, byId, importPapers } from './lib.mjs';

let fake;
let fakeUrl;
let chatRequests = 0;
// Enough text for the server's PDF text extraction to accept the paper.
const PDF_TEXT = Array.from({ length: 40 }, (_, i) =>
  `Line ${i + 1}: graph transformers reduce attention cost with sparse patterns and kernels.`).join('\n');

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
        req.resume();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const pieces = ['The paper ', 'studies **graph transformers** ', 'with cost $O(n \\log n)$.'];
        let i = 0;
        const tick = () => {
          if (i < pieces.length) {
            res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: pieces[i++] } }] })}\n\n`);
            setTimeout(tick, 60);
          } else {
            res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
                                                usage: { prompt_tokens: 10, completion_tokens: 12, total_tokens: 22 } })}\n\n`);
            res.end('data: [DONE]\n\n');
          }
        };
        tick();
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
    fakeUrl = `http://127.0.0.1:${fake.address().port}`;
    return {
      COOLPAPERS_LLM_API_KEY: 'test-key-not-secret',
      COOLPAPERS_LLM_BASE_URL: `${fakeUrl}/v1`,
      COOLPAPERS_LLM_MODEL: 'fake-model',
      COOLPAPERS_ARXIV_BASE_URL: fakeUrl,
    };
  },
});

after(() => {
  if (fake) fake.close();
});

test('the FAQ panel follows the stream to the finished FAQ', async () => {
  const { ctx, page, errors } = await site.freshPage();
  try {
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    const panel = page.locator(byId('2607.00001'));
    await panel.locator('a.title-kimi').click();
    await page.waitForFunction(() => {
      const p = document.querySelector('[id="2607.00001"] .faq-panel');
      return p && p.querySelectorAll('p.faq-q').length >= 6 &&
        p.querySelector('.faq[data-state="1"]') !== null;
    }, null, { timeout: 90000 });
    const qs = await panel.locator('.faq-panel p.faq-q').count();
    const as = await panel.locator('.faq-panel div.faq-a').count();
    assert.equal(qs, as);
    assert.match(await panel.locator('.faq-panel div.faq-a').first().innerText(), /graph transformers/);
    assert.ok(await panel.locator('.faq-panel div.faq-a strong').count() >= 1, 'Markdown rendered');
    await page.waitForSelector(`${byId('2607.00001')} .faq-panel div.faq-a .katex`);
    assert.equal(await panel.locator('.faq-panel .faq-status').isVisible(), false);
    assert.ok(chatRequests >= 1);
    await screenshot(page, 'faq-streamed');
    // A second reader gets the stored FAQ at once, without another generation.
    const before = chatRequests;
    const other = await ctx.newPage();
    await openReader(other, `${site.base}/arxiv/cs.CL`);
    await other.locator(`${byId('2607.00001')} a.title-kimi`).click();
    await other.waitForSelector(`${byId('2607.00001')} .faq-panel .faq[data-state="1"] p.faq-q`);
    assert.equal(chatRequests, before);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('a FAQ follows new versions: shown for v1 with "Regenerate for v2", and /arxiv/<id>v1 keeps v1', async () => {
  const { ctx, page, errors } = await site.freshPage();
  const id = '2607.00002';
  const faqDone = (version) => page.waitForSelector(
    `${byId(id)} .faq-panel .faq[data-version="${version}"][data-state="1"] p.faq-q`, { timeout: 90000 });
  try {
    await openReader(page, `${site.base}/arxiv/${id}`);
    await page.locator(`${byId(id)} a.title-kimi`).click();
    await faqDone(1);
    const afterV1 = chatRequests;
    assert.ok(afterV1 >= 1);
    // arXiv announces v2 (imported into the running site's database).
    importPapers(site.dir, [{
      id: `${id}v2`, pdf: `https://arxiv.org/pdf/${id}v2`, abs: `https://arxiv.org/abs/${id}v2`,
      authors: ['Carol Okafor', 'Dan Li'], title: 'Speech Recognition for Low-Resource Languages',
      categories: ['cs.CL', 'eess.AS'], comment: 'v2: more languages',
      summary: 'A speech recognition system trained with self-supervised learning, now in 40 languages.',
      listing_date: '2026-07-01',
    }], 'fixture');
    await openReader(page, `${site.base}/arxiv/${id}`);
    await page.locator(`${byId(id)} a.title-kimi`).click();
    await faqDone(1);
    const note = page.locator(`${byId(id)} .faq-panel .faq-newer`);
    assert.match(await note.innerText(), /written for v1; the paper is now at v2/);
    assert.equal(chatRequests, afterV1, 'the v1 FAQ is shown without a new generation');
    await screenshot(page, 'faq-newer-version');
    await note.locator('button.faq-regenerate').click();
    await faqDone(2);
    assert.ok(chatRequests > afterV1, 'regenerating asks the LLM for v2');
    assert.equal(await page.locator(`${byId(id)} .faq-panel .faq-newer`).count(), 0);
    // The v1 page keeps showing v1's FAQ.
    await openReader(page, `${site.base}/arxiv/${id}v1`);
    await page.locator(`${byId(id)} a.title-kimi`).click();
    await faqDone(1);
    assert.equal(await page.locator(`${byId(id)} .faq-panel .faq-newer`).count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

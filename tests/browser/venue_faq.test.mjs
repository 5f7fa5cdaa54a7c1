// The FAQ panel of venue papers: on a venue paper page and on its edition page, [Kimi] posts to
// /venue/kimi and follows /api/faq/<id>@<Source>/stream to the finished FAQ. The real server
// imports the ACL fixture, fetches the venue's PDF from a fake on 127.0.0.1
// (COOLPAPERS_VENUE_PDF_BASE) at the venue's own path, and asks a fake OpenAI-compatible LLM there.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { useSite, openReader, screenshot, tinyPdf, byId, BIN, SOURCE_DIR } from './lib.mjs';

const PAPER = '2024.acl-long.1@ACL';  // the fixture's first paper (front matter left out)
let fake;
let chatConversations = 0;
const pdfRequests = [];
// Enough text for the server's PDF text extraction to accept the paper.
const PDF_TEXT = Array.from({ length: 40 }, (_, i) =>
  `Line ${i + 1}: a venue paper about multilingual evaluation of large language models.`).join('\n');

function startFake() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url.endsWith('.pdf')) {
        pdfRequests.push(req.url);
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.end(tinyPdf(PDF_TEXT));
        return;
      }
      if (req.method === 'POST' && req.url.endsWith('/chat/completions')) {
        let body = '';
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
          const messages = JSON.parse(body).messages || [];
          if (!messages.some((m) => m.role === 'assistant')) chatConversations++;
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          const pieces = ['The venue paper ', 'evaluates **multilingual** models ', 'with $k=3$.'];
          for (const p of pieces) {
            res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p } }] })}\n\n`);
          }
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
  env: async (s) => {
    fake = await startFake();
    const fakeUrl = `http://127.0.0.1:${fake.address().port}`;
    // The venue papers go into the database the arXiv fixture is then imported into.
    const acl = path.join(SOURCE_DIR, 'tests', 'fixtures', 'venues', 'acl', '2024.acl.excerpt.xml');
    const r = spawnSync(BIN, ['import', 'venue', '--source', 'acl', '--db',
                              `sqlite:${path.join(s.dir, 'fixture.db')}`, acl],
                        { encoding: 'utf8', timeout: 120000 });
    if (r.status !== 0) throw new Error(`import venue failed (exit ${r.status}): ${r.stderr}`);
    return {
      COOLPAPERS_LLM_API_KEY: 'test-key-not-secret',
      COOLPAPERS_LLM_BASE_URL: `${fakeUrl}/v1`,
      COOLPAPERS_LLM_MODEL: 'fake-model',
      COOLPAPERS_VENUE_PDF_BASE: fakeUrl,
    };
  },
});

after(() => {
  if (fake) fake.close();
});

test('[Kimi] on a venue paper page generates its FAQ from the venue PDF', async () => {
  const { ctx, page, errors } = await site.freshPage();
  try {
    const posts = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && /\/kimi\?/.test(req.url())) posts.push(new URL(req.url()).pathname);
    });
    await openReader(page, `${site.base}/venue/${PAPER}`);
    const panel = page.locator(byId(PAPER));
    await panel.locator('a.title-kimi').click();
    await page.waitForFunction((id) => {
      const p = document.querySelector(`[id="${id}"] .faq-panel`);
      return p && p.querySelectorAll('p.faq-q').length >= 6 &&
        p.querySelector('.faq[data-state="1"]') !== null;
    }, PAPER, { timeout: 90000 });
    assert.equal(posts.length, 1);
    assert.equal(posts[0], '/venue/kimi');
    assert.match(await panel.locator('.faq-panel div.faq-a').first().innerText(), /multilingual/);
    assert.equal(await panel.locator('.faq-panel .faq[data-source="pdf"]').count(), 1);
    assert.deepEqual(pdfRequests, ['/2024.acl-long.1.pdf']);  // the venue's path, once
    assert.equal(chatConversations, 1);
    await screenshot(page, 'venue-faq');
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test('[Kimi] on the edition page shows the stored FAQ without a new generation', async () => {
  const { ctx, page, errors } = await site.freshPage();
  try {
    const before = chatConversations;
    await openReader(page, `${site.base}/venue/ACL.2024`);
    await page.locator(`${byId(PAPER)} a.title-kimi`).click();
    await page.waitForSelector(`${byId(PAPER)} .faq-panel .faq[data-state="1"] p.faq-q`,
                               { timeout: 30000 });
    assert.equal(await page.locator(`${byId(PAPER)} .faq-panel p.faq-q`).count(), 6);
    assert.equal(chatConversations, before);
    assert.equal(pdfRequests.length, 1);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

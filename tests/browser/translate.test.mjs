// Title and abstract translation in the browser: the reader picks a description language in the
// settings, and the list page shows translated titles and abstracts under the originals (with
// math rendered) for the papers in view. The real server asks a fake OpenAI-compatible LLM on
// 127.0.0.1 that "translates" by prefixing "[zh] ".

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { useSite, openReader, screenshot, byId } from './lib.mjs';

let fake;
let chatRequests = 0;

function startFake() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
        res.writeHead(404);
        res.end();
        return;
      }
      chatRequests++;
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const messages = JSON.parse(body).messages;
        const user = messages[messages.length - 1].content;  // "[LANG] zh\n[TITLE]\n…\n[ABSTRACT]\n…"
        const m = /^\[LANG\] (\S+)\n\[TITLE\]\n([\s\S]*)\n\[ABSTRACT\]\n([\s\S]*)$/.exec(user);
        const text = m ? `[TITLE]\n[${m[1]}] ${m[2]}\n[ABSTRACT]\n[${m[1]}] ${m[3]}` : 'not a translation';
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`);
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
                                            usage: { prompt_tokens: 50, completion_tokens: 50, total_tokens: 100 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

const site = useSite({
  name: 'translate',
  env: async () => {
    fake = await startFake();
    return {
      COOLPAPERS_LLM_API_KEY: 'test-key-not-secret',
      COOLPAPERS_LLM_BASE_URL: `http://127.0.0.1:${fake.address().port}/v1`,
      COOLPAPERS_LLM_MODEL: 'fake-model',
      COOLPAPERS_FAQ_RATE_PER_HOUR: '1000',
    };
  },
});

after(() => {
  if (fake) fake.close();
});

test('picking a description language shows translated titles and abstracts on a list page', async () => {
  const { ctx, page, errors } = await site.freshPage();
  try {
    const asked = [];
    page.on('request', (r) => { if (r.url().includes('/api/translate')) asked.push(r.url()); });
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await page.waitForTimeout(500);
    assert.equal(asked.length, 0, 'off by default: nothing is asked');
    assert.equal(await page.locator('.title-translated').count(), 0);

    await page.click('#cp-bar-settings');
    await page.selectOption('#cp-desc-lang', 'zh');
    const panel = page.locator(byId('2607.00001'));
    await page.waitForSelector(`${byId('2607.00001')} .title-translated`, { timeout: 30000 });
    assert.match(await panel.locator('.title-translated').innerText(), /^\[zh\] Graph Transformers/);
    assert.match(await panel.locator('p.summary-translated').innerText(), /^\[zh\] We study graph transformers/);
    await page.waitForSelector(`${byId('2607.00001')} .title-translated .katex`);
    await page.waitForSelector(`${byId('2607.00001')} p.summary-translated .katex`);
    assert.equal(await panel.locator('.title-translated').getAttribute('lang'), 'zh');
    assert.ok(asked.length >= 1);
    assert.ok(asked.every((u) => /\/api\/translate\?ids=[^&]+&lang=zh$/.test(u)), asked.join('\n'));
    // Markup in a title stays text.
    const escaped = page.locator(`${byId('2607.00007')} .title-translated`);
    if (await escaped.count()) assert.match(await escaped.innerText(), /<script>/);
    await page.keyboard.press('Escape');
    await screenshot(page, 'translated-list');

    // The setting persists, and a reload is served from the store without new generations.
    const made = chatRequests;
    assert.ok(made >= 1);
    await openReader(page, `${site.base}/arxiv/cs.CL`);
    await page.waitForSelector(`${byId('2607.00001')} .title-translated`, { timeout: 15000 });
    assert.equal(chatRequests, made);
    // A paper page shows it too.
    await openReader(page, `${site.base}/arxiv/2607.00002`);
    await page.waitForSelector(`${byId('2607.00002')} p.summary-translated`, { timeout: 15000 });
    assert.match(await page.locator(`${byId('2607.00002')} .title-translated`).innerText(),
                 /^\[zh\] Speech Recognition/);
    // Off again: the translations go away.
    await page.click('#cp-bar-settings');
    await page.selectOption('#cp-desc-lang', 'off');
    await page.waitForFunction(() => !document.querySelector('.title-translated'));
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

// Tests of the extension's pure URL/text -> coolpapers route mapping, the manifest, and the
// background worker's context menu against a fake browser API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { mapUrl, idsFromText, targetsFor, normalizeServer, parseUrl } from '../mapping.js';

const here = path.dirname(fileURLToPath(import.meta.url));

test('arXiv abs, pdf, html and list URLs map to local routes', () => {
  const cases = {
    'https://arxiv.org/abs/2402.12354': '/arxiv/2402.12354',
    'https://arxiv.org/abs/2402.12354v2': '/arxiv/2402.12354',
    'http://export.arxiv.org/abs/1406.2661': '/arxiv/1406.2661',
    'https://www.arxiv.org/abs/2402.12354': '/arxiv/2402.12354',
    'https://arxiv.org/pdf/2402.12354': '/arxiv/2402.12354',
    'https://arxiv.org/pdf/2402.12354v3.pdf': '/arxiv/2402.12354',
    'https://arxiv.org/html/2402.12354v1': '/arxiv/2402.12354',
    'https://arxiv.org/html/2402.12354v1/#S3.SS2': '/arxiv/2402.12354',
    'https://arxiv.org/abs/hep-th/9901001': '/arxiv/hep-th/9901001',
    'https://arxiv.org/pdf/math.GT/0309136v2': '/arxiv/math.GT/0309136',
    'https://arxiv.org/list/cs.CL/new': '/arxiv/cs.CL',
    'https://arxiv.org/list/cs.LG/recent?skip=0&show=50': '/arxiv/cs.LG',
    'https://arxiv.org/list/astro-ph/pastweek': '/arxiv/astro-ph',
    'https://arxiv.org/list/cond-mat.mes-hall/new': '/arxiv/cond-mat.mes-hall',
  };
  for (const [url, route] of Object.entries(cases)) assert.equal(mapUrl(url), route, url);
});

test('OpenReview forum, pdf and group URLs map to venue routes', () => {
  assert.equal(mapUrl('https://openreview.net/forum?id=hSyW5go0v8'), '/venue/hSyW5go0v8@OpenReview');
  assert.equal(mapUrl('https://openreview.net/pdf?id=hSyW5go0v8'), '/venue/hSyW5go0v8@OpenReview');
  assert.equal(mapUrl('https://openreview.net/forum?id=hSyW5go0v8&noteId=abc'), '/venue/hSyW5go0v8@OpenReview');
  assert.equal(mapUrl('https://openreview.net/group?id=ICLR.cc/2024/Conference'), '/venue/ICLR.2024');
  assert.equal(mapUrl('https://openreview.net/group?id=NeurIPS.cc/2023/Conference#tab-accept'), '/venue/NeurIPS.2023');
  assert.equal(mapUrl('https://openreview.net/forum'), null);
});

test('ACL Anthology, IJCAI, PMLR and Hugging Face URLs map to local routes', () => {
  const cases = {
    'https://aclanthology.org/2024.acl-long.1/': '/venue/2024.acl-long.1@ACL',
    'https://aclanthology.org/2024.acl-long.1.pdf': '/venue/2024.acl-long.1@ACL',
    'https://aclanthology.org/2023.findings-emnlp.12/': '/venue/2023.findings-emnlp.12@ACL',
    'https://aclanthology.org/P19-1001/': '/venue/P19-1001@ACL',
    'https://aclanthology.org/P19-1001.pdf': '/venue/P19-1001@ACL',
    'https://aclanthology.org/volumes/2024.acl-long/': '/venue/ACL.2024',
    'https://aclanthology.org/events/emnlp-2023/': '/venue/EMNLP.2023',
    'https://www.ijcai.org/proceedings/2024/0123.pdf': '/venue/123@2024@IJCAI',
    'https://www.ijcai.org/proceedings/2024/123': '/venue/123@2024@IJCAI',
    'https://ijcai.org/proceedings/2023/': '/venue/IJCAI.2023',
    'https://proceedings.mlr.press/v235/smith24a.html': '/venue/smith24a@v235@PMLR',
    'https://proceedings.mlr.press/v235/smith24a/smith24a.pdf': '/venue/smith24a@v235@PMLR',
    'https://huggingface.co/papers/2402.12354': '/arxiv/2402.12354',
    'https://hf.co/papers/2402.12354': '/arxiv/2402.12354',
    'https://papers.cool/arxiv/2402.12354': '/arxiv/2402.12354',
    'https://papers.cool/arxiv/cs.CL': '/arxiv/cs.CL',
  };
  for (const [url, route] of Object.entries(cases)) assert.equal(mapUrl(url), route, url);
});

test('the shared paper URL vectors (also run against the server\'s /redirect) map as listed', () => {
  const file = path.join(here, '..', '..', 'tests', 'fixtures', 'paper_urls.json');
  const { vectors } = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(vectors.length >= 40, `only ${vectors.length} vectors in ${file}`);
  for (const { url, route } of vectors) assert.equal(mapUrl(url), route, url);
});

test('unrelated or malformed URLs map to nothing', () => {
  for (const url of ['https://example.com/abs/2402.12354', 'not a url', 'javascript:alert(1)',
                     'https://arxiv.org/', 'https://arxiv.org/abs/garbage', 'https://huggingface.co/papers',
                     'https://proceedings.mlr.press/', 'ftp://arxiv.org/abs/2402.12354']) {
    assert.equal(mapUrl(url), null, url);
  }
  assert.equal(parseUrl('https://aclanthology.org/people/j/jane-doe/'), null);
});

test('selected text with several ids becomes one comma list, in order, without duplicates', () => {
  const text = 'We build on arXiv:2402.12354v2 and 1706.03762 (see also 2402.12354, hep-th/9901001 ' +
               'and https://arxiv.org/abs/2310.06825v1).';
  assert.deepEqual(idsFromText(text).map((r) => r.id),
                   ['2402.12354', '1706.03762', 'hep-th/9901001', '2310.06825']);
  assert.deepEqual(targetsFor({ selectionText: text }),
                   ['http://127.0.0.1:8080/arxiv/2402.12354,1706.03762,hep-th/9901001,2310.06825']);
});

test('selected text mixing arXiv and venue references opens one list per kind', () => {
  const text = '2402.12354 https://openreview.net/forum?id=abc123 https://aclanthology.org/2024.acl-long.7/';
  assert.deepEqual(targetsFor({ selectionText: text }, 'http://localhost:9000/'), [
    'http://localhost:9000/arxiv/2402.12354',
    'http://localhost:9000/venue/abc123@OpenReview,2024.acl-long.7@ACL',
  ]);
});

test('numbers that only look like ids are not ids', () => {
  assert.deepEqual(idsFromText('version 1.2402.12345, 12402.12345, 2402.123456, foo/1234567'), []);
  assert.deepEqual(idsFromText('phone 2024.1234'), [{ kind: 'arxiv', id: '2024.1234' }]);
});

test('no id falls back to a search of the selected words', () => {
  assert.deepEqual(targetsFor({ selectionText: '  diffusion   models & robots ' }, 'https://papers.cool'),
                   ['https://papers.cool/arxiv/search?query=diffusion%20models%20%26%20robots']);
});

test('a link beats the selection, the selection beats the page', () => {
  assert.deepEqual(targetsFor({ linkUrl: 'https://arxiv.org/abs/2101.00001', selectionText: '2202.00002',
                                pageUrl: 'https://arxiv.org/abs/2303.00003' }),
                   ['http://127.0.0.1:8080/arxiv/2101.00001']);
  assert.deepEqual(targetsFor({ selectionText: '2202.00002', pageUrl: 'https://arxiv.org/abs/2303.00003' }),
                   ['http://127.0.0.1:8080/arxiv/2202.00002']);
  assert.deepEqual(targetsFor({ pageUrl: 'https://arxiv.org/abs/2303.00003' }),
                   ['http://127.0.0.1:8080/arxiv/2303.00003']);
  assert.deepEqual(targetsFor({ linkUrl: 'https://example.org/paper' }),
                   ['http://127.0.0.1:8080/redirect?url=https%3A%2F%2Fexample.org%2Fpaper']);
  assert.deepEqual(targetsFor({ pageUrl: 'https://example.org/' }), []);
});

test('server addresses are normalised', () => {
  assert.equal(normalizeServer(''), 'http://127.0.0.1:8080');
  assert.equal(normalizeServer('papers.cool'), 'https://papers.cool');
  assert.equal(normalizeServer('127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(normalizeServer('https://example.org/cool/'), 'https://example.org/cool');
  assert.equal(normalizeServer('javascript:alert(1)'), 'http://127.0.0.1:8080');
});

test('the manifest is MV3 for Chrome and Firefox and covers every supported site', () => {
  const m = JSON.parse(readFileSync(path.join(here, '..', 'manifest.json'), 'utf8'));
  assert.equal(m.manifest_version, 3);
  assert.equal(m.background.service_worker, 'background.js');
  assert.deepEqual(m.background.scripts, ['background.js']);
  assert.ok(m.browser_specific_settings.gecko.id);
  assert.ok(m.permissions.includes('contextMenus'));
  const matches = m.content_scripts[0].matches.join(' ');
  for (const host of ['arxiv.org', 'openreview.net', 'aclanthology.org', 'ijcai.org',
                      'proceedings.mlr.press', 'openaccess.thecvf.com', 'huggingface.co']) {
    assert.ok(matches.includes(host), host);
  }
});

// A fake WebExtension API recording what the background worker does.
function fakeBrowser(settings = {}) {
  const listeners = {};
  const on = (name) => ({ addListener: (fn) => { listeners[name] = fn; } });
  const created = [];
  const menus = [];
  return {
    created,
    menus,
    listeners,
    api: {
      runtime: { onInstalled: on('installed'), onStartup: on('startup') },
      contextMenus: {
        removeAll: (cb) => cb && cb(),
        create: (m) => menus.push(m),
        onClicked: on('menu'),
      },
      action: { onClicked: on('action') },
      tabs: { create: async (t) => { created.push(t.url); return t; } },
      storage: { sync: { get: async (d) => ({ ...d, ...settings }), set: async () => {} } },
    },
  };
}

test('the background worker opens the mapped URL from the context menu and the toolbar', async () => {
  const fake = fakeBrowser({ server: 'http://127.0.0.1:9999' });
  globalThis.chrome = fake.api;
  await import('../background.js');
  fake.listeners.installed();
  assert.equal(fake.menus[0].title, 'Open in coolpapers');
  assert.deepEqual(fake.menus[0].contexts, ['page', 'link', 'selection']);
  fake.listeners.menu({ menuItemId: fake.menus[0].id, selectionText: '2402.12354 and 1706.03762' },
                      { index: 0, url: 'https://example.org/' });
  fake.listeners.action({ index: 1, url: 'https://openreview.net/forum?id=xyz' });
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(fake.created, ['http://127.0.0.1:9999/arxiv/2402.12354,1706.03762',
                                  'http://127.0.0.1:9999/venue/xyz@OpenReview']);
  delete globalThis.chrome;
});

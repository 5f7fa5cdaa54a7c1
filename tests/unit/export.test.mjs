// Unit tests of static/export.js: the star list as Markdown with each paper's FAQ, the FAQ part
// of [Copy], and fetching stored FAQs (a fake fetch; never a generation). `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toMarkdown, faqMarkdown, copyWithFaq, fetchFaq, collectDetails, pageUrl } from '../../static/export.js';

const ORIGIN = 'https://papers.example';
const FAQ = { lang: 'en', items: [
  { q: 'What problem does this paper try to solve?', a: 'Attention costs $O(n^2)$.' },
  { q: 'Summarize the main content of the paper.', a: '- **Sparse** attention.\n- Kernels.' },
] };

test('faqMarkdown: numbered bold questions, answers as written (TeX kept)', () => {
  assert.equal(faqMarkdown(FAQ.items), [
    '### FAQ', '',
    '**1. What problem does this paper try to solve?**', '', 'Attention costs $O(n^2)$.', '',
    '**2. Summarize the main content of the paper.**', '', '- **Sparse** attention.\n- Kernels.', '',
  ].join('\n'));
  assert.equal(faqMarkdown([]), '');
  assert.equal(faqMarkdown(undefined), '');
});

test('copyWithFaq: the plain block, then the FAQ; without a FAQ the plain block alone', () => {
  const block = 'Title\nA, B\n\nAbstract.\n\nhttps://papers.example/arxiv/2401.00001\n';
  const text = copyWithFaq(block, FAQ);
  assert.ok(text.startsWith('Title\nA, B\n\nAbstract.\n\nhttps://papers.example/arxiv/2401.00001\n\n## FAQ\n\n'));
  assert.match(text, /\*\*1\. What problem/);
  assert.match(text, /\$O\(n\^2\)\$/);
  assert.equal(copyWithFaq(block, null), block);
  assert.equal(copyWithFaq(block, { items: [] }), block);
});

test('toMarkdown: one section per star, FAQ where cached, links and escaping', () => {
  const stars = [
    { id: '2401.00001', title: 'Graph [Sparse] $O(n)$ Attention', authors: ['Ada L', 'Alan T'],
      date: '2024-01-02 10:00:00', pdf: 'https://arxiv.org/pdf/2401.00001', subjects: ['cs.CL', 'cs.LG'] },
    { id: '2024.acl-long.3@ACL', title: 'A Venue Paper', authors: ['V'] },
  ];
  const md = toMarkdown(stars, { '2401.00001': { abstract: 'We study $x$.', faq: FAQ },
                                 '2024.acl-long.3@ACL': { abstract: '', faq: null } }, ORIGIN, '2026-07-01');
  assert.ok(md.startsWith('# Starred papers (2026-07-01)\n\n2 papers, exported from https://papers.example.\n'));
  assert.match(md, /^## 1\. \[Graph \\\[Sparse\\\] \$O\(n\)\$ Attention\]\(https:\/\/papers\.example\/arxiv\/2401\.00001\)$/m);
  assert.match(md, /^\*\*Authors\*\*: Ada L, Alan T {2}$/m);
  assert.match(md, /arXiv: \[2401\.00001\]\(https:\/\/arxiv\.org\/abs\/2401\.00001\) · \[PDF\]\(https:\/\/arxiv\.org\/pdf\/2401\.00001\) · subjects: cs\.CL, cs\.LG · date: 2024-01-02/);
  assert.match(md, /\n\nWe study \$x\$\.\n\n### FAQ\n\n\*\*1\. What problem/);
  assert.match(md, /\*FAQ language: en\*/);
  assert.match(md, /^## 2\. \[A Venue Paper\]\(https:\/\/papers\.example\/venue\/2024\.acl-long\.3@ACL\)$/m);
  assert.equal(md.split('\n---\n').length, 2, 'papers separated by rules');
  // The venue paper has no FAQ section.
  assert.equal(md.split('### FAQ').length, 2);
  assert.equal(toMarkdown([], {}, ORIGIN), '# Starred papers\n\n0 papers, exported from https://papers.example.\n\n');
});

test('pageUrl: arXiv ids to /arxiv, anything else to /venue', () => {
  assert.equal(pageUrl('hep-th/9901001', ORIGIN), `${ORIGIN}/arxiv/hep-th/9901001`);
  assert.equal(pageUrl('abc@OpenReview', ORIGIN), `${ORIGIN}/venue/abc@OpenReview`);
});

function fakeFetch(table, log = []) {
  return async (url) => {
    log.push(url);
    const body = table[url];
    if (!body) return { ok: false, status: 404, json: async () => ({ error: 'not generated' }) };
    return { ok: true, status: 200, json: async () => body };
  };
}

test('fetchFaq: the asked language, else the other one, else null; only GETs of /api/faq', async () => {
  const log = [];
  const f = fakeFetch({ '/api/faq/2401.00001?lang=zh': { lang: 'zh', faq: [{ q: '问', a: '答' }] } }, log);
  assert.deepEqual(await fetchFaq('2401.00001', 'en', f), { lang: 'zh', items: [{ q: '问', a: '答' }] });
  assert.deepEqual(log, ['/api/faq/2401.00001?lang=en', '/api/faq/2401.00001?lang=zh']);
  assert.equal(await fetchFaq('2401.00002', 'en', f), null);
  const thrower = async () => { throw new Error('offline'); };
  assert.equal(await fetchFaq('2401.00001', 'en', thrower), null);
});

test('collectDetails: abstracts from the page or the API, FAQs where stored, every star once', async () => {
  const log = [];
  const f = fakeFetch({
    '/api/papers/2401.00002': { id: '2401.00002', abstract: 'From the API.' },
    '/api/faq/2401.00001?lang=en': { lang: 'en', faq: FAQ.items },
  }, log);
  const stars = [{ id: '2401.00001' }, { id: '2401.00002' }, { id: 'x@ACL' }];
  const seen = [];
  const d = await collectDetails(stars, { lang: 'en', fetchImpl: f, parallel: 2,
    onPage: (id) => (id === '2401.00001' ? 'On the page.' : ''),
    progress: (done, total) => seen.push(`${done}/${total}`) });
  assert.equal(Object.keys(d).length, 3);
  assert.equal(d['2401.00001'].abstract, 'On the page.');
  assert.equal(d['2401.00001'].faq.items.length, 2);
  assert.equal(d['2401.00002'].abstract, 'From the API.');
  assert.equal(d['2401.00002'].faq, null);
  assert.equal(d['x@ACL'].abstract, '');
  assert.deepEqual(seen, ['1/3', '2/3', '3/3']);
  assert.ok(!log.includes('/api/papers/2401.00001'), 'no API call for a paper on the page');
  assert.ok(log.every((u) => u.startsWith('/api/faq/') || u.startsWith('/api/papers/')), log.join(' '));
});

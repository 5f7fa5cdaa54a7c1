// Markdown with the FAQ: the star list exported as one Markdown document (each paper's title,
// authors, links, abstract and, where one is already generated, its FAQ), and the FAQ part of
// [Copy]. FAQs come from GET /api/faq/<id>?lang= (the stored FAQ only; a copy or an export never
// starts a generation). Math stays TeX.

import { idPath } from './dom.js';

// Markdown link text: brackets escaped so a title cannot end the link early.
function linkText(s) {
  return String(s || '').replace(/\s+/g, ' ').trim().replace(/([[\]])/g, '\\$1');
}

function isArxivId(id) {
  return /^\d{4}\.\d{4,5}(v\d+)?$/.test(id) || /^[a-z-]+(\.[A-Z]{2})?\/\d{7}(v\d+)?$/.test(id);
}

// The site page of a paper id.
export function pageUrl(id, origin) {
  return `${origin}/${isArxivId(id) ? 'arxiv' : 'venue'}/${id}`;
}

// A FAQ as Markdown: each question in bold, then its answer as written (Markdown with TeX).
export function faqMarkdown(items, level = '###') {
  const parts = [];
  (items || []).forEach((it, i) => {
    if (!it || typeof it.q !== 'string') return;
    parts.push(`**${i + 1}. ${it.q.trim()}**\n\n${String(it.a || '').trim()}`);
  });
  return parts.length ? `${level} FAQ\n\n${parts.join('\n\n')}\n` : '';
}

// The text [Copy] puts on the clipboard with the FAQ: the plain block, then the FAQ.
export function copyWithFaq(block, faq) {
  if (!faq || !faq.items || !faq.items.length) return block;
  return `${block.replace(/\s+$/, '')}\n\n${faqMarkdown(faq.items, '##')}`;
}

// The star list as Markdown. `details[id]` may hold {abstract, faq: {lang, items: [{q, a}]}}.
export function toMarkdown(stars, details = {}, origin = '', date = '') {
  const head = `# Starred papers${date ? ` (${date})` : ''}\n\n` +
    `${stars.length} paper${stars.length === 1 ? '' : 's'}, exported from ${origin || 'coolpapers'}.\n`;
  const entries = stars.map((s, i) => {
    const d = details[s.id] || {};
    const lines = [`## ${i + 1}. [${linkText(s.title || s.id)}](${pageUrl(s.id, origin)})`, ''];
    if (s.authors && s.authors.length) lines.push(`**Authors**: ${s.authors.join(', ')}  `);
    const facts = [];
    if (isArxivId(s.id)) facts.push(`arXiv: [${s.id}](https://arxiv.org/abs/${s.id})`);
    else facts.push(`id: ${s.id}`);
    if (s.pdf) facts.push(`[PDF](${s.pdf})`);
    if (s.subjects && s.subjects.length) facts.push(`subjects: ${s.subjects.join(', ')}`);
    if (s.date) facts.push(`date: ${s.date.slice(0, 10)}`);
    lines.push(facts.join(' · '));
    if (d.abstract) lines.push('', String(d.abstract).trim());
    if (d.faq && d.faq.items && d.faq.items.length) {
      lines.push('', faqMarkdown(d.faq.items).trim());
      if (d.faq.lang) lines.push('', `*FAQ language: ${d.faq.lang}*`);
    }
    return lines.join('\n');
  });
  return `${head}\n${entries.join('\n\n---\n\n')}${entries.length ? '\n' : ''}`;
}

// The stored FAQ of `id` ({lang, items}) in `lang`, else in the other language; null when none
// is generated yet (or the paper has no FAQ route). `fetchImpl` for tests.
export async function fetchFaq(id, lang, fetchImpl = fetch) {
  for (const l of [lang, lang === 'zh' ? 'en' : 'zh']) {
    try {
      const r = await fetchImpl(`/api/faq/${idPath(id)}?lang=${l}`, { headers: { Accept: 'application/json' } });
      if (!r.ok) continue;
      const d = await r.json();
      if (d && Array.isArray(d.faq) && d.faq.length) {
        return { lang: d.lang || l, items: d.faq.map((x) => ({ q: String(x.q || ''), a: String(x.a || '') })) };
      }
    } catch (_) { /* unreachable: no FAQ */ }
  }
  return null;
}

// The abstract of a starred paper not on this page, from /api/papers/<id> (arXiv ids).
async function fetchAbstract(id, fetchImpl) {
  if (!isArxivId(id)) return '';
  try {
    const r = await fetchImpl(`/api/papers/${idPath(id)}`, { headers: { Accept: 'application/json' } });
    if (!r.ok) return '';
    const d = await r.json();
    return d && typeof d.abstract === 'string' ? d.abstract : '';
  } catch (_) {
    return '';
  }
}

// details for toMarkdown: abstracts (from `onPage(id)` when the paper is on the page, else the
// API) and stored FAQs, `parallel` requests at a time; `progress(done, total)` after each paper.
export async function collectDetails(stars, { lang, onPage = () => '', progress = () => {},
                                              parallel = 4, fetchImpl = fetch } = {}) {
  const details = {};
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < stars.length) {
      const s = stars[next++];
      const [abstract, faq] = await Promise.all([
        onPage(s.id) || fetchAbstract(s.id, fetchImpl),
        fetchFaq(s.id, lang, fetchImpl),
      ]);
      details[s.id] = { abstract, faq };
      progress(++done, stars.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, stars.length) }, worker));
  return details;
}

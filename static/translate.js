// Title and abstract translation (the "Description language" setting, papers.cool's "Desc
// language"). For the arXiv papers in view it asks GET /api/translate?ids=…&lang=… (at most 50
// ids: one request per screenful), shows each translation under its original
// (div.title-translated after h2.title, p.summary-translated after p.summary) with math rendered
// by KaTeX, and polls again politely (Retry-After, backing off) while some are still queued.

import { h } from './dom.js';
import { renderMath } from './math.js';

// [value, label] for the settings select; 'off' shows originals only.
export const DESC_LANGS = [
  ['off', 'Off (original only)'], ['zh', '中文 (zh)'], ['zh-tw', '繁體中文 (zh-tw)'],
  ['ja', '日本語 (ja)'], ['ko', '한국어 (ko)'], ['fr', 'Français (fr)'], ['de', 'Deutsch (de)'],
  ['es', 'Español (es)'], ['pt', 'Português (pt)'], ['ru', 'Русский (ru)'],
  ['it', 'Italiano (it)'], ['en', 'English (en)'],
];

const BATCH = 50;             // ids per request (the server's limit)
const SETTLE_MS = 200;        // wait for scrolling to settle before asking
const MIN_POLL_MS = 2000;
const MAX_POLL_MS = 30000;

export function setupTranslation(reader) {
  if (document.body.id === 'venue' || !('IntersectionObserver' in window)) return;
  const visible = new Set();   // ids of panels near the viewport
  const made = new Map();      // `${lang} ${id}` -> translation
  const given = new Set();     // `${lang} ${id}` the server will not translate (errors)
  let lang = reader.settings.descLang || 'off';
  let timer = null;
  let busy = false;
  let polls = 0;               // consecutive polls that still found queued papers
  let stoppedUntil = 0;        // after a refusal (no key, budget, rate limit)

  const want = () => [...visible].filter((id) => !made.has(`${lang} ${id}`) &&
                                                 !given.has(`${lang} ${id}`));

  function clear(p) {
    for (const el of p.el.querySelectorAll('.title-translated, .summary-translated')) el.remove();
  }

  function show(p, t) {
    clear(p);
    const kept = t.kept_original || [];
    const title = p.el.querySelector('h2.title');
    if (title && t.title && !kept.includes('title')) {
      const el = h('div', { class: 'title-translated', lang }, t.title);
      title.after(el);
      renderMath(el);
    }
    const summary = p.el.querySelector('p.summary');
    if (summary && t.abstract && !kept.includes('abstract')) {
      const el = h('p', { class: 'summary-translated', lang }, t.abstract);
      summary.after(el);
      renderMath(el);
    }
  }

  function schedule(ms) {
    if (timer) return;
    timer = setTimeout(() => { timer = null; ask(); }, ms);
  }

  async function ask() {
    if (lang === 'off' || busy || Date.now() < stoppedUntil) return;
    const ids = want().slice(0, BATCH);
    if (!ids.length) return;
    busy = true;
    const asked = lang;
    let delay = 0;
    try {
      const r = await fetch(`/api/translate?ids=${ids.map(encodeURIComponent).join(',')}` +
                            `&lang=${encodeURIComponent(asked)}`, { credentials: 'same-origin' });
      const d = await r.json();
      if (asked !== lang) return;
      for (const [id, t] of Object.entries(d.translations || {})) {
        made.set(`${asked} ${id}`, t);
        const p = reader.byId.get(id);
        if (p) show(p, t);
      }
      for (const id of Object.keys(d.errors || {})) given.add(`${asked} ${id}`);
      const retry = (parseInt(r.headers.get('Retry-After'), 10) || 3) * 1000;
      if (d.error) {
        stoppedUntil = Date.now() + Math.max(retry, MAX_POLL_MS);
        document.body.dataset.translateError = d.error;
        delay = Math.max(retry, MAX_POLL_MS);
      } else if (Object.keys(d.pending || {}).length) {
        polls++;
        delay = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, retry) * (1 + Math.floor(polls / 4)));
      } else {
        polls = 0;
      }
    } catch (_) {
      delay = MAX_POLL_MS;  // offline or the server is restarting: try again later
    } finally {
      busy = false;
    }
    if (want().length) schedule(delay || SETTLE_MS);
  }

  const io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (e.isIntersecting) visible.add(e.target.id);
      else visible.delete(e.target.id);
    }
    if (lang !== 'off') schedule(SETTLE_MS);
  }, { rootMargin: '400px 0px' });
  for (const p of reader.papers) {
    if (!p.id.includes('@')) io.observe(p.el);
  }

  reader.on((what) => {
    if (what !== 'settings') return;
    const next = reader.settings.descLang || 'off';
    if (next === lang) return;
    lang = next;
    polls = 0;
    stoppedUntil = 0;
    delete document.body.dataset.translateError;
    for (const p of reader.papers) {
      const t = made.get(`${lang} ${p.id}`);
      if (t) show(p, t);
      else clear(p);
    }
    if (lang !== 'off') schedule(0);
  });
}

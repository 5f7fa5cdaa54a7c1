// The one-line TL;DR under each title of a list, for papers whose FAQ exists: asked in batches
// from GET /api/tldr?ids=a,b,c&lang= (the server reads stored FAQs only, never starts one) for
// the panels that come near the screen, shown as p.tldr right under h2.title with its TeX
// rendered. The "TL;DR under titles" setting hides them (and stops asking).

import { h } from './dom.js';
import { kindOf } from './papers.js';

export const TLDR_BATCH = 50;     // ids per request (the server accepts up to 100)
export const TLDR_DELAY_MS = 120; // gather the panels scrolled into range before asking

// The next batch: up to `max` ids of `wanted` (in order) not asked before; marks them asked.
export function nextBatch(wanted, asked, max = TLDR_BATCH) {
  const batch = [];
  for (const id of wanted) {
    if (batch.length >= max) break;
    if (asked.has(id)) continue;
    asked.add(id);
    batch.push(id);
  }
  return batch;
}

// The {id: {text, lang}} entries of an /api/tldr answer that are usable (non-empty text);
// anything malformed is left out.
export function tldrEntries(doc) {
  const out = new Map();
  const map = doc && typeof doc === 'object' ? doc.tldr : null;
  if (!map || typeof map !== 'object') return out;
  for (const [id, e] of Object.entries(map)) {
    if (!e || typeof e.text !== 'string' || !e.text.trim()) continue;
    out.set(id, { text: e.text.trim(), lang: typeof e.lang === 'string' ? e.lang : '' });
  }
  return out;
}

export class TldrLoader {
  // `reader`: the page's Reader (settings.tldr, settings.faqLang, byId); `renderMath(el)`.
  constructor(reader, renderMath) {
    this.reader = reader;
    this.renderMath = renderMath;
    this.asked = new Set();
    this.wanted = [];
    this.timer = null;
    this.apply();
  }

  enabled() { return this.reader.settings.tldr !== false; }

  // Shows or hides the lines after the setting changed.
  apply() {
    document.body.classList.toggle('cp-no-tldr', !this.enabled());
  }

  // The reader's FAQ language changed: ask again in the new one.
  reset() {
    for (const el of document.querySelectorAll('div.panel.paper > p.tldr')) el.remove();
    this.asked.clear();
  }

  // A panel came near the screen.
  want(p) {
    // Venue papers have no arXiv FAQ to read a TL;DR from.
    if (!this.enabled() || this.asked.has(p.id) || kindOf(p.id) === 'venue') return;
    this.wanted.push(p.id);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), TLDR_DELAY_MS);
  }

  async flush() {
    this.timer = null;
    const lang = this.reader.settings.faqLang;
    for (;;) {
      const batch = nextBatch(this.wanted, this.asked);
      if (!batch.length) break;
      this.wanted = this.wanted.filter((id) => !this.asked.has(id));
      const url = `/api/tldr?ids=${batch.map(encodeURIComponent).join(',')}&lang=${lang}`;
      try {
        const r = await fetch(url, { headers: { Accept: 'application/json' } });
        if (!r.ok) continue;  // nothing to show; the list works without it
        for (const [id, e] of tldrEntries(await r.json())) this.show(id, e);
      } catch (_) { /* offline or server gone: no TL;DR */ }
    }
    this.wanted = [];
  }

  show(id, e) {
    const p = this.reader.byId.get(id);
    if (!p) return;
    const title = p.el.querySelector('h2.title');
    if (!title) return;
    let line = p.el.querySelector(':scope > p.tldr');
    if (!line) {
      line = h('p', { class: 'tldr' });
      title.after(line);
    }
    line.replaceChildren(h('strong', { class: 'tldr-label' }, 'TL;DR'), ' ',
                         h('span', { class: 'tldr-text', lang: e.lang || null }, e.text));
    this.renderMath(line);
  }
}

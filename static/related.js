// The [REL] panel: related papers from /api/related/<id> (search engine's JSON API).

import { h, button, idPath } from './dom.js';

function resultsOf(doc) {
  if (Array.isArray(doc)) return doc;
  if (doc && Array.isArray(doc.results)) return doc.results;
  if (doc && Array.isArray(doc.related)) return doc.related;
  if (doc && Array.isArray(doc.papers)) return doc.papers;
  return [];
}

// Opens (or closes) the related-papers panel under `paper`. Returns true when it opened.
export function toggleRelated(paper, kind, renderMath) {
  const open = paper.el.querySelector(':scope > .rel-panel');
  if (open) {
    open.remove();
    return false;
  }
  const list = h('div', { class: 'rel-list' }, h('p', { class: 'rel-status' }, 'Loading related papers…'));
  const panel = h('div', { class: 'rel-panel cp-ctl', role: 'region',
                           'aria-label': `Papers related to ${paper.title}` },
    h('div', { class: 'rel-bar' }, h('strong', {}, 'Related papers'),
      button('Close', { 'aria-label': 'Close related papers' }, () => panel.remove())),
    list);
  paper.el.append(panel);
  fetch(`/api/related/${idPath(paper.id)}`, { headers: { Accept: 'application/json' } })
    .then(async (r) => {
      const doc = await r.json().catch(() => null);
      if (!r.ok) {
        const msg = doc && doc.error ? `${doc.error}${doc.hint ? ` — ${doc.hint}` : ''}` :
          `related papers are unavailable (HTTP ${r.status})`;
        throw new Error(msg);
      }
      const items = resultsOf(doc).filter((x) => x && x.id && x.id !== paper.id);
      if (!items.length) {
        list.replaceChildren(h('p', { class: 'rel-status' }, 'No related papers found yet.'));
        return;
      }
      list.replaceChildren(...items.map((x) => {
        const kindOf = String(x.id).includes('@') ? 'venue' : kind;
        const meta = [x.authors && x.authors.length ? x.authors.slice(0, 3).join(', ') +
                       (x.authors.length > 3 ? ' et al.' : '') : '',
                      x.date ? String(x.date).slice(0, 10) : ''].filter(Boolean).join(' · ');
        return h('p', { class: 'rel-item' },
          h('a', { href: `/${kindOf}/${x.id}`, class: 'rel-title' }, x.title || x.id),
          meta ? h('span', { class: 'rel-meta' }, ` ${meta}`) : null);
      }));
      renderMath(list);
    })
    .catch((e) => {
      list.replaceChildren(h('p', { class: 'rel-status error' }, e.message || String(e)));
    });
  return true;
}

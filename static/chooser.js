// The home-page category chooser: each category link gets a three-state toggle (include +,
// exclude −, off); "Open" goes to /arxiv/a,b (union) or /arxiv/a+b-c (union minus exclusions).
// The choice is the same state as a subject's follow/exclude, so it persists in settings.

import { h, button, toast } from './dom.js';

const CAT_PATH = /^\/arxiv\/([a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?)\/?$/;
const NOT_CATS = new Set(['search', 'kimi', 'progress']);

// The URL path for a choice, or '' when nothing is included.
export function chooserPath(include, exclude) {
  if (!include.length) return '';
  if (!exclude.length) return `/arxiv/${include.join(',')}`;
  return `/arxiv/${include.join('+')}-${exclude.join('-')}`;
}

function categoryLinks() {
  const links = [];
  const seen = new Set();
  const marked = document.querySelectorAll('a.category-link, a.archive-link');
  const candidates = marked.length ? marked : document.querySelectorAll('a[href^="/arxiv/"]');
  for (const a of candidates) {
    if (a.closest('div.panel.paper, #bottom-bar, .cp-ctl, header, nav.cp-skip')) continue;
    const m = CAT_PATH.exec(a.getAttribute('href'));
    if (!m || NOT_CATS.has(m[1])) continue;
    if (seen.has(m[1])) continue;
    links.push({ a, cat: m[1] });
    seen.add(m[1]);
  }
  return links;
}

// Installs the chooser when the page lists categories and no papers (the home page).
export function setupChooser(reader) {
  if (reader.papers.length) return;
  const links = categoryLinks();
  if (links.length < 2) return;
  document.body.classList.add('cp-has-chooser');
  const toggles = [];
  for (const { a, cat } of links) {
    const t = h('a', { class: 'cp-choose', role: 'button', tabindex: '0', dataset: { cat } });
    a.after(t);
    toggles.push(t);
  }
  const path = h('code', { id: 'cp-chooser-path' });
  const go = h('a', { id: 'cp-chooser-open', class: 'cp-btn primary', href: '#' }, 'Open');
  const clear = button('Clear', { id: 'cp-chooser-clear' }, () =>
    reader.updateSettings({ followCats: [], excludeCats: [] }));
  const bar = h('div', { id: 'cp-chooser', class: 'cp-ctl', role: 'region',
                         'aria-label': 'Chosen categories' },
    h('span', {}, 'Your categories: '), path, go, clear);
  const paint = () => {
    const inc = reader.settings.followCats;
    const exc = reader.settings.excludeCats;
    for (const t of toggles) {
      const c = t.dataset.cat;
      const st = inc.includes(c) ? 'include' : exc.includes(c) ? 'exclude' : 'off';
      t.dataset.state = st;
      t.textContent = st === 'include' ? '+' : st === 'exclude' ? '−' : '○';
      t.setAttribute('aria-label', `${c}: ${st === 'off' ? 'not chosen' : st + 'd'}; activate to ` +
        (st === 'off' ? 'include' : st === 'include' ? 'exclude' : 'clear'));
      t.title = st === 'off' ? `include ${c}` : st === 'include' ? `exclude ${c}` : `clear ${c}`;
    }
    const p = chooserPath(inc, exc);
    path.textContent = p || (exc.length ? 'include at least one category' : 'choose categories with ○ (include +, exclude −)');
    go.href = p || '#';
    go.setAttribute('aria-disabled', String(!p));
    bar.classList.toggle('active', inc.length + exc.length > 0);
  };
  document.addEventListener('click', (e) => {
    const t = e.target instanceof Element && e.target.closest('a.cp-choose');
    if (t) {
      e.preventDefault();
      const c = t.dataset.cat;
      const inc = reader.settings.followCats.filter((x) => x !== c);
      const exc = reader.settings.excludeCats.filter((x) => x !== c);
      if (t.dataset.state === 'off') inc.push(c);
      else if (t.dataset.state === 'include') exc.push(c);
      reader.updateSettings({ followCats: inc, excludeCats: exc });
      return;
    }
    if (e.target instanceof Element && e.target.closest('#cp-chooser-open') && go.getAttribute('href') === '#') {
      e.preventDefault();
      toast('Choose at least one category to include (○ → +).');
    }
  });
  reader.on((what) => { if (what === 'settings') paint(); });
  document.body.append(bar);
  paint();
}

// The reader's chrome around the papers: the list toolbar (sorts, counts), the bottom bar (home,
// in-page search, filters, stars, track, settings, theme), its sheets, back-to-top/bottom, and
// the subject popover (follow + / exclude −). Built with DOM calls only (no inline code).

import { h, button, download, copyText, toast } from './dom.js';
import { DESC_LANGS } from './translate.js';
import { toBibtex, toJson, fromJson, shareUrls } from './bibtex.js';
import { toMarkdown, collectDetails } from './export.js';
import { topWords } from './cloud.js';
import { icon } from './icons.js';

// Sets the colour theme: 'auto' follows the system, 'light'/'dark' force it.
export function applyTheme(theme) {
  const root = document.documentElement;
  if (theme === 'light' || theme === 'dark') root.dataset.theme = theme;
  else delete root.dataset.theme;
  let meta = document.querySelector('meta[name="color-scheme"]');
  if (!meta) {
    meta = h('meta', { name: 'color-scheme' });
    document.head.append(meta);
  }
  meta.content = theme === 'light' ? 'light' : theme === 'dark' ? 'dark' : 'light dark';
}

// Whether the page is currently dark.
export function isDark() {
  const t = document.documentElement.dataset.theme;
  if (t) return t === 'dark';
  return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

const SORTS = [
  ['default', 'list', 'Page order'],
  ['stars', 'star', 'Sort by site-wide clicks (★)'],
  ['prefs', 'heart', 'Sort by your preferences (❤)'],
  ['time', 'clock', 'Sort by time, newest first'],
];

function toolbar(reader) {
  const info = h('span', { class: 'cp-info', role: 'status', 'aria-live': 'polite' });
  const sorts = SORTS.map(([mode, name, label]) => button(icon(name), {
    class: 'cp-btn cp-sort', 'aria-label': label, title: label, dataset: { sort: mode },
    'aria-pressed': String(reader.settings.sort === mode),
  }, () => reader.updateSettings({ sort: reader.settings.sort === mode ? 'default' : mode })));
  const bar = h('div', { id: 'cp-toolbar', class: 'cp-ctl', role: 'toolbar',
                         'aria-label': 'Sort and filter this list' },
    h('span', { class: 'cp-sorts' }, h('span', { class: 'cp-label' }, 'Sort'), sorts), info);
  const paint = () => {
    for (const b of sorts) b.setAttribute('aria-pressed', String(reader.settings.sort === b.dataset.sort));
    const f = reader.lastFilter;
    const parts = [`${f.shown} of ${reader.papers.length} papers`];
    if (f.include) parts.push(`${f.matched} match`);
    if (f.hidden) parts.push(`${f.hidden} hidden`);
    info.textContent = parts.join(' · ');
  };
  reader.on(paint);
  paint();
  return bar;
}

function sheet(id, label, ...content) {
  const close = button('✕', { class: 'cp-btn cp-close', 'aria-label': `Close ${label}` });
  const el = h('section', { id, class: 'cp-sheet cp-ctl', role: 'dialog', 'aria-label': label,
                            hidden: true },
    h('header', {}, h('h2', {}, label), close), ...content);
  close.addEventListener('click', () => toggleSheet(el, false));
  return el;
}

function toggleSheet(el, open) {
  const willOpen = open === undefined ? el.hidden : open;
  for (const other of document.querySelectorAll('.cp-sheet')) {
    if (other !== el && !other.hidden) other.hidden = true;
  }
  el.hidden = !willOpen;
  for (const b of document.querySelectorAll(`[aria-controls="${el.id}"]`)) {
    b.setAttribute('aria-expanded', String(willOpen));
  }
  if (willOpen) {
    const first = el.querySelector('textarea, input, select, button:not(.cp-close), a[href]');
    if (first) first.focus({ preventScroll: true });
  }
}

function field(label, control, hint) {
  return h('label', { class: 'cp-field' }, h('span', { class: 'cp-field-label' }, label), control,
           hint ? h('small', {}, hint) : null);
}

function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

function filterSheet(reader) {
  const s = reader.settings;
  const include = h('textarea', { id: 'cp-include', rows: 4, spellcheck: 'false',
                                  placeholder: 'one keyword per line' });
  include.value = s.include;
  const exclude = h('textarea', { id: 'cp-exclude', rows: 3, spellcheck: 'false',
                                  placeholder: 'one keyword per line' });
  exclude.value = s.exclude;
  const modeOr = h('input', { type: 'radio', name: 'cp-mode', value: 'or', id: 'cp-mode-or' });
  const modeAnd = h('input', { type: 'radio', name: 'cp-mode', value: 'and', id: 'cp-mode-and' });
  (s.mode === 'and' ? modeAnd : modeOr).checked = true;
  const only = h('input', { type: 'checkbox', id: 'cp-only' });
  only.checked = s.onlyMatching;
  const hl = h('input', { type: 'checkbox', id: 'cp-highlight' });
  hl.checked = s.highlight;
  const save = debounce(() => reader.updateSettings({ include: include.value, exclude: exclude.value }), 150);
  include.addEventListener('input', save);
  exclude.addEventListener('input', save);
  for (const r of [modeOr, modeAnd]) r.addEventListener('change', () => reader.updateSettings({ mode: r.value }));
  only.addEventListener('change', () => reader.updateSettings({ onlyMatching: only.checked }));
  hl.addEventListener('change', () => reader.updateSettings({ highlight: hl.checked }));
  const cats = h('div', { class: 'cp-chips', 'aria-label': 'Followed and excluded categories' });
  const paintCats = () => {
    const chips = [];
    for (const c of reader.settings.followCats) {
      chips.push(h('span', { class: 'cp-chip follow' }, `+ ${c}`,
        button('✕', { 'aria-label': `Stop following ${c}` }, () => reader.updateSettings({
          followCats: reader.settings.followCats.filter((x) => x !== c) }))));
    }
    for (const c of reader.settings.excludeCats) {
      chips.push(h('span', { class: 'cp-chip exclude' }, `− ${c}`,
        button('✕', { 'aria-label': `Stop excluding ${c}` }, () => reader.updateSettings({
          excludeCats: reader.settings.excludeCats.filter((x) => x !== c) }))));
    }
    cats.replaceChildren(...(chips.length ? chips :
      [h('small', {}, 'Hover a subject of a paper and choose + (follow) or − (exclude).')]));
  };
  reader.on((what) => { if (what === 'settings') paintCats(); });
  paintCats();
  const ms = h('small', { class: 'cp-filter-ms' });
  reader.on((what) => {
    if (what === 'filter') ms.textContent = `filtered ${reader.papers.length} papers in ${reader.lastFilter.ms.toFixed(1)} ms`;
  });
  return sheet('cp-filter', 'Keywords',
    field('Include (highlight)', include, 'Title, abstract and authors; one keyword or phrase per line.'),
    h('fieldset', { class: 'cp-mode' }, h('legend', {}, 'A paper matches when it contains'),
      h('label', {}, modeOr, ' any keyword (OR)'), h('label', {}, modeAnd, ' all keywords (AND)')),
    h('label', { class: 'cp-check' }, only, ' Show only matching papers'),
    h('label', { class: 'cp-check' }, hl, ' Highlight matches'),
    field('Exclude (hide papers containing)', exclude),
    h('div', { class: 'cp-field' }, h('span', { class: 'cp-field-label' }, 'Categories'), cats),
    ms);
}

function starsSheet(reader) {
  // The page's star list (aside#star-list > div.items) moves into this sheet.
  let items = document.querySelector('div.items');
  if (!items) items = h('div', { class: 'items' });
  const aside = document.getElementById('star-list');
  if (aside) aside.classList.add('cp-moved');
  const count = h('p', { class: 'cp-star-count' });
  const share = h('input', { type: 'text', readonly: true, id: 'cp-share-url',
                             'aria-label': 'Shareable link to your starred papers' });
  const openLink = h('a', { id: 'cp-share-open', href: '#', target: '_blank', rel: 'noopener' }, 'open');
  const all = h('ol', { class: 'cp-all-stars' });
  const file = h('input', { type: 'file', accept: 'application/json,.json', id: 'cp-import-file',
                            class: 'cp-offscreen', 'aria-label': 'Import stars from a JSON file' });
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    try {
      const { stars, read } = fromJson(await f.text());
      const added = reader.importStars(stars, read);
      toast(`Imported ${stars.length} stars (${added} new).`);
    } catch (e) {
      toast(`Import failed: ${e.message}`);
    }
    file.value = '';
  });
  const shareRow = h('div', { class: 'cp-row' }, share,
    button('Copy link', { id: 'cp-share-copy' }, async () => {
      toast((await copyText(share.value)) ? 'Link copied.' : 'Copy failed.');
    }), openLink);
  const paint = () => {
    const list = reader.starList();
    count.textContent = `${list.length} starred paper${list.length === 1 ? '' : 's'} in this browser`;
    const urls = shareUrls(list);
    share.value = urls.join(' ');
    shareRow.hidden = !urls.length;
    openLink.href = urls[0] || '#';
    openLink.hidden = !urls.length;
    all.replaceChildren(...list.slice().reverse().slice(0, 200).map((s) => {
      const local = reader.byId.has(s.id);
      const kind = s.id.includes('@') || document.body.id === 'venue' ? 'venue' : 'arxiv';
      return h('li', {},
        h('a', { href: local ? `#${s.id}` : `/${kind}/${s.id}`, class: local ? 'i-title' : '' },
          s.title || s.id),
        button('✕', { class: 'cp-btn cp-unstar', 'aria-label': `Unstar ${s.title || s.id}` },
          () => reader.setStar(s.id, false)));
    }));
  };
  reader.on((what) => { if (what === 'stars' || what === 'read') paint(); });
  paint();
  const stamp = () => new Date().toISOString().slice(0, 10);
  return sheet('cp-stars', 'Starred papers',
    h('h3', {}, 'On this page'), items,
    h('h3', {}, 'All stars'), count,
    shareRow,
    h('div', { class: 'cp-row' },
      button('Export JSON', { id: 'cp-export-json' },
        () => download(`coolpapers-stars-${stamp()}.json`, toJson(reader.starList(), reader.read))),
      button('Export BibTeX', { id: 'cp-export-bib' },
        () => download(`coolpapers-stars-${stamp()}.bib`, toBibtex(reader.starList()), 'application/x-bibtex')),
      button('Export Markdown', { id: 'cp-export-md', title: 'With each paper\'s FAQ where one is generated' },
        () => exportMarkdown(reader, stamp())),
      button('Import JSON', { id: 'cp-import' }, () => file.click()), file,
      button('Clear all', { id: 'cp-clear-stars', class: 'cp-btn danger' }, () => {
        if (window.confirm('Remove all stars from this browser?')) reader.clearStars();
      })),
    all);
}

// Downloads the star list as Markdown with each paper's stored FAQ (fetched, never generated).
async function exportMarkdown(reader, date) {
  const stars = reader.starList();
  if (!stars.length) {
    toast('No starred papers to export yet (☆ stars a paper).');
    return;
  }
  toast(`Exporting ${stars.length} papers…`);
  const details = await collectDetails(stars, {
    lang: reader.settings.faqLang,
    onPage: (id) => (reader.byId.has(id) ? reader.byId.get(id).summary : ''),
    progress: (done, total) => { if (total > 8 && done % 8 === 0) toast(`Exporting ${done}/${total}…`); },
  });
  const withFaq = Object.values(details).filter((d) => d.faq).length;
  download(`coolpapers-stars-${date}.md`, toMarkdown(stars, details, location.origin, date), 'text/markdown');
  toast(`Exported ${stars.length} papers (${withFaq} with a FAQ).`);
}

function trackSheet(reader) {
  const cloud = h('div', { class: 'cp-cloud', id: 'cp-cloud' });
  const prefs = h('textarea', { id: 'cp-prefs', rows: 4, spellcheck: 'false',
                                placeholder: 'one keyword per line' });
  prefs.value = reader.settings.prefs;
  prefs.addEventListener('input', debounce(() => reader.updateSettings({ prefs: prefs.value }), 200));
  const paint = () => {
    const words = topWords(reader.cloud, 60);
    if (!words.length) {
      cloud.replaceChildren(h('p', {}, 'Open papers (PDF, FAQ or title) and their words gather here.'));
      return;
    }
    const max = words[0][1];
    cloud.replaceChildren(...words.map(([w, n]) => {
      const b = button(w, { class: 'cp-word', title: `${n} — add to preference keywords`,
                            'aria-label': `${w}, weight ${n}; add to preference keywords` }, () => {
        const terms = new Set(prefs.value.split('\n').map((x) => x.trim()).filter(Boolean));
        terms.add(w);
        prefs.value = [...terms].join('\n');
        reader.updateSettings({ prefs: prefs.value });
      });
      b.style.fontSize = `${(0.8 + 1.4 * (n / max)).toFixed(2)}em`;
      return b;
    }));
  };
  reader.on((what) => { if (what === 'read' || what === 'cloud' || what === 'track') paint(); });
  paint();
  return sheet('cp-track', 'Track: your reading',
    h('p', {}, 'Words from the papers you opened. ❤ sorts by your preference keywords, or by these words when none are set.'),
    cloud,
    field('Preference keywords (❤ sort)', prefs),
    h('div', { class: 'cp-row' },
      button('Forget reading history', { id: 'cp-clear-cloud', class: 'cp-btn danger' }, () => {
        reader.cloud = {};
        localStorage.removeItem('coolpapers.cloud');
        reader.emit('track');
      })));
}

function select(id, value, options, onChange) {
  const el = h('select', { id }, options.map(([v, label]) => h('option', { value: v }, label)));
  el.value = value;
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

function checkbox(id, checked, onChange) {
  const el = h('input', { type: 'checkbox', id });
  el.checked = checked;
  el.addEventListener('change', () => onChange(el.checked));
  return el;
}

function settingsSheet(reader) {
  const s = reader.settings;
  const theme = select('cp-theme', s.theme, [['auto', 'Follow the system'], ['light', 'Light'], ['dark', 'Dark']],
                       (v) => reader.updateSettings({ theme: v }));
  const lang = select('cp-faq-lang', s.faqLang, [['zh', '中文 (zh)'], ['en', 'English (en)']],
                      (v) => reader.updateSettings({ faqLang: v }));
  const viewer = select('cp-pdf-viewer', s.pdfViewer,
                        [['pdfjs', 'PDF.js, inline'], ['browser', "The browser's viewer"]],
                        (v) => reader.updateSettings({ pdfViewer: v }));
  const desc = select('cp-desc-lang', s.descLang, DESC_LANGS,
                      (v) => reader.updateSettings({ descLang: v }));
  reader.on((what) => {
    if (what !== 'settings') return;
    theme.value = reader.settings.theme;
    lang.value = reader.settings.faqLang;
    desc.value = reader.settings.descLang;
  });
  return sheet('cp-settings', 'Settings',
    field('Colours', theme),
    field('FAQ language', lang),
    field('Title & abstract translation', desc),
    field('PDF viewer', viewer),
    h('label', { class: 'cp-check' }, checkbox('cp-autostar', s.autoStar,
      (v) => reader.updateSettings({ autoStar: v })), ' Star papers whose PDF or FAQ I open'),
    h('label', { class: 'cp-check' }, checkbox('cp-fold-all', s.fold,
      (v) => reader.updateSettings({ fold: v })), ' Fold abstracts'),
    h('label', { class: 'cp-check' }, checkbox('cp-tldr', s.tldr !== false,
      (v) => reader.updateSettings({ tldr: v })), ' One-line TL;DR under titles (papers with a FAQ)'),
    h('p', {}, h('small', {}, 'Everything here stays in this browser (localStorage).')));
}

function searchBox(reader) {
  const input = h('input', { type: 'search', id: 'cp-quick', placeholder: 'find in this page',
                             'aria-label': 'Find papers in this page', autocomplete: 'off' });
  // The site search of the page's branch: venue pages search venue papers.
  const kind = document.body.id === 'venue' ? 'venue' : 'arxiv';
  const site = h('a', { id: 'cp-quick-site', href: `/${kind}/search` }, 'search the site');
  const update = debounce(() => {
    reader.setQuick(input.value);
    site.href = `/${kind}/search?query=${encodeURIComponent(input.value)}`;
  }, 120);
  input.addEventListener('input', update);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      input.value = '';
      reader.setQuick('');
      box.hidden = true;
    }
  });
  const box = h('div', { id: 'cp-quickbox', class: 'cp-ctl', hidden: true }, input, site,
    button('✕', { 'aria-label': 'Close page search' }, () => {
      input.value = '';
      reader.setQuick('');
      box.hidden = true;
    }));
  return { box, input };
}

function barButton(name, label, attrs, onClick) {
  return button(icon(name), {
    class: 'cp-btn cp-bar-btn', 'aria-label': label, title: label, ...attrs,
  }, onClick);
}

function bottomBar(reader, sheets, quick) {
  let bar = document.getElementById('bottom-bar');
  if (!bar) {
    bar = h('div', { id: 'bottom-bar' });
    document.body.append(bar);
  }
  bar.classList.add('cp-ctl');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Reader tools');
  const open = (id) => () => toggleSheet(sheets[id]);
  const starCount = h('span', { class: 'cp-badge', 'aria-hidden': 'true' });
  const paintCount = () => {
    const n = Object.keys(reader.stars).length;
    starCount.textContent = n ? String(n) : '';
  };
  reader.on((what) => { if (what === 'stars') paintCount(); });
  paintCount();
  const themeBtn = barButton('theme', 'Toggle dark mode', { id: 'cp-theme-toggle' }, () => {
    reader.updateSettings({ theme: isDark() ? 'light' : 'dark' });
  });
  const starsBtn = barButton('star', 'Starred papers', { id: 'cp-bar-stars', 'aria-controls': 'cp-stars',
                                                      'aria-expanded': 'false' }, open('cp-stars'));
  starsBtn.append(starCount);
  bar.replaceChildren(
    h('a', { class: 'cp-btn cp-bar-btn', href: '/', 'aria-label': 'Home', title: 'Home', id: 'cp-bar-home' },
      icon('home')),
    barButton('search', 'Find in this page', { id: 'cp-bar-search', 'aria-controls': 'cp-quickbox' }, () => {
      if (!reader.papers.length) {
        const site = document.querySelector('input[name="query"], input[type="search"]');
        if (site) { site.focus(); return; }
      }
      quick.box.hidden = !quick.box.hidden;
      if (!quick.box.hidden) quick.input.focus();
    }),
    barButton('filter', 'Keywords and filters', { id: 'cp-bar-filter', 'aria-controls': 'cp-filter',
                                             'aria-expanded': 'false' }, open('cp-filter')),
    starsBtn,
    barButton('cloud', 'Track: your reading word cloud', { id: 'cp-bar-track', 'aria-controls': 'cp-track',
                                                       'aria-expanded': 'false' }, open('cp-track')),
    barButton('gear', 'Settings', { id: 'cp-bar-settings', 'aria-controls': 'cp-settings',
                                 'aria-expanded': 'false' }, open('cp-settings')),
    themeBtn);
  return bar;
}

function jumpButtons() {
  const top = button(icon('up'), { id: 'cp-top', class: 'cp-btn cp-jump', 'aria-label': 'Back to top', title: 'Top' },
                     () => window.scrollTo({ top: 0 }));
  const bottom = button(icon('down'), { id: 'cp-bottom', class: 'cp-btn cp-jump', 'aria-label': 'Go to bottom', title: 'Bottom' },
                        () => window.scrollTo({ top: document.documentElement.scrollHeight }));
  const box = h('div', { id: 'cp-jumps', class: 'cp-ctl' }, top, bottom);
  const paint = () => box.classList.toggle('show', window.scrollY > 600);
  window.addEventListener('scroll', paint, { passive: true });
  paint();
  return box;
}

// The follow (+) / exclude (−) popover offered on a paper's subjects.
function subjectPopover(reader) {
  let current = '';
  const follow = button('+', { class: 'cp-btn cp-follow' }, () => {
    const f = new Set(reader.settings.followCats);
    if (f.has(current)) f.delete(current); else f.add(current);
    const ex = reader.settings.excludeCats.filter((c) => c !== current);
    reader.updateSettings({ followCats: [...f], excludeCats: ex });
    toast(f.has(current) ? `Following ${current}` : `Stopped following ${current}`);
    paint();
  });
  const exclude = button('−', { class: 'cp-btn cp-exclude' }, () => {
    const x = new Set(reader.settings.excludeCats);
    if (x.has(current)) x.delete(current); else x.add(current);
    const f = reader.settings.followCats.filter((c) => c !== current);
    reader.updateSettings({ excludeCats: [...x], followCats: f });
    toast(x.has(current) ? `Excluded ${current}: ${reader.lastFilter.hidden} papers hidden (undo under Keywords)`
                         : `${current} no longer excluded`);
    paint();
  });
  const pop = h('span', { class: 'cp-pop cp-ctl', role: 'group' }, follow, exclude);
  function paint() {
    const f = reader.settings.followCats.includes(current);
    const x = reader.settings.excludeCats.includes(current);
    follow.setAttribute('aria-label', `${f ? 'Stop following' : 'Follow'} ${current}`);
    follow.setAttribute('aria-pressed', String(f));
    follow.title = follow.getAttribute('aria-label');
    exclude.setAttribute('aria-label', `${x ? 'Stop excluding' : 'Exclude'} ${current}`);
    exclude.setAttribute('aria-pressed', String(x));
    exclude.title = exclude.getAttribute('aria-label');
    pop.setAttribute('aria-label', `Follow or exclude ${current}`);
  }
  const show = (a) => {
    current = a.textContent.trim();
    if (!current) return;
    paint();
    if (a.nextSibling !== pop) a.after(pop);
  };
  document.addEventListener('mouseover', (e) => {
    const a = e.target instanceof Element && e.target.closest('div.panel.paper p.subjects a');
    if (a) show(a);
  });
  document.addEventListener('focusin', (e) => {
    const a = e.target instanceof Element && e.target.closest('div.panel.paper p.subjects a');
    if (a) show(a);
  });
  return pop;
}

// Builds all of the above into the page.
export function buildChrome(reader) {
  const sheets = {};
  for (const s of [filterSheet(reader), starsSheet(reader), trackSheet(reader), settingsSheet(reader)]) {
    sheets[s.id] = s;
  }
  const quick = searchBox(reader);
  if (reader.papers.length) {
    // Above the first section heading of the list (announce types on arXiv lists, groups on
    // venue editions), else above the first paper.
    const first = reader.papers[0].anchor || reader.papers[0].el;
    const heading = first.parentNode.querySelector(':scope > h2.list-section, :scope > h2.group');
    const at = heading && (heading.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING)
      ? heading : first;
    at.parentNode.insertBefore(toolbar(reader), at);
    subjectPopover(reader);
  }
  const bar = bottomBar(reader, sheets, quick);
  const layer = h('div', { id: 'cp-layer' }, ...Object.values(sheets), quick.box, jumpButtons());
  bar.before(layer);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      for (const s of Object.values(sheets)) if (!s.hidden) toggleSheet(s, false);
    } else if (e.key === '/' && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName) &&
               reader.papers.length) {
      e.preventDefault();
      quick.box.hidden = false;
      quick.input.focus();
    }
  });
  reader.on((what) => {
    if (what === 'jump' && window.innerWidth < 700) toggleSheet(sheets['cp-stars'], false);
  });
  const starsLink = document.getElementById('stars-toggle');
  if (starsLink) {
    starsLink.setAttribute('aria-controls', 'cp-stars');
    starsLink.addEventListener('click', (e) => {
      e.preventDefault();
      toggleSheet(sheets['cp-stars']);
    });
  }
  // Day pickers go to the chosen day at once.
  for (const sel of document.querySelectorAll('form.day-picker select')) {
    sel.addEventListener('change', () => sel.form.requestSubmit());
  }
}

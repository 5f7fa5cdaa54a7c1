// coolpapers reader: everything the reader does on a page happens here, in the browser, with
// state in localStorage (SPEC §3, §7). Loaded as an ES module after KaTeX's classic scripts.
// The page HTML follows the contract in SPEC §3; inline handlers are forbidden by the CSP, so
// every control is bound here from data attributes (the onclick attribute on a.title-pdf exists
// only for third-party clients, and only on panels whose id is plain).

import { h, asButton, idPath, copyText, toast } from './dom.js';
import * as state from './state.js';
import { collectPapers, kindOf, copyBlock, isVenuePage } from './papers.js';
import { katexReady, renderMath, mathTargets } from './math.js';
import { buildQuery, judge, highlightTerms, parseTerms } from './filter.js';
import { termsRegExp, clearHighlights, highlight } from './highlight.js';
import { applySort, anchorPapers, preferenceScorer } from './sort.js';
import { addToCloud, topWords } from './cloud.js';
import { togglePdfPanel } from './pdfview.js';
import { toggleFaq } from './faq.js';
import { toggleRelated } from './related.js';
import { buildChrome, applyTheme } from './ui.js';
import { setupChooser } from './chooser.js';
import { setupUnreadToggle } from './unread.js';
import { setupTranslation } from './translate.js';
import { icon } from './icons.js';
import { TldrLoader } from './tldr.js';
import { openCopyMenu } from './copy.js';
import { setupHome } from './home.js';

const AUTHORS_FOLD_OVER = 40;   // "et al." when a paper has more authors than this
const AUTHORS_SHOWN = 20;       // authors shown before "et al."

class Reader {
  constructor() {
    this.settings = state.loadSettings();
    this.stars = state.loadStars();
    this.read = state.loadRead();
    this.cloud = state.loadCloud();
    this.papers = [];
    this.byId = new Map();
    this.quick = '';
    this.lastFilter = { shown: 0, matched: 0, hidden: 0, ms: 0 };
    this.listeners = new Set();
    this.near = new Set();  // panels within the lazy-rendering margin of the viewport
    this.hideRead = null;   // ids hidden by "unread only" (unread.js), or null
  }

  init() {
    applyTheme(this.settings.theme);
    this.papers = collectPapers();
    for (const p of this.papers) this.byId.set(p.id, p);
    document.body.classList.add('cp-js');
    if (this.papers.length) document.body.classList.add('cp-list');
    for (const p of this.papers) this.preparePanel(p);
    if (this.papers.length) this.tldr = new TldrLoader(this, (el) => renderMath(el));
    anchorPapers(this.papers);
    this.observe();
    this.setupDeferred();
    buildChrome(this);
    setupHome(this);
    setupChooser(this);
    setupUnreadToggle(this);
    setupTranslation(this);
    this.bindEvents();
    this.refilter();
    if (this.settings.sort !== 'default') this.resort();
    this.renderStarList();
    state.onExternalChange((name) => this.reloadFrom(name));
    window.togglePdf = (id, url, el) => this.togglePdf(id, url, el);
    window.coolpapers = this;  // for the console and tests
    document.body.dataset.ready = '1';
    if (location.hash.length > 1) this.reveal(decodeURIComponent(location.hash.slice(1)));
  }

  // ---- state ----------------------------------------------------------------------------

  updateSettings(patch) {
    Object.assign(this.settings, patch);
    state.saveSettings(this.settings);
    if ('theme' in patch) applyTheme(this.settings.theme);
    if (['include', 'mode', 'exclude', 'onlyMatching', 'highlight', 'excludeCats', 'followCats']
        .some((k) => k in patch)) this.refilter();
    if ('followCats' in patch) this.markFollowed();
    if ('fold' in patch) for (const p of this.papers) this.setFolded(p, this.settings.fold);
    if ('sort' in patch || ('prefs' in patch && this.settings.sort === 'prefs')) this.resort();
    if (this.tldr && ('tldr' in patch || 'faqLang' in patch)) {
      if ('faqLang' in patch) this.tldr.reset();
      this.tldr.apply();
      for (const p of this.near) this.tldr.want(p);
    }
    this.emit('settings');
  }

  reloadFrom(name) {
    if (name === 'stars') this.stars = state.loadStars();
    else if (name === 'read') this.read = state.loadRead();
    else if (name === 'cloud') this.cloud = state.loadCloud();
    else if (name === 'settings') {
      this.settings = state.loadSettings();
      applyTheme(this.settings.theme);
      this.refilter();
    }
    for (const p of this.papers) this.paintMarks(p);
    this.renderStarList();
    this.emit(name);
  }

  on(fn) { this.listeners.add(fn); }
  emit(what) { for (const fn of this.listeners) fn(what); }

  // ---- panels ---------------------------------------------------------------------------

  preparePanel(p) {
    const el = p.el;
    const title = el.querySelector('h2.title');
    const labels = {
      'a.title-pdf': `Show the PDF of ${p.title}`,
      'a.title-kimi': `FAQ about ${p.title}`,
      'a.title-copy': `Copy title, authors, abstract and link of ${p.title}`,
      'a.title-rel': `Papers related to ${p.title}`,
      'a.title-star': `Star ${p.title}`,
    };
    for (const [sel, label] of Object.entries(labels)) {
      const b = el.querySelector(sel);
      if (!b) continue;
      b.removeAttribute('onclick');
      asButton(b, label);
    }
    if (title && !title.querySelector('.cp-fold')) {
      const fold = h('a', { class: 'cp-fold', role: 'button', tabindex: '0',
                            'aria-label': `Fold or unfold ${p.title}`, 'aria-expanded': 'true',
                            title: 'fold / unfold' }, icon('fold'));
      title.append(fold);
    }
    this.foldAuthors(p);
    this.paintMarks(p);
    if (this.settings.fold) this.setFolded(p, true);
    this.markFollowed(p);
  }

  foldAuthors(p) {
    const box = p.el.querySelector('p.authors');
    if (!box) return;
    const authors = box.querySelectorAll('a.author');
    if (authors.length <= AUTHORS_FOLD_OVER) return;
    // Move the authors after the first AUTHORS_SHOWN (with their separators) into one wrapper.
    const wrap = h('span', { class: 'cp-more-authors' });
    let node = authors[AUTHORS_SHOWN - 1].nextSibling;
    while (node) {
      const next = node.nextSibling;
      wrap.append(node);
      node = next;
    }
    box.append(wrap);
    box.classList.add('cp-many');
    const more = authors.length - AUTHORS_SHOWN;
    box.append(h('a', { class: 'cp-etal', role: 'button', tabindex: '0', 'aria-expanded': 'false',
                        'aria-label': `Show all ${authors.length} authors`, dataset: { more } },
                 `et al. (+${more})`));
  }

  toggleAuthors(btn) {
    const box = btn.closest('p.authors');
    const open = box.classList.toggle('cp-all');
    btn.setAttribute('aria-expanded', String(open));
    btn.textContent = open ? 'fewer authors' : `et al. (+${btn.dataset.more})`;
  }

  setFolded(p, folded) {
    p.el.classList.toggle('cp-folded', folded);
    const b = p.el.querySelector('.cp-fold');
    if (b) {
      b.setAttribute('aria-expanded', String(!folded));
    }
  }

  paintMarks(p) {
    const starred = !!this.stars[p.id];
    p.el.classList.toggle('starred', starred);
    p.el.classList.toggle('read', !!this.read[p.id]);
    const b = p.el.querySelector('a.title-star');
    if (b) {
      b.textContent = starred ? '★' : '☆';
      b.setAttribute('aria-pressed', String(starred));
      b.setAttribute('aria-label', `${starred ? 'Unstar' : 'Star'} ${p.title}`);
      b.title = starred ? 'unstar' : 'star';
    }
  }

  markFollowed(only = null) {
    const follow = new Set(this.settings.followCats);
    for (const p of only ? [only] : this.papers) {
      for (const a of p.el.querySelectorAll('p.subjects a')) {
        a.classList.toggle('followed', follow.has(a.textContent.trim()));
      }
    }
  }

  // ---- stars and read marks ---------------------------------------------------------------

  starRecord(p) {
    return { id: p.id, title: p.title, authors: p.authors, date: p.date, pdf: p.pdf,
             subjects: p.subjects, starred: Date.now() };
  }

  setStar(id, on) {
    const p = this.byId.get(id);
    if (on) {
      if (!this.stars[id]) this.stars[id] = p ? this.starRecord(p) : { id, starred: Date.now() };
    } else {
      delete this.stars[id];
    }
    state.saveStars(this.stars);
    if (p) this.paintMarks(p);
    this.renderStarList();
    this.emit('stars');
  }

  // The reader opened this paper's PDF or FAQ: mark it read, star it, feed the word cloud.
  opened(p) {
    this.read[p.id] = Date.now();
    state.saveRead(this.read);
    addToCloud(this.cloud, p);
    state.saveCloud(this.cloud);
    if (this.settings.autoStar && !this.stars[p.id]) this.setStar(p.id, true);
    this.paintMarks(p);
    this.emit('read');
  }

  importStars(list, read) {
    let added = 0;
    for (const s of list) {
      if (!this.stars[s.id]) added++;
      this.stars[s.id] = { ...(this.stars[s.id] || {}), ...s };
    }
    for (const [id, t] of Object.entries(read || {})) {
      if (typeof t === 'number' && !this.read[id]) this.read[id] = t;
    }
    state.saveStars(this.stars);
    state.saveRead(this.read);
    for (const p of this.papers) this.paintMarks(p);
    this.renderStarList();
    this.emit('stars');
    return added;
  }

  clearStars() {
    this.stars = {};
    state.saveStars(this.stars);
    for (const p of this.papers) this.paintMarks(p);
    this.renderStarList();
    this.emit('stars');
  }

  starList() {
    return Object.values(this.stars).sort((a, b) => (a.starred || 0) - (b.starred || 0));
  }

  // Fills every div.items with the starred papers of this page: p > a.i-title[href=#id].
  renderStarList() {
    const onPage = this.papers.filter((p) => this.stars[p.id]);
    for (const box of document.querySelectorAll('div.items')) {
      box.replaceChildren(...onPage.map((p) =>
        h('p', {}, h('a', { class: 'i-title', href: `#${p.id}` }, p.title))));
      if (!onPage.length) {
        box.append(h('p', { class: 'i-empty' },
          this.papers.length ? 'No starred papers on this page yet (☆ stars a paper).'
                             : 'Stars you set on list pages appear here.'));
      }
    }
  }

  // Scrolls to a paper, un-hiding it from filters if needed.
  reveal(id) {
    const p = this.byId.get(id);
    if (!p) return;
    if (p.el.hidden && p.el.dataset.deferred) {
      const i = this.deferred.indexOf(p);
      this.revealDeferred(i + 1);
    }
    if (p.el.classList.contains('cp-filtered')) {
      p.el.classList.remove('cp-filtered');
      toast('This paper was hidden by your filters; shown for now.');
    }
    this.decorate(p);
    p.el.scrollIntoView({ block: 'start' });
    p.el.classList.add('cp-target');
    setTimeout(() => p.el.classList.remove('cp-target'), 1600);
  }

  // ---- actions ----------------------------------------------------------------------------

  count(p, kind) {
    const sup = p.el.querySelector(`sup.${kind}-counter`);
    const before = p.clicks[kind] || 0;
    p.clicks[kind] = before + 1;
    p.clickSum += 1;
    if (sup) sup.textContent = String(before + 1);
    fetch(`/api/click/${idPath(p.id)}?kind=${kind}`, { method: 'POST', keepalive: true })
      .then((r) => (r.ok ? r.json() : null))
      .then((d) => {
        const n = d && (d.count ?? (d.clicks && d.clicks[kind]) ?? d[kind]);
        if (sup && Number.isInteger(n) && n >= before + 1) {
          p.clickSum += n - p.clicks[kind];
          p.clicks[kind] = n;
          sup.textContent = String(n);
        }
      })
      .catch(() => {});
  }

  togglePdf(id, url, btn) {
    const p = this.byId.get(id);
    if (!p) {
      if (url) window.open(url, '_blank', 'noopener');
      return;
    }
    const opened = togglePdfPanel(p.el, url || p.pdf, this.settings.pdfViewer);
    if (btn) btn.setAttribute('aria-expanded', String(opened));
    if (opened) {
      this.count(p, 'pdf');
      this.opened(p);
    }
  }

  toggleFaq(p, btn) {
    const kind = kindOf(p.id);
    const opened = toggleFaq(p, kind, this.settings.faqLang, (el) => renderMath(el));
    if (btn) btn.setAttribute('aria-expanded', String(opened));
    if (opened) {
      this.count(p, 'kimi');
      this.opened(p);
    }
  }

  toggleRelated(p, btn) {
    const opened = toggleRelated(p, kindOf(p.id), (el) => renderMath(el));
    if (btn) btn.setAttribute('aria-expanded', String(opened));
    if (opened) this.count(p, 'rel');
  }

  async copy(p, btn) {
    const block = copyBlock(p);
    const ok = await copyText(block);
    toast(ok ? 'Copied title, authors, abstract and link.' : 'Copy failed: your browser blocked the clipboard.');
    if (ok) this.count(p, 'copy');
    // The same again, or with the FAQ when one is generated (counted if the first copy failed).
    if (btn) openCopyMenu(p, btn, block, this.settings.faqLang, () => { if (!ok) this.count(p, 'copy'); });
  }

  bindEvents() {
    document.addEventListener('click', (e) => this.onClick(e));
    document.addEventListener('keydown', (e) => {
      const t = e.target;
      if ((e.key === 'Enter' || e.key === ' ') && t instanceof HTMLElement &&
          t.getAttribute('role') === 'button' && t.tagName !== 'BUTTON') {
        e.preventDefault();
        t.click();
      }
    });
    window.addEventListener('hashchange', () => {
      if (location.hash.length > 1) this.reveal(decodeURIComponent(location.hash.slice(1)));
    });
  }

  onClick(e) {
    if (e.defaultPrevented || e.button !== 0) return;
    const t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    const modified = e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
    const panel = t.closest('div.panel.paper');
    const p = panel ? this.byId.get(panel.id) : null;
    let el;
    if ((el = t.closest('a.i-title'))) {
      const id = decodeURIComponent((el.getAttribute('href') || '').replace(/^#/, ''));
      if (this.byId.has(id)) {
        e.preventDefault();
        history.replaceState(null, '', `#${id}`);
        this.reveal(id);
        this.emit('jump');
      }
      return;
    }
    if (!p) return;
    if ((el = t.closest('a.title-pdf'))) {
      if (modified) { this.count(p, 'pdf'); this.opened(p); return; }
      e.preventDefault();
      this.togglePdf(p.id, el.getAttribute('data') || p.pdf, el);
    } else if ((el = t.closest('a.title-kimi'))) {
      if (modified && el.getAttribute('href')) return;
      e.preventDefault();
      this.toggleFaq(p, el);
    } else if ((el = t.closest('a.title-copy'))) {
      e.preventDefault();
      this.copy(p, el);
    } else if ((el = t.closest('a.title-rel'))) {
      if (modified && el.getAttribute('href')) return;
      e.preventDefault();
      this.toggleRelated(p, el);
    } else if ((el = t.closest('a.title-star'))) {
      e.preventDefault();
      this.setStar(p.id, !this.stars[p.id]);
    } else if ((el = t.closest('.cp-fold'))) {
      e.preventDefault();
      this.setFolded(p, !p.el.classList.contains('cp-folded'));
    } else if ((el = t.closest('.cp-etal'))) {
      e.preventDefault();
      this.toggleAuthors(el);
    } else if ((el = t.closest('a.title-link'))) {
      addToCloud(this.cloud, p);
      state.saveCloud(this.cloud);
    }
  }

  // ---- deferred panels (?show=N renders N, the rest arrive hidden) ---------------------------

  setupDeferred() {
    this.deferred = this.papers.filter((p) => p.el.hidden && p.el.dataset.deferred);
    if (!this.deferred.length) return;
    // The list's section (arXiv day lists, venue editions) says how many panels show at once.
    const section = document.querySelector('section.day-list[data-show], section.venue-list[data-show]');
    this.chunk = Math.max(20, Number(section && section.dataset.show) || 50);
    const more = document.querySelector('p.show-more');
    if (more) {
      const a = more.querySelector('a');
      if (a) {
        a.addEventListener('click', (e) => {
          e.preventDefault();
          this.revealDeferred(Infinity);
        });
      }
    }
    if ('IntersectionObserver' in window) {
      this.sentinel = h('div', { class: 'cp-sentinel', 'aria-hidden': 'true' });
      const last = this.deferred[this.deferred.length - 1].el;
      last.after(this.sentinel);
      const io = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) this.revealDeferred(this.chunk);
        if (!this.deferred.length) io.disconnect();
      }, { rootMargin: '1500px 0px' });
      io.observe(this.sentinel);
      this.sentinelIo = io;
    }
  }

  // Un-hides up to `n` deferred panels in page order.
  revealDeferred(n) {
    if (!this.deferred || !this.deferred.length) return;
    const batch = this.deferred.splice(0, n);
    for (const p of batch) {
      p.el.hidden = false;
      delete p.el.dataset.deferred;
    }
    if (!this.deferred.length) {
      const more = document.querySelector('p.show-more');
      if (more) more.hidden = true;
      if (this.sentinel) this.sentinel.remove();
      if (this.sentinelIo) this.sentinelIo.disconnect();
    } else if (this.sentinel && this.sentinelIo) {
      // Re-arm: the sentinel may still be in range after this batch.
      this.sentinelIo.unobserve(this.sentinel);
      this.sentinelIo.observe(this.sentinel);
    }
    this.emit('filter');
  }

  // ---- lazy decoration (math + highlights) --------------------------------------------------

  observe() {
    if (!('IntersectionObserver' in window)) {
      katexReady().then(() => {
        for (const p of this.papers) {
          this.near.add(p);
          this.decorate(p);
        }
      });
      return;
    }
    this.io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const p = this.byId.get(e.target.id);
        if (!p) continue;
        if (e.isIntersecting) {
          this.near.add(p);
          this.decorate(p);
        } else {
          this.near.delete(p);
        }
      }
    }, { rootMargin: '800px 0px' });
    katexReady().then(() => {
      for (const p of this.papers) this.io.observe(p.el);
    });
  }

  // Renders math in a panel once, then applies the current highlights to it.
  decorate(p) {
    if (this.tldr) this.tldr.want(p);
    if (!p.mathDone && typeof window.renderMathInElement === 'function') {
      for (const el of mathTargets(p.el)) renderMath(el);
      p.mathDone = true;
    }
    if (p.hlKey !== this.hlKey) {
      if (p.hlKey) for (const el of this.hlTargets(p)) clearHighlights(el);
      if (this.hlRe) for (const el of this.hlTargets(p)) highlight(el, this.hlRe);
      p.hlKey = this.hlKey;
    }
  }

  hlTargets(p) {
    return p.el.querySelectorAll('h2.title a.title-link, p.summary, p.authors');
  }

  // ---- filters and sorts ----------------------------------------------------------------------

  excludedCatsForPage() {
    const path = decodeURIComponent(location.pathname);
    return this.settings.excludeCats.filter((c) => !path.includes(c));
  }

  refilter() {
    const t0 = performance.now();
    const q = buildQuery({ ...this.settings, excludeCats: this.excludedCatsForPage() }, this.quick);
    q.hideRead = this.hideRead;
    const terms = highlightTerms(q, this.settings);
    this.hlRe = termsRegExp(terms);
    this.hlKey = terms.length ? terms.join('\u0001') : '';
    if (q.include.length || q.exclude.length || q.quick.length) this.revealDeferred(Infinity);
    let shown = 0;
    let matched = 0;
    let hidden = 0;
    for (const p of this.papers) {
      const r = judge(p, q);
      if (r.hidden !== p.hidden) {
        p.el.classList.toggle('cp-filtered', r.hidden);
        p.hidden = r.hidden;
      }
      if (r.match !== p.match) {
        p.el.classList.toggle('cp-match', r.match);
        p.match = r.match;
      }
      if (r.hidden) hidden++; else shown++;
      if (r.match) matched++;
    }
    // Re-highlight what is near the screen now; the rest is done as it scrolls into view.
    for (const p of this.near) if (!p.hidden) this.decorate(p);
    const ms = performance.now() - t0;
    this.lastFilter = { shown, matched, hidden, ms, include: q.include.length };
    document.body.dataset.filterMs = ms.toFixed(2);
    this.emit('filter');
  }

  prefTerms() { return parseTerms(this.settings.prefs); }

  resort() {
    const t0 = performance.now();
    if (this.settings.sort !== 'default') this.revealDeferred(Infinity);
    document.body.classList.toggle('cp-sorted', this.settings.sort !== 'default');
    const score = preferenceScorer(this.prefTerms(), topWords(this.cloud, 20));
    applySort(this.papers, this.settings.sort, score);
    document.body.dataset.sortMs = (performance.now() - t0).toFixed(2);
    document.body.dataset.sort = this.settings.sort;
    this.emit('sort');
  }

  setQuick(text) {
    this.quick = text;
    this.refilter();
  }
}

function start() {
  const reader = new Reader();
  try {
    reader.init();
  } catch (e) {
    document.body.dataset.ready = 'error';
    console.error('coolpapers: reader failed to start', e);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();

export { Reader, isVenuePage };

// The FAQ panel opened by [Kimi]: POST /<kind>/kimi?paper=<id>&lang= returns the FAQ HTML
// generated so far (p.faq-q / div.faq-a); while generation runs, /api/faq/<id>/stream?lang=
// (Server-Sent Events: progress, delta, done, error) shows progress and the streamed text, and
// the finished FAQ replaces it.

import { h, button, idPath } from './dom.js';

function parseData(raw) {
  try { return JSON.parse(raw); } catch (_) { return raw; }
}

// A human status line for a progress event payload.
export function progressText(d) {
  if (d === null || d === undefined) return 'working…';
  if (typeof d === 'string') {
    const m = /^(pending|loading):?\s*(\d+)?/.exec(d);
    if (m && m[1] === 'pending') return m[2] ? `queued: ${m[2]} ahead` : 'queued';
    if (m && m[1] === 'loading') return `generating… ${m[2] || 0}%`;
    return d;
  }
  const state = d.state || d.status || '';
  if (state === 'pending' || state === 'queued') {
    const ahead = d.ahead ?? d.position ?? d.queue_position;
    return ahead !== undefined ? `queued: ${ahead} ahead` : 'queued';
  }
  if (d.percent !== undefined) return `${d.stage ? `${d.stage}: ` : ''}generating… ${Math.round(d.percent)}%`;
  if (d.message) return String(d.message);
  return state || 'working…';
}

function errorText(d) {
  if (!d) return 'The FAQ could not be generated.';
  if (typeof d === 'string') return d;
  return [d.error || d.message || 'The FAQ could not be generated.', d.hint].filter(Boolean).join(' — ');
}

// Whether a fragment returned by POST /kimi is final (complete or an error the reader must act on).
function fragmentState(body) {
  const root = body.querySelector('[data-state]');
  if (root) return root.dataset.state;
  if (body.querySelector('.faq-error, .faq-nokey')) return 'error';
  if (body.querySelector('.faq-complete')) return 'done';
  return '';
}

class FaqSession {
  constructor(paper, kind, lang, renderMath) {
    this.paper = paper;
    this.kind = kind;
    this.lang = lang;
    this.renderMath = renderMath;
    this.status = h('p', { class: 'faq-status', role: 'status', 'aria-live': 'polite' },
                    'asking the server…');
    this.body = h('div', { class: 'faq-body' });
    this.live = null;  // element receiving streamed text
    this.panel = h('div', { class: 'faq-panel cp-ctl', role: 'region', lang,
                            'aria-label': `FAQ for ${paper.title}` },
      h('div', { class: 'faq-bar' }, h('strong', {}, 'FAQ'),
        h('span', { class: 'faq-lang' }, lang === 'zh' ? '中文' : 'English'),
        button('Close', { 'aria-label': 'Close FAQ' }, () => this.close())),
      this.status, this.body);
    this.panel._session = this;
  }

  kimiUrl() {
    return `/${this.kind}/kimi?paper=${encodeURIComponent(this.paper.id)}&lang=${this.lang}`;
  }

  async start() {
    this.paper.el.append(this.panel);
    let state = '';
    try {
      state = await this.loadFragment();
    } catch (e) {
      this.setError(`The FAQ service is unreachable (${e.message}). Try again later.`);
      return;
    }
    if (state === 'done' || state === 'complete') {
      this.status.textContent = '';
      this.status.hidden = true;
      return;
    }
    if (state === 'error') {
      this.status.hidden = true;
      this.panel.classList.add('faq-failed');
      return;
    }
    this.follow();
  }

  async loadFragment() {
    const r = await fetch(this.kimiUrl(), { method: 'POST', headers: { Accept: 'text/html' } });
    const type = r.headers.get('content-type') || '';
    if (type.includes('json')) {
      const d = await r.json().catch(() => null);
      if (!r.ok) {
        this.setError(errorText(d));
        return 'error';
      }
      this.body.replaceChildren();
      return d && d.state ? d.state : '';
    }
    const html = await r.text();
    // Trusted: the server renders and escapes the fragment (SPEC §6).
    this.body.innerHTML = html;
    this.renderMath(this.body);
    if (!r.ok) return 'error';
    return fragmentState(this.body);
  }

  follow() {
    if (!window.EventSource) {
      this.status.textContent = 'generating… (reopen the FAQ later to see it)';
      return;
    }
    const url = `/api/faq/${idPath(this.paper.id)}/stream?lang=${this.lang}`;
    const es = new EventSource(url);
    this.es = es;
    let got = false;
    es.addEventListener('progress', (e) => {
      got = true;
      this.status.textContent = progressText(parseData(e.data));
    });
    es.addEventListener('delta', (e) => {
      got = true;
      this.appendDelta(parseData(e.data));
    });
    es.addEventListener('done', () => {
      es.close();
      this.es = null;
      this.finish();
    });
    es.addEventListener('error', (e) => {
      if (e.data !== undefined) {  // an `event: error` sent by the server
        es.close();
        this.es = null;
        this.setError(errorText(parseData(e.data)));
        return;
      }
      if (es.readyState === EventSource.CLOSED || !got) {
        es.close();
        this.es = null;
        this.explainFailure();
      }
    });
  }

  appendDelta(d) {
    const textPart = typeof d === 'string' ? d : (d.text ?? d.delta ?? d.content ?? '');
    const q = typeof d === 'object' && d ? (d.question ?? null) : null;
    if (q !== null && (!this.live || this.live.dataset.q !== String(d.index ?? q))) {
      this.body.append(h('p', { class: 'faq-q' }, String(q)));
      this.live = h('div', { class: 'faq-a streaming', dataset: { q: String(d.index ?? q) } });
      this.body.append(this.live);
    }
    if (!this.live) {
      this.live = h('div', { class: 'faq-a streaming' });
      this.body.append(this.live);
    }
    this.live.append(textPart);
    this.status.textContent = 'generating…';
  }

  async finish() {
    this.status.textContent = 'done';
    try {
      const state = await this.loadFragment();
      if (state !== 'error') this.status.hidden = true;
    } catch (_) {
      this.status.textContent = 'done (reopen to see the formatted FAQ)';
    }
  }

  async explainFailure() {
    try {
      const r = await fetch(`/api/faq/${idPath(this.paper.id)}?lang=${this.lang}`,
                            { headers: { Accept: 'application/json' } });
      const d = await r.json().catch(() => null);
      if (r.ok) {
        await this.finish();
        return;
      }
      this.setError(errorText(d));
    } catch (e) {
      this.setError('The FAQ stream was interrupted; reopen the FAQ to try again.');
    }
  }

  setError(message) {
    this.status.hidden = false;
    this.status.textContent = message;
    this.status.classList.add('error');
    this.panel.classList.add('faq-failed');
  }

  close() {
    if (this.es) this.es.close();
    this.panel.remove();
  }
}

// Opens (or closes) the FAQ panel under `paper`. Returns true when it opened.
export function toggleFaq(paper, kind, lang, renderMath) {
  const open = paper.el.querySelector(':scope > .faq-panel');
  if (open) {
    open._session.close();
    return false;
  }
  new FaqSession(paper, kind, lang, renderMath).start();
  return true;
}

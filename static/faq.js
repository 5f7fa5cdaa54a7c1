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
  if (typeof d === 'number') d = String(d);
  if (d === '1') return 'done';
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

// The state of a fragment returned by POST /kimi (div.faq[data-state], the /arxiv/progress
// text): 'running' while queued or generating (pending:<n>, loading:<percent>), 'done' when
// complete ("1"), else 'final' (failed:<why>, no API key, rate limited: the note says why).
function fragmentState(body) {
  const root = body.querySelector('.faq[data-state], [data-state]');
  const st = root ? root.dataset.state : '';
  if (/^(pending|loading|queued)/.test(st)) return 'running';
  if (st === '1' || st === 'complete' || st === 'done') return 'done';
  return 'final';
}

// The version named by the page address (/arxiv/<id>vN) when it is `id`'s page, else 0: such a
// page shows that version's FAQ.
function versionFromLocation(id) {
  const m = /^\/arxiv\/(.+)v(\d+)$/.exec(decodeURIComponent(window.location.pathname || ''));
  return m && m[1] === id ? parseInt(m[2], 10) : 0;
}

class FaqSession {
  constructor(paper, kind, lang, renderMath) {
    this.paper = paper;
    this.kind = kind;
    this.lang = lang;
    this.renderMath = renderMath;
    this.version = kind === 'arxiv' ? versionFromLocation(paper.id) : 0;  // 0: the server's choice
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

  // The paper as the FAQ routes take it: "<id>" or "<id>v<N>" for one version's FAQ.
  paperParam() {
    return this.version ? `${this.paper.id}v${this.version}` : this.paper.id;
  }

  kimiUrl() {
    return `/${this.kind}/kimi?paper=${encodeURIComponent(this.paperParam())}&lang=${this.lang}`;
  }

  async start() {
    this.paper.el.append(this.panel);
    await this.run();
  }

  // A FAQ of an earlier version comes with "Regenerate for vN": that asks for vN's FAQ.
  wireRegenerate() {
    const regen = this.body.querySelector('button.faq-regenerate[data-version]');
    if (!regen) return;
    regen.addEventListener('click', () => {
      this.version = parseInt(regen.dataset.version, 10) || 0;
      this.body.replaceChildren();
      this.panel.classList.remove('faq-failed');
      this.status.hidden = false;
      this.status.textContent = 'asking the server…';
      this.run();
    });
  }

  async run() {
    let state = '';
    try {
      state = await this.loadFragment();
    } catch (e) {
      this.setError(`The FAQ service is unreachable (${e.message}). Try again later.`);
      return;
    }
    if (state === 'done') {
      this.status.textContent = '';
      this.status.hidden = true;
      return;
    }
    if (state !== 'running') {
      this.status.hidden = true;
      this.panel.classList.add('faq-failed');
      return;
    }
    const root = this.body.querySelector('.faq[data-state]');
    this.status.textContent = progressText(root ? root.dataset.state : '');
    this.follow();
  }

  async loadFragment() {
    const r = await fetch(this.kimiUrl(), { method: 'POST', headers: { Accept: 'text/html' } });
    const type = r.headers.get('content-type') || '';
    if (type.includes('json')) {
      const d = await r.json().catch(() => null);
      if (!r.ok) {
        this.setError(errorText(d));
        return 'final';
      }
      this.body.replaceChildren();
      return 'running';
    }
    const html = await r.text();
    // Trusted: the server renders and escapes the fragment (SPEC §6).
    this.body.innerHTML = html;
    this.renderMath(this.body);
    this.wireRegenerate();
    if (!r.ok && !this.body.textContent.trim()) {
      this.setError(`The FAQ service answered HTTP ${r.status}. Try again later.`);
      return 'final';
    }
    return r.ok ? fragmentState(this.body) : 'final';
  }

  follow() {
    if (!window.EventSource) {
      this.status.textContent = 'generating… (reopen the FAQ later to see it)';
      return;
    }
    const url = `/api/faq/${idPath(this.paperParam())}/stream?lang=${this.lang}`;
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
    es.addEventListener('question', (e) => {
      got = true;
      this.startQuestion(parseData(e.data));
    });
    es.addEventListener('answer', (e) => {
      got = true;
      this.setAnswer(parseData(e.data));
    });
    es.addEventListener('done', (e) => {
      es.close();
      this.es = null;
      const d = parseData(e.data);
      const html = typeof d === 'string' ? d : (d && (d.html || d.text)) || '';
      if (/^\s*</.test(html)) {
        this.body.innerHTML = html;  // trusted: rendered and sanitised by the server
        this.renderMath(this.body);
        this.status.hidden = true;
      } else {
        this.finish();
      }
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

  // Index and text of an event payload: {"index": i, "text": "..."} or plain text.
  static part(d) {
    if (d && typeof d === 'object') {
      return { index: d.index ?? d.i ?? null,
               text: d.text ?? d.q ?? d.delta ?? d.content ?? d.html ?? '' };
    }
    return { index: null, text: typeof d === 'string' ? d : '' };
  }

  liveFor(index) {
    const key = index === null ? 'x' : String(index);
    let a = this.body.querySelector(`.faq-a[data-i="${key}"]`);
    if (!a) {
      a = h('div', { class: 'faq-a streaming', dataset: { i: key } });
      this.body.append(a);
    }
    return a;
  }

  startQuestion(d) {
    const { index, text } = FaqSession.part(d);
    const key = index === null ? 'x' : String(index);
    if (this.body.querySelector(`.faq-q[data-i="${key}"]`)) return;
    this.body.append(h('p', { class: 'faq-q', dataset: { i: key } }, text));
    this.liveFor(index);
  }

  setAnswer(d) {
    const { index, text } = FaqSession.part(d);
    const a = this.liveFor(index);
    a.classList.remove('streaming');
    a.innerHTML = text;  // trusted: the server's sanitised Markdown rendering
    this.renderMath(a);
  }

  appendDelta(d) {
    if (d && typeof d === 'object' && (d.index !== undefined || d.i !== undefined)) {
      const { index, text } = FaqSession.part(d);
      this.liveFor(index).append(text);
      this.status.textContent = 'generating…';
      return;
    }
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
      const r = await fetch(`/api/faq/${idPath(this.paperParam())}?lang=${this.lang}`,
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

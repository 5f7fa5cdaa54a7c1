// The inline PDF viewer opened by [PDF]: PDF.js (from /vendor/pdfjs/, installed from npm) renders
// pages lazily into canvases; when PDF.js cannot load the file (e.g. the host sends no CORS
// header) the browser's own viewer is embedded instead. A link to the original is always shown.

import { h, button } from './dom.js';

const PDFJS = '/vendor/pdfjs/build/pdf.min.mjs';
const WORKER = '/vendor/pdfjs/build/pdf.worker.min.mjs';
let pdfjsPromise = null;

function loadPdfJs() {
  if (!pdfjsPromise) {
    pdfjsPromise = import(PDFJS).then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = WORKER;
      return lib;
    });
    pdfjsPromise.catch(() => { pdfjsPromise = null; });
  }
  return pdfjsPromise;
}

function embedBrowserViewer(area, url) {
  area.replaceChildren(h('iframe', {
    class: 'pdf-frame', src: url, title: 'PDF', loading: 'lazy',
    referrerpolicy: 'no-referrer',
  }));
  area.dataset.viewer = 'browser';
}

async function renderWithPdfJs(area, url, status) {
  const lib = await loadPdfJs();
  const task = lib.getDocument({
    url,
    isEvalSupported: false,
    cMapUrl: '/vendor/pdfjs/cmaps/',
    cMapPacked: true,
    standardFontDataUrl: '/vendor/pdfjs/standard_fonts/',
  });
  area._task = task;
  const doc = await task.promise;
  status.textContent = `${doc.numPages} page${doc.numPages === 1 ? '' : 's'}`;
  area.replaceChildren();
  area.dataset.viewer = 'pdfjs';
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting || e.target.dataset.rendered) continue;
      e.target.dataset.rendered = '1';
      observer.unobserve(e.target);
      renderPage(doc, Number(e.target.dataset.page), e.target, area).catch(() => {
        e.target.textContent = `page ${e.target.dataset.page} could not be rendered`;
      });
    }
  }, { root: area, rootMargin: '400px 0px' });
  area._observer = observer;
  for (let i = 1; i <= doc.numPages; i++) {
    const holder = h('div', { class: 'pdf-page', dataset: { page: i },
                              'aria-label': `page ${i}` });
    area.append(holder);
    observer.observe(holder);
  }
}

async function renderPage(doc, n, holder, area) {
  const page = await doc.getPage(n);
  const width = Math.max(200, area.clientWidth - 16);
  const base = page.getViewport({ scale: 1 });
  const scale = width / base.width;
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: scale * ratio });
  const canvas = h('canvas', { class: 'pdf-canvas', width: Math.floor(viewport.width),
                               height: Math.floor(viewport.height) });
  canvas.style.width = `${Math.floor(viewport.width / ratio)}px`;
  holder.replaceChildren(canvas);
  await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
  holder.dataset.done = '1';
}

function closePanel(panel) {
  const area = panel.querySelector('.pdf-area');
  if (area && area._observer) area._observer.disconnect();
  if (area && area._task) area._task.destroy().catch(() => {});
  panel.remove();
}

// Opens (or closes, when open) the viewer below `paperEl`. Returns true when it opened.
export function togglePdfPanel(paperEl, url, viewer) {
  const open = paperEl.querySelector(':scope > .pdf-panel');
  if (open) {
    closePanel(open);
    return false;
  }
  const status = h('span', { class: 'pdf-status', role: 'status' }, 'loading…');
  const area = h('div', { class: 'pdf-area', tabindex: '0', 'aria-label': 'PDF pages' });
  const panel = h('div', { class: 'pdf-panel cp-ctl', role: 'region', 'aria-label': 'PDF viewer' },
    h('div', { class: 'pdf-bar' },
      h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'pdf-original' },
        'Open original PDF ↗'),
      status,
      button('Close', { 'aria-label': 'Close PDF viewer', class: 'cp-btn pdf-close' },
             () => closePanel(panel))),
    area);
  paperEl.append(panel);
  if (viewer === 'browser' || !url) {
    status.textContent = '';
    embedBrowserViewer(area, url);
  } else {
    renderWithPdfJs(area, url, status).catch(() => {
      if (!panel.isConnected) return;
      status.textContent = 'shown by the browser';
      embedBrowserViewer(area, url);
    });
  }
  return true;
}

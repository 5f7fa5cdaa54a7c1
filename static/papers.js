// Reads the papers of the page from the HTML contract (SPEC §3) once, before math rendering, and
// precomputes what filters and sorts need (lower-cased searchable text, counters, dates).

const COUNTER_KINDS = ['pdf', 'kimi', 'copy', 'rel'];

function text(el) { return el ? el.textContent.replace(/\s+/g, ' ').trim() : ''; }

// One record per `div.panel.paper` of the page, in page order.
export function collectPapers(root = document) {
  const panels = root.querySelectorAll('div.panel.paper[id]');
  const papers = [];
  let index = 0;
  for (const el of panels) papers.push(readPaper(el, index++));
  return papers;
}

// The record for one panel (see collectPapers).
export function readPaper(el, index = 0) {
  const titleLink = el.querySelector('h2.title a.title-link');
  const title = text(titleLink);
  const authors = [...el.querySelectorAll('p.authors a.author')].map(text);
  const summary = text(el.querySelector('p.summary'));
  const subjects = [...el.querySelectorAll('p.subjects a')].map(text).filter(Boolean);
  const dateEl = el.querySelector('p.date span.date-data') || el.querySelector('p.date');
  const dateMatch = /(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}))?/.exec(text(dateEl));
  const date = dateMatch ? `${dateMatch[1]} ${dateMatch[2] || '00:00:00'}` : '';
  const pdfEl = el.querySelector('a.title-pdf');
  const pdf = pdfEl ? (pdfEl.getAttribute('data') || pdfEl.getAttribute('href') || '') : '';
  const keywords = (el.dataset.keywords || '').split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  const clicks = {};
  let clickSum = 0;
  for (const k of COUNTER_KINDS) {
    const n = parseInt(text(el.querySelector(`sup.${k}-counter`)), 10) || 0;
    clicks[k] = n;
    clickSum += n;
  }
  return {
    id: el.id,
    el,
    index,
    title,
    href: titleLink ? titleLink.getAttribute('href') : '',
    authors,
    summary,
    subjects,
    date,
    pdf,
    keywords,
    clicks,
    clickSum,
    // Searchable text for keyword filters: title, abstract and authors, lower-cased once.
    hay: `${title}\n${summary}\n${authors.join(', ')}`.toLowerCase(),
  };
}

// Whether the page is a venue page (body#venue) rather than an arXiv one.
export function isVenuePage() { return document.body.id === 'venue'; }

// The route prefix for a paper id on this page: "arxiv" or "venue".
export function kindOf(id) {
  if (/@/.test(id)) return 'venue';
  return isVenuePage() ? 'venue' : 'arxiv';
}

// A plain-text citation block used by [Copy].
export function copyBlock(p) {
  const link = p.href ? new URL(p.href, location.href).href : location.href;
  return `${p.title}\n${p.authors.join(', ')}\n\n${p.summary}\n\n${link}\n`;
}

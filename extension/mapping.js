// Maps paper URLs and selected text to coolpapers routes (SPEC §3 /arxiv/…, /venue/…). Pure: no
// browser APIs, so it runs in the background worker, the content script and node:test alike.

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

const NEW_ID = /(\d{4}\.\d{4,5})(?:v\d+)?/;
const OLD_ID = /([a-z][a-z-]*(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?/;
const CATEGORY = /^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$/;
const ARXIV_HOSTS = /(^|\.)arxiv\.org$|^alphaxiv\.org$|^www\.alphaxiv\.org$/;
// Archives of old-style arXiv ids (archive/YYMMNNN).
const OLD_ARCHIVES = new Set(('acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn ' +
  'chem-ph cmp-lg comp-gas cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math ' +
  'math-ph mtrl-th nlin nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio q-fin quant-ph ' +
  'solv-int stat supr-con').split(' '));
const VENUE_EVENT_NAMES = {
  acl: 'ACL', emnlp: 'EMNLP', naacl: 'NAACL', eacl: 'EACL', coling: 'COLING', conll: 'CoNLL',
  findings: 'Findings', tacl: 'TACL', cl: 'CL', aacl: 'AACL', lrec: 'LREC', ws: 'WS',
};

// "http://host:port" without a trailing slash; falls back to the default for junk.
export function normalizeServer(server) {
  const s = String(server || '').trim();
  if (!s) return DEFAULT_SERVER;
  try {
    // A bare host name means https, except local addresses and explicit ports.
    const local = /^(localhost|127\.|10\.|192\.168\.|\[::1\])|:\d+/.test(s);
    const u = new URL(/^[a-z]+:\/\//i.test(s) ? s : `${local ? 'http' : 'https'}://${s}`);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return DEFAULT_SERVER;
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch (_) {
    return DEFAULT_SERVER;
  }
}

function arxivPath(pathname) {
  // /abs/<id>, /pdf/<id>[.pdf], /html/<id>[/...], /format/<id>, /overview/<id> (alphaXiv),
  // /list/<cat>/<when>
  let m = /^\/(?:abs|pdf|html|format|ps|src|papers?|overview)\/(.+?)(?:\.pdf)?\/?$/.exec(pathname);
  if (m) {
    const rest = m[1];
    const n = new RegExp(`^${NEW_ID.source}(?:/.*)?$`).exec(rest);
    if (n) return { kind: 'arxiv', id: n[1] };
    const o = new RegExp(`^${OLD_ID.source}(?:/.*)?$`).exec(rest);
    if (o) return { kind: 'arxiv', id: o[1] };
    return null;
  }
  m = /^\/list\/([^/]+)(?:\/[^/]*)?\/?$/.exec(pathname);
  if (m && CATEGORY.test(m[1])) return { kind: 'arxiv-list', id: m[1] };
  return null;
}

function openReview(u) {
  const id = u.searchParams.get('id');
  if (!id) return null;
  if (u.pathname === '/forum' || u.pathname === '/pdf' || u.pathname === '/attachment') {
    return { kind: 'venue', id: `${id}@OpenReview` };
  }
  if (u.pathname === '/group') {
    // ICLR.cc/2024/Conference -> ICLR.2024
    const g = /^([A-Za-z][\w-]*)\.cc\/(\d{4})(?:\/|$)/.exec(id);
    if (g) return { kind: 'venue-list', id: `${g[1]}.${g[2]}` };
  }
  return null;
}

function aclAnthology(pathname) {
  const path = pathname.replace(/\/+$/, '');
  // New ids 2024.acl-long.1, old ids P19-1001; paper page, .pdf, .bib
  let m = /^\/(\d{4}\.[a-z0-9]+-[a-z0-9]+\.\d+|[A-Z]\d{2}-\d{4})(?:v\d+)?(?:\.(?:pdf|bib|xml))?$/.exec(path);
  if (m) return { kind: 'venue', id: `${m[1]}@ACL` };
  m = /^\/volumes\/(\d{4})\.([a-z]+)[a-z0-9-]*$/.exec(path);
  if (m) return { kind: 'venue-list', id: `${VENUE_EVENT_NAMES[m[2]] || m[2].toUpperCase()}.${m[1]}` };
  m = /^\/events\/([a-z]+)-(\d{4})$/.exec(path);
  if (m) return { kind: 'venue-list', id: `${VENUE_EVENT_NAMES[m[1]] || m[1].toUpperCase()}.${m[2]}` };
  return null;
}

function ijcai(pathname) {
  const path = pathname.replace(/\/+$/, '');
  let m = /^\/proceedings\/(\d{4})\/(\d+)(?:\.pdf)?$/.exec(path);
  if (m) return { kind: 'venue', id: `${Number(m[2])}@${m[1]}@IJCAI` };
  m = /^\/proceedings\/(\d{4})$/.exec(path);
  if (m) return { kind: 'venue-list', id: `IJCAI.${m[1]}` };
  return null;
}

// openaccess.thecvf.com, as coolpapers' CVF import names papers: <file stem>@<CONF><year>[W]@CVF.
function cvf(pathname) {
  const path = pathname.length > 512 ? '' : pathname;
  const STEM = '([A-Za-z0-9_.+-]{1,300})\\.(?:html|pdf)';
  let m = new RegExp(`^/content/([A-Za-z]{2,8})(\\d{4})(W?)/(?:([A-Za-z0-9_.+-]{1,64})/)?(?:html|papers)/${STEM}$`).exec(path);
  if (m && !(m[3] === '' && m[4] !== undefined)) {
    const stem = m[5];
    if (stem.includes('..') || stem.startsWith('.') || (m[4] || '').includes('..')) return null;
    return { kind: 'venue', id: `${stem}@${m[1].toUpperCase()}${m[2]}${m[3]}@CVF` };
  }
  m = new RegExp(`^/content_([A-Za-z]{2,8})_(\\d{4})/(?:html|papers)/${STEM}$`).exec(path);
  if (m) {
    if (m[3].includes('..') || m[3].startsWith('.')) return null;
    return { kind: 'venue', id: `${m[3]}@${m[1].toUpperCase()}${m[2]}@CVF` };
  }
  m = /^\/([A-Za-z]{2,8})(\d{4})\/?$/.exec(path);
  if (m) return { kind: 'venue-list', id: `${m[1].toUpperCase()}.${m[2]}` };
  return null;
}

function pmlr(pathname) {
  // /v235/smith24a.html, /v235/smith24a/smith24a.pdf
  const m = /^\/(v\d+)\/([A-Za-z0-9_-]+?)(?:\.html|\/\2\.pdf|\.pdf)?\/?$/.exec(pathname);
  if (m) return { kind: 'venue', id: `${m[2]}@${m[1]}@PMLR` };
  return null;
}

function huggingFace(pathname) {
  const m = new RegExp(`^/papers/${NEW_ID.source}/?$`).exec(pathname);
  if (m) return { kind: 'arxiv', id: m[1] };
  return null;
}

function coolPapers(pathname) {
  const m = /^\/(arxiv|venue)\/(.+?)\/?$/.exec(pathname);
  if (!m || m[2] === 'search' || m[2].endsWith('/feed')) return null;
  return { kind: `${m[1]}-path`, id: m[2] };
}

// The paper (or list) a URL points at: {kind, id} with kind arxiv | venue | arxiv-list |
// venue-list | arxiv-path | venue-path, or null when the URL is not a known paper URL.
export function parseUrl(url) {
  let u;
  try {
    u = new URL(String(url).trim());
  } catch (_) {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const host = u.hostname.toLowerCase().replace(/^www\./, '');
  let path = u.pathname;
  try { path = decodeURIComponent(path); } catch (_) { /* keep raw */ }
  if (ARXIV_HOSTS.test(host) || host === 'export.arxiv.org') return arxivPath(path);
  if (host === 'openreview.net') return openReview(u);
  if (host === 'aclanthology.org' || host === 'aclweb.org') {
    return aclAnthology(path.replace(/^\/anthology/, ''));
  }
  if (host === 'ijcai.org') return ijcai(path);
  if (host === 'proceedings.mlr.press') return pmlr(path);
  if (host === 'openaccess.thecvf.com') return cvf(path);
  if (host === 'huggingface.co' || host === 'hf.co') return huggingFace(path);
  if (host === 'papers.cool') return coolPapers(path);
  if (host === 'semanticscholar.org' || host === 'api.semanticscholar.org') {
    // Semantic Scholar's arXiv links: /arxiv/<id>
    return path.startsWith('/arxiv/') ? arxivPath(`/abs/${path.slice(7)}`) : null;
  }
  if (host === 'doi.org' || host === 'dx.doi.org') {
    // arXiv's DOIs: /10.48550/arXiv.<id>
    const d = /^\/10\.48550\/arxiv\.(.+?)\/?$/i.exec(path);
    return d ? arxivPath(`/abs/${d[1]}`) : null;
  }
  return null;
}

// The local route for a parsed reference.
export function routeFor(ref) {
  switch (ref.kind) {
    case 'arxiv':
    case 'arxiv-list':
    case 'arxiv-path':
      return `/arxiv/${ref.id}`;
    case 'venue':
    case 'venue-list':
    case 'venue-path':
      return `/venue/${ref.id}`;
    default:
      return null;
  }
}

// The local route for a URL ('/arxiv/2402.12354'), or null.
export function mapUrl(url) {
  const ref = parseUrl(url);
  return ref ? routeFor(ref) : null;
}

// Every paper reference in free text, in order, de-duplicated: URLs of the supported sites,
// arXiv ids (new and old style, with or without "arXiv:"), without versions.
export function idsFromText(textValue) {
  const out = [];
  const seen = new Set();
  const add = (ref) => {
    if (!ref || (ref.kind !== 'arxiv' && ref.kind !== 'venue')) return;
    const key = `${ref.kind}:${ref.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(ref);
  };
  const textValue2 = String(textValue || '');
  const found = [];
  for (const m of textValue2.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) {
    found.push({ at: m.index, end: m.index + m[0].length, ref: parseUrl(m[0].replace(/[.,;:]+$/, '')) });
  }
  const inUrl = (i) => found.some((f) => i >= f.at && i < f.end);
  const re = /(?<![\w.\/-])(?:arxiv:\s*)?(?:(\d{4}\.\d{4,5})|([a-z][a-z-]*)(\.[A-Z]{2})?\/(\d{7}))(?:v\d+)?(?![\d.]?\d)/gi;
  for (const m of textValue2.matchAll(re)) {
    if (inUrl(m.index)) continue;
    if (m[1]) found.push({ at: m.index, ref: { kind: 'arxiv', id: m[1] } });
    else if (OLD_ARCHIVES.has(m[2].toLowerCase())) {
      const id = `${m[2].toLowerCase()}${m[3] ? m[3].toUpperCase() : ''}/${m[4]}`;
      found.push({ at: m.index, ref: { kind: 'arxiv', id } });
    }
  }
  found.sort((x, y) => x.at - y.at);
  for (const f of found) add(f.ref);
  return out;
}

// The coolpapers URLs to open for a context-menu click: the link, else the selection, else the
// page. Several ids open as one comma list; no id falls back to a search of the selected words.
export function targetsFor({ linkUrl = '', selectionText = '', pageUrl = '' } = {}, server = DEFAULT_SERVER) {
  const base = normalizeServer(server);
  if (linkUrl) {
    const r = mapUrl(linkUrl);
    if (r) return [base + r];
  }
  const text = String(selectionText || '').trim();
  if (text) {
    const refs = idsFromText(text);
    const arxiv = refs.filter((r) => r.kind === 'arxiv').map((r) => r.id);
    const venue = refs.filter((r) => r.kind === 'venue').map((r) => r.id);
    const urls = [];
    if (arxiv.length) urls.push(`${base}/arxiv/${arxiv.join(',')}`);
    if (venue.length) urls.push(`${base}/venue/${venue.join(',')}`);
    if (urls.length) return urls;
    const words = text.replace(/\s+/g, ' ').slice(0, 300);
    return [`${base}/arxiv/search?query=${encodeURIComponent(words)}`];
  }
  if (pageUrl) {
    const r = mapUrl(pageUrl);
    if (r) return [base + r];
  }
  if (linkUrl) return [`${base}/redirect?url=${encodeURIComponent(linkUrl)}`];
  return [];
}

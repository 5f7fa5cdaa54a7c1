// Reader state kept in localStorage (SPEC §7: no account). Each kind of state has its own key so
// two tabs writing different things never overwrite each other.

const PREFIX = 'coolpapers.';

export const DEFAULT_SETTINGS = Object.freeze({
  theme: 'auto',          // auto | light | dark
  faqLang: (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en',
  include: '',            // keywords, one per line
  mode: 'or',             // or | and
  exclude: '',            // keywords, one per line
  onlyMatching: false,    // hide papers that do not match the include keywords
  highlight: true,        // <mark> keyword matches
  prefs: '',              // preference keywords for the ❤ sort, one per line
  followCats: [],         // categories followed from a subject's (+)
  excludeCats: [],        // categories excluded from a subject's (−)
  autoStar: true,         // opening a PDF or FAQ also stars the paper
  fold: false,            // abstracts folded by default
  sort: 'default',        // default | stars | prefs | time
  pdfViewer: 'pdfjs',     // pdfjs | browser
  tldr: true,             // one-line TL;DR under titles of papers with a FAQ
  descLang: 'off',        // titles and abstracts also shown in: off | zh | ja | ko | fr | de | es ...
});

function read(name, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + name);
    if (raw === null) return fallback;
    const v = JSON.parse(raw);
    return v && typeof v === 'object' ? v : fallback;
  } catch (_) {
    return fallback;
  }
}

function write(name, value) {
  try {
    localStorage.setItem(PREFIX + name, JSON.stringify(value));
  } catch (_) { /* storage full or disabled: state lives for this page only */ }
}

// The reader's settings, merged over the defaults.
export function loadSettings() {
  const s = { ...DEFAULT_SETTINGS, ...read('settings', {}) };
  if (!Array.isArray(s.followCats)) s.followCats = [];
  if (!Array.isArray(s.excludeCats)) s.excludeCats = [];
  return s;
}

export function saveSettings(s) { write('settings', s); }

// Stars: {id: {id, title, authors[], date, pdf, subjects[], kind, starred}}.
export function loadStars() { return read('stars', {}); }
export function saveStars(stars) { write('stars', stars); }

// Read marks: {id: timestamp-ms}.
export function loadRead() { return read('read', {}); }
export function saveRead(marks) { write('read', marks); }

// Word cloud of opened papers: {word: weight}.
export function loadCloud() { return read('cloud', {}); }
export function saveCloud(cloud) { write('cloud', cloud); }

// Calls fn(name) when another tab changes one of our keys.
export function onExternalChange(fn) {
  window.addEventListener('storage', (e) => {
    if (e.key && e.key.startsWith(PREFIX)) fn(e.key.slice(PREFIX.length));
  });
}

// BibTeX and JSON export of starred papers, generated in the browser from the data kept with
// each star (title, authors, date, categories, links).

const LATEX_SPECIALS = { '&': '\\&', '%': '\\%', '#': '\\#', '_': '\\_' };

function clean(s) {
  // Keep TeX math as is; escape the characters that break BibTeX fields outside math.
  let out = '';
  let inMath = false;
  for (const ch of String(s || '')) {
    if (ch === '$') inMath = !inMath;
    if (!inMath && LATEX_SPECIALS[ch]) out += LATEX_SPECIALS[ch];
    else if (ch === '{' || ch === '}') out += inMath ? ch : '';
    else out += ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}

function lastName(author) {
  const parts = String(author || '').trim().split(/\s+/);
  return parts.length ? parts[parts.length - 1] : '';
}

function keyFor(star, used) {
  const who = lastName(star.authors && star.authors[0]).normalize('NFD')
    .replace(/[^A-Za-z]/g, '').toLowerCase() || 'paper';
  const year = (star.date || '').slice(0, 4) || 'nd';
  const word = (String(star.title || '').toLowerCase().match(/[a-z]{4,}/) || ['x'])[0];
  let key = `${who}${year}${word}`;
  for (let i = 2; used.has(key); i++) key = `${who}${year}${word}${i}`;
  used.add(key);
  return key;
}

function isArxivId(id) {
  return /^\d{4}\.\d{4,5}(v\d+)?$/.test(id) || /^[a-z-]+(\.[A-Z]{2})?\/\d{7}(v\d+)?$/.test(id);
}

// One @misc (arXiv) or @inproceedings (venue) entry per star.
export function toBibtex(stars, origin = location.origin) {
  const used = new Set();
  const entries = [];
  for (const s of stars) {
    const fields = [];
    fields.push(['title', `{${clean(s.title)}}`]);  // double braces keep capitalisation
    if (s.authors && s.authors.length) fields.push(['author', s.authors.map(clean).join(' and ')]);
    if (s.date) fields.push(['year', s.date.slice(0, 4)]);
    let type = 'misc';
    if (isArxivId(s.id)) {
      fields.push(['eprint', s.id]);
      fields.push(['archivePrefix', 'arXiv']);
      if (s.subjects && s.subjects[0]) fields.push(['primaryClass', s.subjects[0]]);
      fields.push(['url', `https://arxiv.org/abs/${s.id}`]);
    } else {
      type = 'inproceedings';
      const venue = String(s.id).split('@').slice(1).join(' ');
      if (venue) fields.push(['booktitle', clean(venue)]);
      fields.push(['url', `${origin}/venue/${s.id}`]);
    }
    const body = fields.map(([k, v]) => `  ${k} = {${v}}`);
    entries.push(`@${type}{${keyFor(s, used)},\n${body.join(',\n')}\n}`);
  }
  return entries.join('\n\n') + (entries.length ? '\n' : '');
}

// The JSON export document; fromJson() reads it back.
export function toJson(stars, read = {}) {
  return JSON.stringify({
    format: 'coolpapers-stars',
    version: 1,
    exported: new Date().toISOString(),
    stars,
    read,
  }, null, 2);
}

// Parses an export (ours, or a bare array of ids/objects). Returns {stars: [..], read: {..}} or
// throws an Error whose message says what is wrong.
export function fromJson(textValue) {
  let doc;
  try {
    doc = JSON.parse(textValue);
  } catch (e) {
    throw new Error(`not JSON (${e.message}); choose a file exported with "Export JSON"`);
  }
  const list = Array.isArray(doc) ? doc : (doc && Array.isArray(doc.stars) ? doc.stars : null);
  if (!list) throw new Error('no "stars" list in this file; choose a file exported with "Export JSON"');
  const stars = [];
  for (const item of list) {
    const s = typeof item === 'string' ? { id: item } : item;
    if (!s || typeof s.id !== 'string' || !s.id.trim()) continue;
    stars.push({
      id: s.id.trim(),
      title: typeof s.title === 'string' ? s.title : '',
      authors: Array.isArray(s.authors) ? s.authors.filter((a) => typeof a === 'string') : [],
      date: typeof s.date === 'string' ? s.date : '',
      pdf: typeof s.pdf === 'string' ? s.pdf : '',
      subjects: Array.isArray(s.subjects) ? s.subjects.filter((a) => typeof a === 'string') : [],
      starred: Number(s.starred) || Date.now(),
    });
  }
  const read = doc && typeof doc.read === 'object' && !Array.isArray(doc.read) ? doc.read : {};
  return { stars, read };
}

// The shareable URL listing the starred papers: /arxiv/<id>,<id> (venue ids under /venue/).
export function shareUrls(stars, origin = location.origin) {
  const arxiv = stars.filter((s) => !s.id.includes('@')).map((s) => s.id);
  const venue = stars.filter((s) => s.id.includes('@')).map((s) => s.id);
  const urls = [];
  if (arxiv.length) urls.push(`${origin}/arxiv/${arxiv.join(',')}`);
  if (venue.length) urls.push(`${origin}/venue/${venue.join(',')}`);
  return urls;
}

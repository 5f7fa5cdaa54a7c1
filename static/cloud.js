// The reader's word cloud: words from the titles and keywords of papers they opened (PDF, FAQ,
// title link). It feeds the ❤ sort when no preference keywords are set and the "Track" view.

const STOP = new Set(('a an and are as at be by can for from has have how in into is it its of on ' +
  'or our that the their this to towards via we what when which with without using based new ' +
  'learning model models approach method methods paper study toward through under over all ' +
  'not one two more than these those also both such use used while within large data task tasks ' +
  'via vs versus about across after before between beyond during against among up out do does').split(' '));

// The words a paper contributes: its keywords (weight 2) and its title words (weight 1).
export function wordsOf(paper) {
  const out = new Map();
  for (const k of paper.keywords || []) {
    const w = k.toLowerCase().trim();
    if (w.length >= 3) out.set(w, (out.get(w) || 0) + 2);
  }
  const title = (paper.title || '').replace(/\$[^$]*\$/g, ' ').toLowerCase();
  for (const w of title.match(/[\p{L}\p{N}][\p{L}\p{N}-]*[\p{L}\p{N}]/gu) || []) {
    if (w.length < 3 || STOP.has(w) || /^\d+$/.test(w)) continue;
    out.set(w, (out.get(w) || 0) + 1);
  }
  return out;
}

// Adds a paper's words to the cloud (mutates and returns it); keeps at most 500 words.
export function addToCloud(cloud, paper) {
  for (const [w, n] of wordsOf(paper)) cloud[w] = (cloud[w] || 0) + n;
  const entries = Object.entries(cloud);
  if (entries.length > 500) {
    entries.sort((a, b) => b[1] - a[1]);
    for (const [w] of entries.slice(500)) delete cloud[w];
  }
  return cloud;
}

// The `n` heaviest words as [word, weight] pairs.
export function topWords(cloud, n = 20) {
  return Object.entries(cloud).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

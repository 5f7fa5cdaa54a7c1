// Sorting the papers of a list: page order, ★ site-wide clicks, ❤ reader preferences, and time.
// Papers are reordered inside the container they were rendered in (sections stay intact); each
// panel keeps an invisible anchor at its original place so page order can be restored exactly.

// Puts a comment anchor before every panel (once).
export function anchorPapers(papers) {
  for (const p of papers) {
    if (p.anchor) continue;
    p.anchor = document.createComment(`paper ${p.id}`);
    p.el.before(p.anchor);
  }
}

function byPageOrder(a, b) { return a.index - b.index; }

// Comparators for each sort mode; `score` gives the ❤ preference score of a paper.
export function comparator(mode, score) {
  switch (mode) {
    case 'stars':
      return (a, b) => (b.clickSum - a.clickSum) || byPageOrder(a, b);
    case 'prefs':
      return (a, b) => (score(b) - score(a)) || byPageOrder(a, b);
    case 'time':
      return (a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : byPageOrder(a, b));
    default:
      return byPageOrder;
  }
}

// Reorders the panels in place according to `mode`.
export function applySort(papers, mode, score) {
  anchorPapers(papers);
  if (mode === 'default') {
    for (const p of papers) p.anchor.after(p.el);
    return;
  }
  // Slots = the anchors of each container in page order; fill them with the sorted papers.
  const groups = new Map();
  for (const p of papers) {
    const parent = p.anchor.parentNode;
    if (!groups.has(parent)) groups.set(parent, []);
    groups.get(parent).push(p);
  }
  const cmp = comparator(mode, score);
  for (const list of groups.values()) {
    const slots = list.map((p) => p.anchor);
    const sorted = [...list].sort(cmp);
    sorted.forEach((p, i) => slots[i].after(p.el));
  }
}

// ❤ score: preference keywords (title matches count double) or, without any, the reader's
// word-cloud weights.
export function preferenceScorer(prefTerms, cloudTop) {
  if (prefTerms.length) {
    return (p) => {
      const title = p.title.toLowerCase();
      let s = 0;
      for (const t of prefTerms) if (p.hay.includes(t)) s += title.includes(t) ? 2 : 1;
      return s;
    };
  }
  return (p) => {
    let s = 0;
    for (const [w, weight] of cloudTop) if (p.hay.includes(w)) s += weight;
    return s;
  };
}

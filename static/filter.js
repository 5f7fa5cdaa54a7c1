// Keyword filters (include one-per-line with OR/AND, exclude, excluded categories) over the
// precomputed lower-cased text of each paper. Matching is plain substring search on
// already-lower-cased strings, so a 1,000-paper page filters in a few milliseconds.

// One keyword per line (commas also separate), lower-cased, de-duplicated.
export function parseTerms(textValue) {
  const seen = new Set();
  for (const raw of String(textValue || '').split(/[\n,]/)) {
    const t = raw.trim().toLowerCase();
    if (t) seen.add(t);
  }
  return [...seen];
}

// Decides one paper: {hidden, match} where `match` is true when include terms exist and match.
// `q` = {include[], mode, exclude[], excludeCats:Set, onlyMatching, quick[], hideRead?:Set of ids}.
export function judge(paper, q) {
  if (q.hideRead && q.hideRead.has(paper.id)) return { hidden: true, match: false, why: 'read' };
  const hay = paper.hay;
  for (const t of q.exclude) if (hay.includes(t)) return { hidden: true, match: false, why: 'keyword' };
  if (q.excludeCats.size && paper.subjects.length &&
      paper.subjects.some((c) => q.excludeCats.has(c))) {
    return { hidden: true, match: false, why: 'category' };
  }
  for (const t of q.quick) if (!hay.includes(t)) return { hidden: true, match: false, why: 'search' };
  let match = false;
  if (q.include.length) {
    match = q.mode === 'and' ? q.include.every((t) => hay.includes(t))
                             : q.include.some((t) => hay.includes(t));
  }
  const hidden = q.onlyMatching && q.include.length > 0 && !match;
  return { hidden, match, why: hidden ? 'nomatch' : '' };
}

// Builds the query object judge() takes from the settings and the in-page search box.
export function buildQuery(settings, quickText = '') {
  return {
    include: parseTerms(settings.include),
    mode: settings.mode === 'and' ? 'and' : 'or',
    exclude: parseTerms(settings.exclude),
    excludeCats: new Set(settings.excludeCats || []),
    onlyMatching: !!settings.onlyMatching,
    quick: String(quickText || '').toLowerCase().split(/\s+/).filter(Boolean),
  };
}

// Terms to highlight for a query (include keywords and in-page search words).
export function highlightTerms(q, settings) {
  if (!settings.highlight) return q.quick;
  return [...q.include, ...q.quick];
}

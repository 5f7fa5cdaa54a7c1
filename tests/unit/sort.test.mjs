// Unit tests of static/sort.js, run with `node --test`. The comparators and scorers are pure;
// applySort moves DOM nodes, so it runs here against a minimal stand-in for the few DOM calls
// it makes (createComment, before, after, parentNode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparator, preferenceScorer, applySort, anchorPapers } from '../../static/sort.js';

function paper(index, fields = {}) {
  return { id: `p${index}`, index, clickSum: 0, date: '2026-01-01', title: '', hay: '', ...fields };
}
const ids = (list) => list.map((p) => p.id);

test('comparator: default and unknown modes keep page order', () => {
  const papers = [paper(2), paper(0), paper(1)];
  assert.deepEqual(ids([...papers].sort(comparator('default'))), ['p0', 'p1', 'p2']);
  assert.deepEqual(ids([...papers].sort(comparator('no-such-mode'))), ['p0', 'p1', 'p2']);
  assert.deepEqual([].sort(comparator('stars')), []);
});

test('comparator: stars sorts by clicks, ties in page order', () => {
  const papers = [paper(0, { clickSum: 3 }), paper(1, { clickSum: 9 }), paper(2, { clickSum: 3 }),
    paper(3, { clickSum: 0 }), paper(4, { clickSum: 9 })];
  assert.deepEqual(ids(papers.sort(comparator('stars'))), ['p1', 'p4', 'p0', 'p2', 'p3']);
});

test('comparator: time puts the newest first, ties in page order', () => {
  const papers = [paper(0, { date: '2026-01-02' }), paper(1, { date: '2026-03-01' }),
    paper(2, { date: '2026-01-02' }), paper(3, { date: '2025-12-31 23:59:59' })];
  assert.deepEqual(ids(papers.sort(comparator('time'))), ['p1', 'p0', 'p2', 'p3']);
});

test('comparator: prefs uses the score, ties in page order', () => {
  const score = (p) => ({ p0: 1, p1: 5, p2: 1, p3: 5 })[p.id];
  const papers = [paper(3), paper(2), paper(1), paper(0)];
  assert.deepEqual(ids(papers.sort(comparator('prefs', score))), ['p1', 'p3', 'p0', 'p2']);
});

test('preferenceScorer: keywords count once in the text and twice in the title', () => {
  const score = preferenceScorer(['graph', 'llm'], [['ignored', 100]]);
  assert.equal(score({ title: 'Graph methods', hay: 'graph methods llm' }), 3);
  assert.equal(score({ title: 'Other', hay: 'graph llm' }), 2);
  assert.equal(score({ title: 'Über', hay: 'über' }), 0);
});

test('preferenceScorer: without keywords, the word cloud weights; empty cloud scores 0', () => {
  const score = preferenceScorer([], [['diffusion', 4], ['über', 2], ['image', 1]]);
  assert.equal(score({ title: 'x', hay: 'diffusion for image synthesis über alles' }), 7);
  assert.equal(preferenceScorer([], [])({ title: 'x', hay: 'anything' }), 0);
});

// ---- applySort with a minimal DOM stand-in ----

// A parent whose children are nodes with before/after, as much of the DOM as sort.js uses.
class FakeParent {
  constructor() { this.children = []; }
  append(node) { node.parentNode = this; this.children.push(node); }
  insert(node, at) {
    const from = this.children.indexOf(node);
    if (from >= 0) this.children.splice(from, 1);
    if (from >= 0 && from < at) at -= 1;
    node.parentNode = this;
    this.children.splice(at, 0, node);
  }
}
function fakeNode(name) {
  return {
    name,
    parentNode: null,
    before(n) { this.parentNode.insert(n, this.parentNode.children.indexOf(this)); },
    after(n) { this.parentNode.insert(n, this.parentNode.children.indexOf(this) + 1); },
  };
}

test('applySort: sorts within each container and restores page order exactly', () => {
  globalThis.document = { createComment: (text) => fakeNode(`#${text}`) };
  try {
    const sectionA = new FakeParent();
    const sectionB = new FakeParent();
    const papers = [paper(0, { clickSum: 1 }), paper(1, { clickSum: 5 }), paper(2, { clickSum: 3 }),
      paper(3, { clickSum: 9 })];
    for (const p of papers) {
      p.el = fakeNode(p.id);
      (p.index < 2 ? sectionA : sectionB).append(p.el);
    }
    const order = (s) => s.children.map((n) => n.name).filter((n) => !n.startsWith('#'));
    applySort(papers, 'stars');
    assert.deepEqual(order(sectionA), ['p1', 'p0']);  // sections stay intact
    assert.deepEqual(order(sectionB), ['p3', 'p2']);
    anchorPapers(papers);  // anchors are made once
    assert.equal(sectionA.children.length + sectionB.children.length, 8);
    applySort(papers, 'default');
    assert.deepEqual(order(sectionA), ['p0', 'p1']);
    assert.deepEqual(order(sectionB), ['p2', 'p3']);
  } finally {
    delete globalThis.document;
  }
});

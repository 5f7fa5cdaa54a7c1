// Unit tests of static/filter.js (pure: no DOM), run with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTerms, judge, buildQuery, highlightTerms } from '../../static/filter.js';

// A paper as the page prepares it: lower-cased searchable text and its categories.
function paper(hay, subjects = ['cs.CL']) {
  return { hay: hay.toLowerCase(), subjects };
}

test('parseTerms: empty, null and blank input give no terms', () => {
  assert.deepEqual(parseTerms(''), []);
  assert.deepEqual(parseTerms(null), []);
  assert.deepEqual(parseTerms(undefined), []);
  assert.deepEqual(parseTerms(' \n , \n\t'), []);
});

test('parseTerms: lines and commas separate, terms are trimmed, lower-cased, de-duplicated', () => {
  assert.deepEqual(parseTerms('Graph Neural,  LLM \nllm\n\nDiffusion,graph neural'),
    ['graph neural', 'llm', 'diffusion']);
});

test('parseTerms: keeps odd keyword syntax literally (no regex, no quoting)', () => {
  assert.deepEqual(parseTerms('"exact phrase"\nC++\n(a|b)\n.*\n$\\alpha$'),
    ['"exact phrase"', 'c++', '(a|b)', '.*', '$\\alpha$']);
  // Only plain substring matching: a regex-looking term matches itself, nothing else.
  const q = buildQuery({ include: '.*', onlyMatching: true });
  assert.equal(judge(paper('any title'), q).hidden, true);
  assert.equal(judge(paper('greedy .* pattern'), q).hidden, false);
});

test('parseTerms: unicode terms are lower-cased and matched', () => {
  assert.deepEqual(parseTerms('ÜBER\n大语言模型\nÉtude'), ['über', '大语言模型', 'étude']);
  const q = buildQuery({ include: '大语言模型\nÉTUDE' });
  assert.equal(judge(paper('一个 大语言模型 的评测'), q).match, true);
  assert.equal(judge(paper('Étude des réseaux'), q).match, true);
  assert.equal(judge(paper('nothing here'), q).match, false);
});

test('buildQuery: defaults for missing settings; mode is "or" unless exactly "and"', () => {
  const q = buildQuery({});
  assert.deepEqual(q.include, []);
  assert.deepEqual(q.exclude, []);
  assert.equal(q.mode, 'or');
  assert.equal(q.excludeCats.size, 0);
  assert.equal(q.onlyMatching, false);
  assert.deepEqual(q.quick, []);
  assert.equal(buildQuery({ mode: 'AND' }).mode, 'or');
  assert.equal(buildQuery({ mode: 'and' }).mode, 'and');
  assert.deepEqual(buildQuery({}, '  Graph   NEURAL ').quick, ['graph', 'neural']);
});

test('judge: include terms with OR and AND', () => {
  const p = paper('Graph neural networks for molecules');
  assert.equal(judge(p, buildQuery({ include: 'graph\ntransformer' })).match, true);
  assert.equal(judge(p, buildQuery({ include: 'graph\ntransformer', mode: 'and' })).match, false);
  assert.equal(judge(p, buildQuery({ include: 'graph\nmolecules', mode: 'and' })).match, true);
  // No include terms: nothing matches and nothing is hidden, even with onlyMatching.
  assert.deepEqual(judge(p, buildQuery({ onlyMatching: true })), { hidden: false, match: false, why: '' });
});

test('judge: exclusion wins over a match, and says why', () => {
  const p = paper('Graph neural networks survey', ['cs.LG', 'stat.ML']);
  const both = buildQuery({ include: 'graph', exclude: 'survey' });
  assert.deepEqual(judge(p, both), { hidden: true, match: false, why: 'keyword' });
  const cat = buildQuery({ include: 'graph', excludeCats: ['stat.ML'] });
  assert.deepEqual(judge(p, cat), { hidden: true, match: false, why: 'category' });
  // A paper without categories is never hidden by a category exclusion.
  assert.equal(judge(paper('graph', []), cat).hidden, false);
});

test('judge: the in-page search hides papers missing any word; onlyMatching hides non-matches', () => {
  const p = paper('Diffusion models for image synthesis');
  assert.deepEqual(judge(p, buildQuery({}, 'image diffusion')), { hidden: false, match: false, why: '' });
  assert.deepEqual(judge(p, buildQuery({}, 'image audio')), { hidden: true, match: false, why: 'search' });
  const only = buildQuery({ include: 'transformer', onlyMatching: true });
  assert.deepEqual(judge(p, only), { hidden: true, match: false, why: 'nomatch' });
});

test('highlightTerms: include terms only when highlighting is on; search words always', () => {
  const q = buildQuery({ include: 'graph\nllm' }, 'survey');
  assert.deepEqual(highlightTerms(q, { highlight: true }), ['graph', 'llm', 'survey']);
  assert.deepEqual(highlightTerms(q, { highlight: false }), ['survey']);
  assert.deepEqual(highlightTerms(buildQuery({}), {}), []);
});

test('judge: papers in hideRead ("unread only") are hidden before any keyword rule', () => {
  const q = buildQuery({ include: 'speech' });
  const read = { ...paper('speech recognition'), id: '2607.00002' };
  const unread = { ...paper('speech synthesis'), id: '2607.00003' };
  q.hideRead = new Set(['2607.00002']);
  assert.deepEqual(judge(read, q), { hidden: true, match: false, why: 'read' });
  assert.equal(judge(unread, q).hidden, false);
  assert.equal(judge(unread, q).match, true);
  q.hideRead = null;
  assert.equal(judge(read, q).hidden, false);
});

// Unit tests of static/cloud.js (pure: no DOM), run with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordsOf, addToCloud, topWords } from '../../static/cloud.js';

test('wordsOf: empty paper gives no words', () => {
  assert.deepEqual([...wordsOf({})], []);
  assert.deepEqual([...wordsOf({ title: '', keywords: [] })], []);
  assert.deepEqual([...wordsOf({ title: '$x^2$ of the and 2024 42' })], []);  // math, stop words, numbers
});

test('wordsOf: keywords weigh 2, title words 1; both add up; short words are dropped', () => {
  const words = wordsOf({ title: 'A Survey on Retrieval', keywords: [' Survey ', 'LLM', 'ai'] });
  assert.deepEqual(Object.fromEntries(words), { survey: 3, llm: 2, retrieval: 1 });
});

test('wordsOf: TeX math is skipped, hyphenated words and unicode letters are kept', () => {
  const words = wordsOf({
    title: 'Über-Networks: $\\alpha$-Divergence in GPT-4, Résumé Parsing and 大语言模型 -dash-',
  });
  assert.deepEqual(Object.fromEntries(words), {
    'über-networks': 1, divergence: 1, 'gpt-4': 1, 'résumé': 1, parsing: 1, '大语言模型': 1,
    dash: 1,
  });
});

test('addToCloud: accumulates over papers and returns the same object', () => {
  const cloud = {};
  assert.equal(addToCloud(cloud, { title: 'Graph retrieval', keywords: ['graph'] }), cloud);
  addToCloud(cloud, { title: 'Graph kernels' });
  assert.deepEqual(cloud, { graph: 4, retrieval: 1, kernels: 1 });
});

test('addToCloud: keeps at most 500 words, dropping the lightest', () => {
  const cloud = {};
  for (let i = 0; i < 500; i++) cloud[`word${i}`] = 1;
  cloud.word0 = 5;
  addToCloud(cloud, { title: '', keywords: ['fresh'] });
  assert.equal(Object.keys(cloud).length, 500);
  assert.equal(cloud.fresh, 2);
  assert.equal(cloud.word0, 5);
  assert.equal(cloud.word499, undefined);  // one of the lightest made room
});

test('topWords: heaviest first, ties alphabetical, at most n', () => {
  const cloud = { beta: 2, alpha: 2, gamma: 5, delta: 1, 'über': 2 };
  assert.deepEqual(topWords(cloud, 3), [['gamma', 5], ['alpha', 2], ['beta', 2]]);
  assert.deepEqual(topWords(cloud).map(([w]) => w), ['gamma', 'alpha', 'beta', 'über', 'delta']);
  assert.deepEqual(topWords(cloud, 0), []);
  assert.deepEqual(topWords({}), []);
});

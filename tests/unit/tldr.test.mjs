// Unit tests of static/tldr.js: which ids the next /api/tldr request asks for, and which entries
// of its answer are shown. (The sentence itself is extracted by the server: web/tldr.h.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextBatch, tldrEntries, TLDR_BATCH } from '../../static/tldr.js';

test('nextBatch: in order, each id once across batches, at most max per batch', () => {
  const asked = new Set(['b']);
  const wanted = ['a', 'b', 'c', 'a', 'd', 'e'];
  assert.deepEqual(nextBatch(wanted, asked, 2), ['a', 'c']);
  assert.deepEqual(nextBatch(wanted, asked, 2), ['d', 'e']);
  assert.deepEqual(nextBatch(wanted, asked, 2), []);
  assert.deepEqual([...asked].sort(), ['a', 'b', 'c', 'd', 'e']);
  const many = Array.from({ length: 120 }, (_, i) => `2607.${String(i).padStart(5, '0')}`);
  assert.equal(nextBatch(many, new Set()).length, TLDR_BATCH);
  assert.ok(TLDR_BATCH <= 100, 'the server accepts at most 100 ids');
});

test('tldrEntries: usable entries only, text trimmed, TeX untouched', () => {
  const m = tldrEntries({ lang: 'en', tldr: {
    '2607.00001': { text: ' Sparse attention in $O(n \\log n)$. ', lang: 'en', version: 1 },
    '2607.00002': { text: '', lang: 'en' },
    '2607.00003': { text: 42 },
    '2607.00004': null,
    '2607.00005': { text: '中文。', lang: 'zh' },
  } });
  assert.deepEqual([...m.keys()], ['2607.00001', '2607.00005']);
  assert.deepEqual(m.get('2607.00001'), { text: 'Sparse attention in $O(n \\log n)$.', lang: 'en' });
  assert.equal(m.get('2607.00005').lang, 'zh');
  for (const bad of [null, {}, { tldr: null }, { tldr: 'x' }, 'text']) assert.equal(tldrEntries(bad).size, 0);
});

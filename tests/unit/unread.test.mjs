// Unit tests of static/unread.js's pure part (no DOM), run with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readIds } from '../../static/unread.js';

test('readIds: the papers of the page with a read mark, none for missing marks', () => {
  const papers = [{ id: '2607.00001' }, { id: '2607.00002' }, { id: 'hep-th/9901001' }];
  assert.deepEqual([...readIds(papers, { '2607.00002': 1, 'hep-th/9901001': 5, other: 3 })],
                   ['2607.00002', 'hep-th/9901001']);
  assert.equal(readIds(papers, {}).size, 0);
  assert.equal(readIds(papers, null).size, 0);
});

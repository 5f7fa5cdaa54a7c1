// Unit tests of static/bibtex.js (pure: the origin is passed in, so no `location` is needed),
// run with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toBibtex, toJson, fromJson, shareUrls } from '../../static/bibtex.js';

const ORIGIN = 'https://papers.example';

test('toBibtex: no stars give an empty file', () => {
  assert.equal(toBibtex([], ORIGIN), '');
});

test('toBibtex: an arXiv star becomes @misc with eprint, class and URL', () => {
  const bib = toBibtex([{ id: '2401.00001', title: 'Attention Is All You Need',
    authors: ['Ashish Vaswani', 'Noam Shazeer'], date: '2017-06-12', subjects: ['cs.CL', 'cs.LG'] }],
  ORIGIN);
  assert.equal(bib, [
    '@misc{vaswani2017attention,',
    '  title = {{Attention Is All You Need}},',
    '  author = {Ashish Vaswani and Noam Shazeer},',
    '  year = {2017},',
    '  eprint = {2401.00001},',
    '  archivePrefix = {arXiv},',
    '  primaryClass = {cs.CL},',
    '  url = {https://arxiv.org/abs/2401.00001}',
    '}',
    '',
  ].join('\n'));
});

test('toBibtex: specials are escaped and stray braces dropped outside math, kept inside', () => {
  const bib = toBibtex([{ id: '2401.00002', title: 'On {BERT} & 50% of $x_{1}$ #1\n  tokens_here',
    authors: ['A {B} C'] }], ORIGIN);
  assert.match(bib, /title = \{\{On BERT \\& 50\\% of \$x_\{1\}\$ \\#1 tokens\\_here\}\}/);
  assert.match(bib, /author = \{A B C\}/);
  // Whatever the input, the braces of each entry balance (BibTeX stops reading otherwise).
  for (const title of ['}{', '{{{', 'a } b { c }', '\\textbf{x}']) {
    const entry = toBibtex([{ id: '2401.00003', title }], ORIGIN);
    assert.equal(entry.split('{').length, entry.split('}').length, title);
  }
});

test('toBibtex: keys fold accents, fall back when fields are missing, and never repeat', () => {
  const star = { id: '2401.00004', title: 'Über die Vollständigkeit', authors: ['Kurt Gödel'],
    date: '1930-01-01' };
  const bib = toBibtex([star, star, { id: 'hep-th/9901001' }], ORIGIN);
  const keys = [...bib.matchAll(/^@\w+\{([^,]+),/gm)].map((m) => m[1]);
  assert.deepEqual(keys, ['godel1930vollst', 'godel1930vollst2', 'paperndx']);
  assert.match(bib, /eprint = \{hep-th\/9901001\}/);  // an old-style id is arXiv too
  assert.doesNotMatch(bib.split('\n\n')[2], /author = |year = /);  // none given: none written
});

test('toBibtex: a venue star becomes @inproceedings with booktitle and a site URL', () => {
  const bib = toBibtex([{ id: '2024.acl-long.1@ACL 2024', title: 'Venue Paper', authors: [] }],
    ORIGIN);
  assert.match(bib, /^@inproceedings\{paperndvenue,/);
  assert.match(bib, /booktitle = \{ACL 2024\}/);
  assert.match(bib, /url = \{https:\/\/papers\.example\/venue\/2024\.acl-long\.1@ACL 2024\}/);
  assert.doesNotMatch(bib, /eprint/);
});

test('toJson/fromJson: a round trip keeps the stars and the read marks', () => {
  const stars = [{ id: '2401.00001', title: 'T', authors: ['A'], date: '2024-01-01', pdf: '',
    subjects: ['cs.CL'], starred: 1700000000000 }];
  const read = { '2401.00001': 1700000000001 };
  const doc = JSON.parse(toJson(stars, read));
  assert.equal(doc.format, 'coolpapers-stars');
  assert.equal(doc.version, 1);
  assert.deepEqual(fromJson(toJson(stars, read)), { stars, read });
});

test('fromJson: bare id lists, junk entries and missing fields', () => {
  const { stars, read } = fromJson(JSON.stringify([' 2401.00001 ', '', 7, null, { id: '  ' },
    { id: '2401.00002', authors: ['A', 3], subjects: 'cs.CL', starred: 'x' }]));
  assert.equal(stars.length, 2);
  assert.equal(stars[0].id, '2401.00001');
  assert.equal(stars[0].title, '');
  assert.deepEqual(stars[1].authors, ['A']);
  assert.deepEqual(stars[1].subjects, []);
  assert.equal(typeof stars[1].starred, 'number');
  assert.deepEqual(read, {});
});

test('fromJson: errors say what is wrong and what to do', () => {
  assert.throws(() => fromJson('{not json'), /not JSON .*Export JSON/);
  assert.throws(() => fromJson('{"read": {}}'), /no "stars" list.*Export JSON/);
  assert.throws(() => fromJson('null'), /no "stars" list/);
});

test('shareUrls: arXiv and venue ids get one URL each; none for no stars', () => {
  assert.deepEqual(shareUrls([], ORIGIN), []);
  assert.deepEqual(shareUrls([{ id: '2401.00001' }, { id: 'x@ACL 2024' }, { id: '2401.00002' }],
    ORIGIN), [`${ORIGIN}/arxiv/2401.00001,2401.00002`, `${ORIGIN}/venue/x@ACL 2024`]);
});

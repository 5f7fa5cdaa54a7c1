// Shared helpers for the browser tests: fixture databases, the real coolpapers binary on a free
// loopback port, and a headless Debian chromium driven by playwright-core that can never reach
// the internet (every request not to 127.0.0.1 is aborted unless a test routes it).

import { before, after } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';

export const BIN = process.env.COOLPAPERS_BIN || '';
export const SOURCE_DIR = process.env.COOLPAPERS_SOURCE_DIR ||
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const BUILD_DIR = process.env.COOLPAPERS_BUILD_DIR || path.join(SOURCE_DIR, 'build-test');
export const OUT_DIR = path.join(BUILD_DIR, 'test-output', 'browser');
export const CHROMIUM = process.env.COOLPAPERS_CHROMIUM || '/usr/bin/chromium';

const require = createRequire(path.join(SOURCE_DIR, 'package.json'));

// playwright-core from the project's node_modules (`make vendor`).
export function loadPlaywright() {
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed in ${SOURCE_DIR}/node_modules: run ` +
                    `\`make vendor\` (scripts/install-npm.sh) first (${e.message})`);
  }
}

// Fails early with a message that says what to do when the prerequisites are missing.
export function checkPrerequisites() {
  if (!BIN || !existsSync(BIN)) {
    throw new Error(`COOLPAPERS_BIN (${BIN || 'unset'}) is not a built coolpapers binary; run the ` +
                    'browser tests through ctest (make test) or set COOLPAPERS_BIN');
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/install-deps.sh)`);
  }
  if (!existsSync(path.join(SOURCE_DIR, 'node_modules', 'katex', 'dist'))) {
    throw new Error('node_modules/katex is missing: run `make vendor` (scripts/install-npm.sh)');
  }
}

// ---- fixtures ------------------------------------------------------------------------------

export const DAY = '2026-07-01';
export const OLD_DAY = '2026-06-24';

function paper(id, title, summary, authors, categories, day = DAY, comment = null) {
  return { id, pdf: `https://arxiv.org/pdf/${id}`, abs: `https://arxiv.org/abs/${id}`,
           authors, title, categories, comment, summary, listing_date: day };
}

// Hand-written papers with known words, TeX, many authors and markup-like text, so tests can
// assert exact filter results. All are announced on DAY in cs.CL (new) or cross-listed.
export function syntheticPapers() {
  const many = Array.from({ length: 45 }, (_, i) => `Collaborator ${String.fromCharCode(65 + (i % 26))}${i}`);
  return [
    paper('2607.00001', 'Graph Transformers with $\\mathcal{O}(n \\log n)$ Attention',
          'We study graph transformers whose attention costs $O(n \\log n)$ and show that ' +
          '$$\\sum_{i=1}^{n} \\alpha_i = 1$$ holds for every layer. Experiments on translation benchmarks.',
          ['Alice Zhang', 'Bob Müller'], ['cs.CL', 'cs.LG']),
    paper('2607.00002', 'Speech Recognition for Low-Resource Languages',
          'A speech recognition system trained with self-supervised learning for low-resource languages.',
          ['Carol Okafor', 'Dan Li'], ['cs.CL', 'eess.AS']),
    paper('2607.00003', 'Robot Instruction Following with Large Language Models',
          'Robots follow natural language instructions; a transformer planner grounds them in a kitchen.',
          ['Eve Martin'], ['cs.CL', 'cs.RO']),
    paper('2607.00004', 'A Survey of Machine Translation Evaluation',
          'We survey translation metrics, from BLEU to learned metrics, and their agreement with humans.',
          ['Frank Rossi', 'Grace Kim'], ['cs.CL']),
    paper('2607.00005', 'Broken Math $\\frac{1}{ in a Title',
          'Malformed TeX such as $\\frac{a}{ and \\(\\sqrt{\\) must not stop the page; 5 < 6 & 7 > 3.',
          ['Heidi Novak'], ['cs.CL']),
    paper('2607.00006', 'Scaling Laws for Speech Translation Transformers',
          'Scaling laws for speech translation show that transformer size and data trade off smoothly.',
          many, ['cs.CL', 'cs.SD']),
    paper('2607.00007', '<script>alert(1)</script> Escaping & Markup in Titles',
          'Titles with <b>tags</b> & ampersands are shown as text, never as markup.',
          ['Ivan Petrov'], ['cs.CL']),
    paper('2607.00008', 'Vision Transformers Meet Graph Neural Networks',
          'Cross-listed from vision: a vision transformer combined with graph neural networks.',
          ['Judy Chen'], ['cs.CV', 'cs.CL']),
    paper('2607.00009', 'Reinforcement Learning from Human Feedback for Dialogue',
          'Dialogue agents tuned by reinforcement learning from human feedback.',
          ['Ken Sato', 'Alice Zhang'], ['cs.LG', 'cs.CL']),
    paper('2607.00010', 'Tokenization Matters for Multilingual Models',
          'Tokenization choices change multilingual model quality; we measure thirty languages.',
          ['Liu Wei'], ['cs.CL']),
    paper('2606.00011', 'An Older Paper About Speech Synthesis',
          'Speech synthesis from last week, listed on an earlier day.',
          ['Mona Haddad'], ['cs.CL'], OLD_DAY),
  ];
}

function samplePapers() {
  const dirs = [path.join(SOURCE_DIR, 'data', 'sample'), path.join(SOURCE_DIR, 'tests', 'fixtures', 'pages')];
  const out = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.jsonl(\.gz)?$/.test(f)) continue;
      let text = readFileSync(path.join(dir, f));
      if (f.endsWith('.gz')) text = gunzipSync(text);
      for (const line of text.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const p = JSON.parse(line);
          if (p.id && p.title && (p.summary || p.abstract) && Array.isArray(p.authors)) out.push(p);
        } catch (_) { /* skip malformed lines */ }
      }
    }
  }
  return out;
}

const WORDS = ('adaptive attention benchmark causal contrastive data decoding diffusion efficient ' +
  'embedding federated generative graph hierarchical inference kernel language latent memory ' +
  'multimodal neural optimization pretraining quantization retrieval robust sparse speech ' +
  'temporal tokenizer transformer uncertainty vision zero-shot').split(' ');

// `n` papers on one day in `category`: real sample records when the repository has them (ids and
// text kept, listing moved to `day`), topped up with generated ones.
export function bulkPapers(n, category = 'cs.AI', day = DAY) {
  const out = [];
  const seen = new Set();
  for (const p of samplePapers()) {
    if (out.length >= n) break;
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    out.push({ id: p.id, pdf: `https://arxiv.org/pdf/${p.id}`, abs: `https://arxiv.org/abs/${p.id}`,
               authors: p.authors, title: p.title, categories: [category],
               comment: null, summary: p.summary || p.abstract, listing_date: day });
  }
  let k = 0;
  while (out.length < n) {
    k++;
    const w = (i) => WORDS[(k * 7 + i * 13) % WORDS.length];
    const id = `2607.${String(50000 + k).padStart(5, '0')}`;
    out.push(paper(id, `${w(1)} ${w(2)} for ${w(3)} ${w(4)} number ${k}`,
                   `We study ${w(5)} ${w(6)} with ${w(7)} and $x_${k % 10}^2$ terms; ` +
                   `results on ${w(8)} ${w(9)} benchmarks improve ${k % 17} points.`,
                   [`Author ${k}`, `Coauthor ${k % 97}`], [category], day));
  }
  return out;
}

// A temporary directory removed by cleanup().
export function tempDir(prefix = 'cp-browser-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

// Writes papers as JSON lines and imports them into a new SQLite database; returns its path.
export function importPapers(dir, papers, name = 'fixture') {
  const file = path.join(dir, `${name}.jsonl`);
  writeFileSync(file, papers.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const db = path.join(dir, `${name}.db`);
  const r = spawnSync(BIN, ['import', 'arxiv-jsonl', file, '--db', `sqlite:${db}`], {
    encoding: 'utf8', timeout: 120000, env: serverEnv(),
  });
  if (r.status !== 0) {
    throw new Error(`import of ${file} failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  }
  return db;
}

function serverEnv(extra = {}) {
  const env = { ...process.env };
  delete env.COOLPAPERS_LLM_API_KEY;  // the FAQ panel must show the no-key message
  delete env.COOLPAPERS_LLM_BASE_URL;
  delete env.http_proxy; delete env.https_proxy; delete env.HTTP_PROXY; delete env.HTTPS_PROXY;
  env.COOLPAPERS_ARXIV_BASE_URL = 'http://127.0.0.1:9';  // never reach arXiv from a test
  env.COOLPAPERS_OFFLINE = '1';  // nor ask it for missing papers (a test may pass '0')
  return { ...env, ...extra };
}

// Starts `coolpapers serve` on 127.0.0.1:0 and resolves {url, stop} once it listens.
export function startServer(db, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--db', `sqlite:${db}`, '--listen', '127.0.0.1:0'], {
      cwd: SOURCE_DIR, env: serverEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let done = false;
    const timer = setTimeout(() => fail(new Error(`server did not start in 30 s:\n${log}`)), 30000);
    function fail(err) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    const onData = (chunk) => {
      log += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        const stop = () => new Promise((res) => {
          if (child.exitCode !== null) return res();
          child.once('exit', () => res());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        });
        resolve({ url: m[1], stop, log: () => log, child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`server exited (${code}) before listening:\n${log}`)));
    child.on('error', fail);
  });
}

// Launches headless chromium (fresh profile). Call close() when done.
export async function launchBrowser() {
  const { chromium } = loadPlaywright();
  const profile = tempDir('cp-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
    viewport: { width: 1200, height: 900 },
    acceptDownloads: true,
  });
  await guard(context);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// New isolated contexts for tests that need their own storage, viewport or colour scheme.
export async function newContext(browserHandle, options = {}) {
  const browser = browserHandle.context.browser();
  if (browser) {
    const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true, ...options });
    await guard(ctx);
    return ctx;
  }
  return browserHandle.context;
}

// Aborts every request that does not go to 127.0.0.1 (routes added later take precedence).
export async function guard(context) {
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
}

// A one-page PDF written by hand (no third-party bytes), served for stubbed PDF URLs. Each
// '\n'-separated line of `label` becomes one line of text.
export function tinyPdf(label = 'coolpapers test PDF') {
  const rows = label.split('\n');
  const height = Math.max(200, 14 * rows.length + 60);
  const text = rows.map((l) => `(${l.replace(/[()\\]/g, '')}) Tj 0 -14 Td`).join('\n');
  const stream = `BT /F1 12 Tf 20 ${height - 40} Td\n${text}\nET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 ${height}] /Contents 4 0 R ` +
      '/Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// Saves a full-page (or viewport) screenshot as OUT_DIR/<name>.png.
export async function screenshot(page, name, fullPage = false) {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

// Records page errors and console errors (ignoring the CSP report for the contract's onclick
// attribute, which is there only for third-party parsers).
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const t = m.text();
    if (/inline event handler|Failed to load resource|net::ERR_FAILED|ERR_BLOCKED/.test(t)) return;
    errors.push(`console: ${t}`);
  });
  return errors;
}

// Opens `url` and waits until the reader script has initialised.
export async function openReader(page, url) {
  const resp = await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 15000 });
  return resp;
}

// A CSS selector for an element id (paper ids start with digits and contain dots or slashes).
export function byId(id) {
  return `[id="${id.replace(/"/g, '\\"')}"]`;
}

// ---- the set-up every test file shares ----------------------------------------------------------

// Registers the file's before/after hooks: before its tests, checks the prerequisites, imports
// `papers` (an array, or a function returning one) into a fresh database named `name`, starts
// the server on it with `env` (an object, or an async function of the site returning one, run
// first: e.g. to start a fake upstream whose address goes into the environment) and launches
// chromium; after them, closes the browser, stops the server and removes the directory.
// Returns the site, whose fields are set once the hooks ran: {dir, server, base, browser}, and
// freshPage(options) -> {ctx, page, errors}: a page in a new isolated context.
export function useSite({ papers = syntheticPapers, name = 'fixture', env = {} } = {}) {
  const site = { dir: '', server: null, base: '', browser: null };
  before(async () => {
    checkPrerequisites();
    site.dir = tempDir();
    const extraEnv = typeof env === 'function' ? await env(site) : env;
    const db = importPapers(site.dir, typeof papers === 'function' ? papers() : papers, name);
    site.server = await startServer(db, extraEnv);
    site.base = site.server.url;
    site.browser = await launchBrowser();
  });
  after(async () => {
    if (site.browser) await site.browser.close();
    if (site.server) await site.server.stop();
    if (site.dir) rmSync(site.dir, { recursive: true, force: true });
  });
  site.freshPage = async (options = {}) => {
    const ctx = await newContext(site.browser, options);
    const page = await ctx.newPage();
    return { ctx, page, errors: watchErrors(page) };
  };
  return site;
}

// KaTeX rendering of $...$, $$...$$, \(...\) and \[...\] through KaTeX's auto-render extension,
// which the page loads as classic scripts from /vendor/katex/. Malformed TeX is shown as its
// source (in the error colour), never as an exception.

const DELIMITERS = [
  { left: '$$', right: '$$', display: true },
  { left: '\\[', right: '\\]', display: true },
  { left: '\\(', right: '\\)', display: false },
  { left: '$', right: '$', display: false },
];

// Resolves once KaTeX's auto-render is available (or after a few seconds without it).
export function katexReady() {
  if (typeof window.renderMathInElement === 'function') return Promise.resolve(true);
  return new Promise((resolve) => {
    let tries = 0;
    const tick = () => {
      if (typeof window.renderMathInElement === 'function') resolve(true);
      else if (++tries > 100) resolve(false);
      else setTimeout(tick, 50);
    };
    if (document.readyState === 'complete') tick();
    else window.addEventListener('load', tick, { once: true });
  });
}

// Renders the math inside `el` (idempotent: rendered formulas are skipped).
export function renderMath(el) {
  if (!el || typeof window.renderMathInElement !== 'function') return false;
  if (!/[$\\]/.test(el.textContent)) return true;
  try {
    window.renderMathInElement(el, {
      delimiters: DELIMITERS,
      throwOnError: false,
      errorColor: '#b00020',
      ignoredTags: ['script', 'noscript', 'style', 'textarea', 'pre', 'code', 'option', 'mark'],
      ignoredClasses: ['katex', 'no-math'],
      strict: 'ignore',
      trust: false,
      maxSize: 20,
      maxExpand: 200,
    });
  } catch (_) {
    // auto-render reports malformed input itself; anything else leaves the source text.
  }
  return true;
}

// The parts of a paper panel that carry TeX.
export function mathTargets(panel) {
  return panel.querySelectorAll('h2.title a.title-link, p.summary, .faq-a, .faq-q');
}

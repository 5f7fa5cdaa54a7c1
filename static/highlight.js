// <mark class="kw"> highlighting of keyword matches in rendered text. Rendered formulas (.katex)
// are never touched, so highlighting cannot break math.

const SKIP = new Set(['SCRIPT', 'STYLE', 'TEXTAREA', 'INPUT', 'MARK', 'BUTTON']);

function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

// A global case-insensitive regexp matching any of `terms`, longest first (null if none).
export function termsRegExp(terms) {
  const list = [...new Set(terms.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!list.length) return null;
  return new RegExp(list.map(escapeRegExp).join('|'), 'gi');
}

// Removes our highlights below `root`.
export function clearHighlights(root) {
  const marks = root.querySelectorAll('mark.kw');
  if (!marks.length) return;
  const parents = new Set();
  for (const m of marks) {
    parents.add(m.parentNode);
    m.replaceWith(...m.childNodes);
  }
  for (const p of parents) if (p) p.normalize();
}

function acceptable(node, root) {
  for (let p = node.parentNode; p && p !== root; p = p.parentNode) {
    if (p.nodeType !== 1) continue;
    if (SKIP.has(p.tagName) || p.classList.contains('katex') ||
        p.classList.contains('katex-display') || p.classList.contains('cp-ctl')) return false;
  }
  return true;
}

// Wraps every match of `re` in text below `root` (outside formulas) in <mark class="kw">.
// Returns the number of marks added.
export function highlight(root, re) {
  if (!re) return 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeValue.trim() && acceptable(n, root)) nodes.push(n);
  }
  let count = 0;
  for (const node of nodes) {
    const s = node.nodeValue;
    re.lastIndex = 0;
    let m = re.exec(s);
    if (!m) continue;
    const frag = document.createDocumentFragment();
    let last = 0;
    while (m) {
      if (m[0].length === 0) { re.lastIndex++; m = re.exec(s); continue; }
      if (m.index > last) frag.append(s.slice(last, m.index));
      const mark = document.createElement('mark');
      mark.className = 'kw';
      mark.textContent = m[0];
      frag.append(mark);
      count++;
      last = m.index + m[0].length;
      m = re.exec(s);
    }
    if (last < s.length) frag.append(s.slice(last));
    node.replaceWith(frag);
  }
  return count;
}

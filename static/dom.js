// Small DOM helpers: build elements without innerHTML (CSP- and XSS-safe).

// h('a', {class: 'x', href: '#', onclick: fn}, 'text', child) -> HTMLElement.
// Attributes starting with "on" bind listeners; `dataset`/`style` objects are merged; false/null
// attribute values are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// A keyboard-accessible text button (<button type=button>).
export function button(label, attrs = {}, onClick = null) {
  return h('button', { type: 'button', class: 'cp-btn', ...attrs, onclick: onClick }, label);
}

// Makes an <a> without href behave as a button for keyboard and assistive technology.
export function asButton(el, label) {
  if (!el.hasAttribute('role')) el.setAttribute('role', 'button');
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '0');
  if (label && !el.hasAttribute('aria-label')) el.setAttribute('aria-label', label);
}

// Encodes each path segment of an id but keeps '/' (old arXiv ids like hep-th/9901001).
export function idPath(id) {
  return id.split('/').map(encodeURIComponent).join('/');
}

// Downloads `text` as a file named `name`.
export function download(name, text, type = 'application/json') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, class: 'cp-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// Copies text to the clipboard without touching the reader's selection. Returns a promise of
// true on success.
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (_) { /* fall back below */ }
  const sel = document.getSelection();
  const saved = [];
  for (let i = 0; sel && i < sel.rangeCount; i++) saved.push(sel.getRangeAt(i).cloneRange());
  const active = document.activeElement;
  const ta = h('textarea', { class: 'cp-offscreen', readonly: true, 'aria-hidden': 'true' });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
  ta.remove();
  if (sel) {
    sel.removeAllRanges();
    for (const r of saved) sel.addRange(r);
  }
  if (active && active.focus) active.focus({ preventScroll: true });
  return ok;
}

// A transient message at the bottom of the screen (also announced to screen readers).
export function toast(message) {
  let box = document.getElementById('cp-toast');
  if (!box) {
    box = h('div', { id: 'cp-toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  box.textContent = message;
  box.classList.add('show');
  clearTimeout(box._timer);
  box._timer = setTimeout(() => box.classList.remove('show'), 2200);
}

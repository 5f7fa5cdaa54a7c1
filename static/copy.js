// The [Copy] menu: [Copy] copies the title, authors, abstract and link at once (as it always
// did) and opens a small menu under the title that offers the same again or the same plus the
// paper's FAQ, when one is already generated (looked up, never started, as the menu opens).

import { h, button, copyText, toast } from './dom.js';
import { copyWithFaq, fetchFaq } from './export.js';

function closeMenus(except = null) {
  for (const m of document.querySelectorAll('.cp-copy-menu')) {
    if (m === except) continue;
    if (m._button) m._button.setAttribute('aria-expanded', 'false');
    m.remove();
  }
}

let bound = false;
function bindClosers() {
  if (bound) return;
  bound = true;
  document.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    if (t && (t.closest('.cp-copy-menu') || t.closest('a.title-copy'))) return;
    closeMenus();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    const open = document.querySelector('.cp-copy-menu');
    if (!open) return;
    const btn = open._button;
    closeMenus();
    if (btn) btn.focus({ preventScroll: true });
  });
}

// Opens the menu under `btn` for paper `p` (toggles it when open). `block` is the plain text
// already copied; `lang` the reader's FAQ language; `counted()` records a copy click.
export function openCopyMenu(p, btn, block, lang, counted) {
  bindClosers();
  const open = p.el.querySelector(':scope > .cp-copy-menu');
  if (open) {
    closeMenus();
    return;
  }
  closeMenus();
  let faq;  // undefined: still looking; null: none
  const looking = fetchFaq(p.id, lang).then((f) => { faq = f; paint(); return f; });
  const plain = button('Title, authors, abstract and link', { class: 'cp-btn cp-copy-plain', role: 'menuitem' },
    async () => {
      const ok = await copyText(block);
      toast(ok ? 'Copied title, authors, abstract and link.' : 'Copy failed: your browser blocked the clipboard.');
      closeMenus();
    });
  const withFaq = button('… with the FAQ', { class: 'cp-btn cp-copy-faq', role: 'menuitem' }, async () => {
    const f = faq === undefined ? await looking : faq;
    if (!f) {
      toast('This paper has no FAQ yet: [Kimi] generates one.');
      return;
    }
    const ok = await copyText(copyWithFaq(block, f));
    toast(ok ? 'Copied title, authors, abstract, link and FAQ.' : 'Copy failed: your browser blocked the clipboard.');
    if (ok) counted();
    closeMenus();
  });
  const note = h('small', { class: 'cp-copy-note', role: 'status' });
  const menu = h('div', { class: 'cp-copy-menu cp-ctl', role: 'menu', 'aria-label': `Copy ${p.title}` },
    h('span', { class: 'cp-copy-done' }, 'Copied. Copy as:'), plain, withFaq, note);
  menu._button = btn;
  function paint() {
    withFaq.disabled = faq === null;
    withFaq.setAttribute('aria-disabled', String(faq === null));
    note.textContent = faq === undefined ? 'looking for a FAQ…'
      : faq === null ? 'no FAQ yet ([Kimi] generates one)' : `FAQ available (${faq.lang})`;
  }
  paint();
  const title = p.el.querySelector('h2.title');
  if (title) title.after(menu); else p.el.prepend(menu);
  btn.setAttribute('aria-expanded', 'true');
  plain.focus({ preventScroll: true });
}

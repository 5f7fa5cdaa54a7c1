// The home page, tidied: each category's date picker becomes a calendar button that opens the
// browser's date picker (choosing a day opens that day's list), and the categories the reader
// chose (+ in the category chooser, settings.followCats) are listed first, in "Your categories",
// above the archives whose other categories stay folded. The server's HTML (section.archive,
// li.category, form.date-picker with its input[type=date]) is unchanged; without scripts the
// input and its Go button are shown as before.

import { h, toast } from './dom.js';
import { icon } from './icons.js';

// The categories of `chosen` (in order) that are on the page, and the archive ids among them.
export function chosenOnPage(chosen, categories, archives) {
  const cats = [];
  const arcs = [];
  for (const c of chosen) {
    if (categories.has(c) && !cats.includes(c)) cats.push(c);
    else if (archives.has(c) && !arcs.includes(c)) arcs.push(c);
  }
  return { cats, arcs };
}

function calendarButton(form) {
  const input = form.querySelector('input[type="date"]');
  if (!input) return;
  const cat = (form.getAttribute('action') || '').replace(/^\/arxiv\//, '');
  form.classList.add('cp-cal');
  const btn = h('button', { type: 'button', class: 'cp-cal-btn', title: `Choose a day of ${cat}`,
                            'aria-label': `Choose an announcement day of ${cat}` }, icon('calendar'));
  btn.addEventListener('click', () => {
    try {
      input.showPicker();
    } catch (_) {
      form.classList.add('cp-cal-open');  // no showPicker (or refused): show the field itself
      input.focus();
    }
  });
  input.addEventListener('change', () => {
    if (!input.value) return;
    if (input.min && input.value < input.min) {
      toast(`${cat} has no listings before ${input.min}.`);
      return;
    }
    form.requestSubmit();
  });
  form.prepend(btn);
}

function yourCategories(reader, root) {
  const items = new Map();
  for (const li of root.querySelectorAll('li.category[data-category]')) items.set(li.dataset.category, li);
  const archives = new Map();
  for (const a of root.querySelectorAll('a.archive-link')) {
    archives.set((a.getAttribute('href') || '').replace(/^\/arxiv\//, ''), a);
  }
  const { cats, arcs } = chosenOnPage(reader.settings.followCats, items, archives);
  const list = h('ul', { class: 'categories cp-mine' });
  for (const c of cats) list.append(items.get(c));  // moved, so each category is listed once
  for (const id of arcs) {
    const a = archives.get(id);
    list.append(h('li', { class: 'category cp-mine-archive' },
      h('a', { href: `/arxiv/${id}` }, id), ' ', h('span', { class: 'category-name' }, a.textContent)));
  }
  const box = h('section', { id: 'cp-your-categories', class: 'group cp-your-categories' },
    h('h2', {}, 'Your categories'),
    cats.length + arcs.length ? list
      : h('p', { class: 'cp-hint' }, 'Open an archive below and choose categories with ○ (+ include, − exclude): ' +
          'the ones you include are listed here first.'));
  const intro = root.querySelector('.home-intro');
  if (intro) intro.after(box); else root.prepend(box);
}

// Installs the above on the home page (section#arxiv-categories); elsewhere does nothing.
export function setupHome(reader) {
  const root = document.getElementById('arxiv-categories');
  if (!root || reader.papers.length) return;
  document.body.classList.add('cp-home');
  for (const form of root.querySelectorAll('form.date-picker')) calendarButton(form);
  yourCategories(reader, root);
}

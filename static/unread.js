// "Unread only" on list pages: hides the papers the reader has already opened (the read marks in
// localStorage), so a week of announcements (?date=A..B) can be screened over several visits. The
// choice is a setting (it stays on across pages). Papers opened while it is on stay visible until
// the page is reloaded or the toggle switched: a panel never vanishes under the reader's PDF.

import { h } from './dom.js';

// The ids among `papers` that carry a read mark in `read` ({id: timestamp}).
export function readIds(papers, read) {
  const ids = new Set();
  for (const p of papers) if (read && read[p.id]) ids.add(p.id);
  return ids;
}

// Adds the toggle to the list header (section.day-list nav.day-nav) and keeps reader.hideRead,
// the ids the filters hide, in step with it. Does nothing on pages without a list header.
export function setupUnreadToggle(reader) {
  const nav = document.querySelector('section.day-list nav.day-nav');
  if (!nav || !reader.papers.length) return null;
  const btn = h('button', { type: 'button', class: 'cp-btn cp-unread-only', 'aria-pressed': 'false',
                            title: 'Hide the papers you have already opened (PDF or FAQ)' },
                'Unread only');
  let on = null;
  const apply = () => {
    const want = !!reader.settings.unreadOnly;
    if (want === on) return false;
    on = want;
    reader.hideRead = on ? readIds(reader.papers, reader.read) : null;
    btn.setAttribute('aria-pressed', String(on));
    btn.textContent = on ? `Unread only (${reader.hideRead.size} read hidden)` : 'Unread only';
    return true;
  };
  btn.addEventListener('click', () => reader.updateSettings({ unreadOnly: !reader.settings.unreadOnly }));
  reader.on((what) => { if (what === 'settings' && apply()) reader.refilter(); });
  const feed = nav.querySelector('a.feed-link');
  nav.insertBefore(btn, feed);
  apply();
  return btn;
}

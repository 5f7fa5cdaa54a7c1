// Content script (optional links): on paper pages of the supported sites, puts a small
// "coolpapers" link next to the title. Classic script; loads the pure mapping module itself.

(async () => {
  const api = globalThis.browser ?? globalThis.chrome;
  if (!api || !api.runtime) return;
  let mapping;
  try {
    mapping = await import(api.runtime.getURL('mapping.js'));
  } catch (_) {
    return;
  }
  const got = await api.storage.sync.get({ server: mapping.DEFAULT_SERVER, insertLinks: true });
  if (!got.insertLinks) return;
  const route = mapping.mapUrl(location.href);
  if (!route || document.getElementById('coolpapers-link')) return;
  // #papertitle: the title of a CVF open access paper page.
  const anchor = document.querySelector(
    'h1.title, h1, .citation_title, .note_content_title, #papertitle, h2');
  if (!anchor) return;
  const a = document.createElement('a');
  a.id = 'coolpapers-link';
  a.href = mapping.normalizeServer(got.server) + route;
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = 'coolpapers';
  a.title = 'Open in coolpapers (FAQ, related papers, stars)';
  a.style.cssText = 'margin-left:.6em;font-size:.6em;padding:1px 6px;border-radius:4px;' +
    'background:#1a5fb4;color:#fff;text-decoration:none;vertical-align:middle;font-weight:600';
  anchor.append(a);
})();

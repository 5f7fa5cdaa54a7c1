// Extension settings (chrome.storage.sync / browser.storage.sync): the coolpapers server address
// and whether to insert links on paper sites.

import { DEFAULT_SERVER, normalizeServer } from './mapping.js';

export const api = globalThis.browser ?? globalThis.chrome;

export const DEFAULTS = Object.freeze({ server: DEFAULT_SERVER, insertLinks: true });

// The settings, merged over the defaults.
export async function loadSettings() {
  const got = await api.storage.sync.get(DEFAULTS);
  return { ...DEFAULTS, ...got, server: normalizeServer(got.server) };
}

export async function saveSettings(patch) {
  const next = { ...patch };
  if ('server' in next) next.server = normalizeServer(next.server);
  await api.storage.sync.set(next);
  return next;
}

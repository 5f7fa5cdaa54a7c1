// Options page: the server address and the optional page links.

import { loadSettings, saveSettings } from './settings.js';

const form = document.getElementById('form');
const server = document.getElementById('server');
const insertLinks = document.getElementById('insertLinks');
const saved = document.getElementById('saved');

loadSettings().then((s) => {
  server.value = s.server;
  insertLinks.checked = s.insertLinks;
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const s = await saveSettings({ server: server.value, insertLinks: insertLinks.checked });
  server.value = s.server;
  saved.textContent = 'Saved.';
  setTimeout(() => { saved.textContent = ''; }, 1500);
});

// Background worker: the "Open in coolpapers" context menu (page, link, selection) and the toolbar
// button. Works as a Chrome MV3 service worker and a Firefox MV3 background script.

import { targetsFor } from './mapping.js';
import { api, loadSettings } from './settings.js';

const MENU_ID = 'open-in-coolpapers';

function createMenu() {
  api.contextMenus.removeAll(() => {
    api.contextMenus.create({
      id: MENU_ID,
      title: 'Open in coolpapers',
      contexts: ['page', 'link', 'selection'],
    });
  });
}

async function openTargets(info, tab) {
  const { server } = await loadSettings();
  const urls = targetsFor({
    linkUrl: info.linkUrl || '',
    selectionText: info.selectionText || '',
    pageUrl: info.pageUrl || (tab && tab.url) || '',
  }, server);
  const index = tab && typeof tab.index === 'number' ? tab.index + 1 : undefined;
  for (const [i, url] of urls.entries()) {
    await api.tabs.create({ url, index: index === undefined ? undefined : index + i });
  }
  if (!urls.length) {
    await api.tabs.create({ url: `${server}/` });
  }
}

api.runtime.onInstalled.addListener(createMenu);
api.runtime.onStartup?.addListener(createMenu);
api.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_ID) openTargets(info, tab);
});
api.action.onClicked.addListener((tab) => openTargets({ pageUrl: tab.url }, tab));

import { h, replace } from './element.js';
import { showIncident } from './incident-view.js';
import { showList } from './list-view.js';
import { LiveIncidents } from './live-incidents.js';
import { showSilences } from './silences-view.js';
import { showSlos } from './slo-view.js';
import { isTyping, type View, type ViewContext } from './view.js';

/**
 * The console's entry point: one live incident feed for every page, hash routes (`#/incidents`,
 * `#/incidents/{id}`, `#/slos`, `#/silences`) so the server serves one page, and keys routed to the page shown.
 */
const live = new LiveIncidents();
const main = document.getElementById('main') as HTMLElement;
const status = document.getElementById('live') as HTMLElement;
let view: View | null = null;

function route(): void {
  view?.dispose();
  const hash = location.hash.replace(/^#/, '') || '/incidents';
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const ctx: ViewContext = { main, live, params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
  const section = path.split('/')[1] ?? '';
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-nav]')) {
    if (a.dataset['nav'] === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (path.startsWith('/incidents/')) view = showIncident(ctx, decodeURIComponent(path.slice('/incidents/'.length)));
  else if (path === '/slos') view = showSlos(ctx);
  else if (path === '/silences') view = showSilences(ctx);
  else if (path === '/incidents' || path === '/') view = showList(ctx);
  else {
    replace(main, h('h1', { tabindex: -1 }, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/incidents' }, 'Back to the incidents')));
    view = null;
  }
}

function showFeedState(): void {
  const text = live.state === 'live' ? 'live' : live.state === 'connecting' ? 'connecting…' : 'reconnecting…';
  if (status.textContent !== text) status.textContent = text;
  status.dataset['state'] = live.state;
}

document.addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (isTyping(ev)) {
    if (ev.key === 'Escape') (ev.target as HTMLElement).blur();
    return;
  }
  // Enter on a button or link does what it says; the page's own Enter (open the selected row) is for elsewhere.
  if (ev.key === 'Enter' && (ev.target instanceof HTMLButtonElement || ev.target instanceof HTMLAnchorElement)) return;
  if (view?.onKey?.(ev) === true) ev.preventDefault();
});

window.addEventListener('hashchange', route);
live.onChange(showFeedState);
live.connect();
showFeedState();
route();

import { h, replace } from './element.js';
import { incidentAge } from './time-format.js';
import type { IncidentSummary } from './types.js';
import type { View, ViewContext } from './view.js';

/** Rows per page: the list stays as fast with ten thousand incidents as with ten, since only a page is drawn. */
const PAGE_SIZE = 50;

interface Filters {
  status: string;
  severity: string;
  cluster: string;
  q: string;
  page: number;
}

/**
 * The live incident list: filters (status, severity, cluster, text), a page of rows redrawn as the feed changes,
 * and keys: j/k or the arrows move, Enter opens, `/` searches, `[` and `]` turn pages.
 */
export function showList(ctx: ViewContext): View {
  const p = ctx.params;
  const f: Filters = { status: p.get('status') ?? '', severity: p.get('severity') ?? '', cluster: p.get('cluster') ?? '', q: p.get('q') ?? '', page: Math.max(1, Number(p.get('page') ?? '1') || 1) };
  let selected: string | null = null;
  let visible: IncidentSummary[] = [];
  let pages = 1;

  const changed = (key: keyof Filters) => (ev: Event): void => {
    (f as unknown as Record<string, string>)[key] = (ev.target as HTMLInputElement | HTMLSelectElement).value;
    f.page = 1;
    redraw();
  };
  const status = select('f-status', 'Status', f.status, [['', 'All'], ['open', 'Open'], ['resolved', 'Resolved']], changed('status'));
  const severity = select('f-severity', 'Severity', f.severity, [['', 'All'], ['sev1', 'sev1'], ['sev2', 'sev2'], ['sev3', 'sev3'], ['sev4', 'sev4']], changed('severity'));
  const cluster = select('f-cluster', 'Cluster', f.cluster, [['', 'All']], changed('cluster'));
  const search = h('input', { id: 'f-q', type: 'search', value: f.q, placeholder: 'title, cause, id', autocomplete: 'off', oninput: changed('q') });
  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const prev = h('button', { type: 'button', onclick: () => turn(-1) }, 'Previous');
  const next = h('button', { type: 'button', onclick: () => turn(1) }, 'Next');
  const pageText = h('span', { class: 'page-of' });

  replace(
    ctx.main,
    h('h1', { tabindex: -1 }, 'Incidents'),
    h('form', { class: 'filters', role: 'search', onsubmit: (ev) => ev.preventDefault() },
      status.wrap, severity.wrap, cluster.wrap,
      h('div', { class: 'field' }, h('label', { for: 'f-q' }, 'Search ', h('kbd', {}, '/')), search)),
    count,
    h('table', { class: 'incidents' },
      h('caption', { class: 'visually-hidden' }, 'Incidents, newest first'),
      h('thead', {}, h('tr', {}, ...['Severity', 'Status', 'Title', 'Cause', 'Age', 'Alerts', 'Tickets', 'Cluster'].map((c) => h('th', { scope: 'col' }, c)))),
      tbody),
    h('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, pageText, next),
    h('p', { class: 'keys' }, 'Keys: ', h('kbd', {}, 'j'), '/', h('kbd', {}, 'k'), ' or arrows move, ', h('kbd', {}, 'Enter'), ' opens, ', h('kbd', {}, '/'), ' searches, ', h('kbd', {}, '['), '/', h('kbd', {}, ']'), ' turn pages'),
  );
  document.title = 'Incidents · stormcell';

  function matches(inc: IncidentSummary, q: string): boolean {
    if (f.status !== '' && inc.status !== f.status) return false;
    if (f.severity !== '' && inc.severity !== f.severity) return false;
    if (f.cluster !== '' && !inc.clusters.includes(f.cluster)) return false;
    return q === '' || `${inc.id} ${inc.title} ${inc.rootCause?.entity ?? ''} ${inc.topSuspect?.service ?? ''}`.toLowerCase().includes(q);
  }

  function redraw(): void {
    const all = ctx.live.all();
    const q = f.q.trim().toLowerCase();
    const rows = all.filter((inc) => matches(inc, q));
    pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    f.page = Math.min(f.page, pages);
    visible = rows.slice((f.page - 1) * PAGE_SIZE, f.page * PAGE_SIZE);
    if (selected !== null && !visible.some((i) => i.id === selected)) selected = null;

    const clusters = new Set<string>();
    for (const inc of all) for (const c of inc.clusters) clusters.add(c);
    if (f.cluster !== '') clusters.add(f.cluster);
    cluster.options([['', 'All'], ...[...clusters].sort().map((c): [string, string] => [c, c])], f.cluster);

    const hadFocus = tbody.contains(document.activeElement);
    const now = Date.now();
    replace(tbody, ...visible.map((inc) => row(inc, now, inc.id === selected)));
    if (visible.length === 0) {
      const empty = all.length === 0 ? 'No incidents yet: alerts sent to stormcell show up here as they arrive.' : 'No incident matches these filters.';
      replace(tbody, h('tr', {}, h('td', { colspan: 8, class: 'empty' }, empty)));
    }
    if (hadFocus) focusSelected();
    const open = all.reduce((n, i) => n + (i.status === 'open' ? 1 : 0), 0);
    count.textContent = `${rows.length} of ${all.length} incidents (${open} open)${ctx.live.state === 'live' ? '' : ' · waiting for the server'}`;
    pageText.textContent = `Page ${f.page} of ${pages}`;
    prev.disabled = f.page <= 1;
    next.disabled = f.page >= pages;
    const query = new URLSearchParams();
    for (const k of ['status', 'severity', 'cluster', 'q'] as const) if (f[k] !== '') query.set(k, f[k]);
    if (f.page > 1) query.set('page', String(f.page));
    const qs = query.toString();
    const hash = `#/incidents${qs === '' ? '' : `?${qs}`}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  function turn(by: number): void {
    const page = Math.min(pages, Math.max(1, f.page + by));
    if (page === f.page) return;
    f.page = page;
    selected = null;
    redraw();
  }

  function move(by: number): void {
    if (visible.length === 0) return;
    const at = visible.findIndex((i) => i.id === selected);
    const to = at < 0 ? (by > 0 ? 0 : visible.length - 1) : Math.min(visible.length - 1, Math.max(0, at + by));
    selected = (visible[to] as IncidentSummary).id;
    for (const tr of tbody.querySelectorAll('tr[data-id]')) tr.setAttribute('aria-selected', String((tr as HTMLElement).dataset['id'] === selected));
    focusSelected();
  }

  function focusSelected(): void {
    if (selected === null) return;
    tbody.querySelector<HTMLAnchorElement>(`tr[data-id="${CSS.escape(selected)}"] a`)?.focus();
  }

  const unsubscribe = ctx.live.onChange(redraw);
  const ages = setInterval(redraw, 15_000);
  redraw();
  return {
    onKey(ev) {
      switch (ev.key) {
        case 'j':
        case 'ArrowDown':
          move(1);
          return true;
        case 'k':
        case 'ArrowUp':
          move(-1);
          return true;
        case 'Enter':
          if (selected === null) return false;
          location.hash = `#/incidents/${encodeURIComponent(selected)}`;
          return true;
        case '/':
          search.focus();
          search.select();
          return true;
        case ']':
          turn(1);
          return true;
        case '[':
          turn(-1);
          return true;
      }
      return false;
    },
    dispose() {
      unsubscribe();
      clearInterval(ages);
    },
  };
}

function row(inc: IncidentSummary, now: number, selected: boolean): HTMLTableRowElement {
  const cause = inc.rootCause === null ? '—' : inc.rootCause.entity;
  return h('tr', { 'data-id': inc.id, 'aria-selected': String(selected), class: `row-${inc.status}` },
    h('td', {}, h('span', { class: `sev ${inc.severity}` }, inc.severity)),
    h('td', {}, h('span', { class: `status ${inc.status}` }, inc.status),
      inc.acknowledged === undefined ? null : h('span', { class: 'ack', title: `acknowledged by ${inc.acknowledged.by}` }, 'ack')),
    h('td', { class: 'title' }, h('a', { href: `#/incidents/${encodeURIComponent(inc.id)}` }, inc.title)),
    h('td', { class: 'cause' }, cause, inc.topSuspect === null ? null : h('span', { class: 'suspect' }, `deploy ${inc.topSuspect.service} ${inc.topSuspect.version}`)),
    h('td', { class: 'num' }, incidentAge(inc, now)),
    h('td', { class: 'num' }, inc.alertCount),
    h('td', { class: 'num' }, inc.tickets),
    h('td', {}, inc.clusters.join(', ')),
  );
}

/** A labelled select whose options can be replaced while keeping its value. */
function select(id: string, label: string, value: string, options: Array<[string, string]>, onchange: (ev: Event) => void) {
  const el = h('select', { id, onchange });
  const set = (opts: Array<[string, string]>, v: string): void => {
    const key = opts.map((o) => o[0]).join('\u0000');
    if (el.dataset['key'] !== key) {
      replace(el, ...opts.map(([v2, text]) => h('option', { value: v2 }, text)));
      el.dataset['key'] = key;
    }
    el.value = v;
  };
  set(options, value);
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, label), el), options: set };
}

import { h } from './element.js';
import { formatAge, formatTime, incidentAge } from './time-format.js';
import type { AlertState, IncidentDetail, TimelineEntry } from './types.js';

/** The facts at the top of an incident page: status, severity, times, cause, who is on it. */
export function facts(doc: IncidentDetail, now: number): HTMLElement {
  const firing = doc.alertStates?.filter((a) => a.status === 'firing').length;
  const top = doc.suspectedDeploys[0];
  const clusters = [...new Set(doc.alerts.map((a) => a.labels['cluster']).filter((c): c is string => c !== undefined))].sort();
  const item = (term: string, ...def: Array<Node | string | null>) => [h('div', {}, h('dt', {}, term), h('dd', {}, ...def))];
  return h('dl', { class: 'facts' },
    ...item('Status', h('span', { class: `status ${doc.status}` }, doc.status), doc.status === 'open' ? ` for ${incidentAge(doc, now)}` : ` after ${incidentAge(doc, now)}`),
    ...item('Severity', h('span', { class: `sev ${doc.severity}` }, doc.severity)),
    ...item('Opened', timeEl(doc.openedAt)),
    ...(doc.resolvedAt === null ? [] : item('Resolved', timeEl(doc.resolvedAt), doc.resolvedBy === undefined ? '' : ` by ${doc.resolvedBy.by}`)),
    ...item('Cause', doc.rootCause === null ? 'not known yet' : h('span', { class: 'cause-entity' }, doc.rootCause.entity), doc.rootCause === null ? '' : ` (score ${doc.rootCause.score.toFixed(2)})`),
    ...item('Top suspect', top === undefined ? 'no deploy suspected' : `${top.service} ${top.version} (score ${top.score.toFixed(2)})`),
    ...item('Acknowledged', doc.acknowledged === undefined ? 'no' : h('span', {}, `by ${doc.acknowledged.by} at `, timeEl(doc.acknowledged.at))),
    ...item('Alerts', `${doc.alerts.length}${firing === undefined ? '' : `, ${firing} firing`}`),
    ...item('Clusters', clusters.length === 0 ? '—' : clusters.join(', ')),
  );
}

/** Suspected deploys, best first, with their scores as meters. */
export function deploys(doc: IncidentDetail): HTMLElement {
  if (doc.suspectedDeploys.length === 0) return h('p', { class: 'muted' }, 'No deploy is suspected.');
  return h('table', { class: 'deploys' },
    h('thead', {}, h('tr', {}, ...['Service', 'Version', 'Deployed', 'Score', 'Why'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...doc.suspectedDeploys.map((d) => h('tr', {},
      h('td', {}, d.service), h('td', {}, d.version), h('td', {}, timeEl(d.at)),
      h('td', { class: 'num' }, h('meter', { min: 0, max: 1, value: d.score, 'aria-label': `score ${d.score.toFixed(2)}` }), ` ${d.score.toFixed(2)}`),
      h('td', {}, d.reason ?? '')))));
}

/** Linked tickets, each with the timeline entry that linked it (why it belongs here). */
export function tickets(doc: IncidentDetail): HTMLElement {
  if (doc.tickets.length === 0) return h('p', { class: 'muted' }, 'No ticket is linked.');
  return h('ul', { class: 'tickets' }, ...doc.tickets.map((t) => {
    const linked = doc.timeline.find((e) => e.type === 'ticket-linked' && e.message.startsWith(`ticket ${t}: `));
    return h('li', { 'data-ticket': t }, h('strong', {}, t), linked === undefined ? null : h('span', { class: 'muted' }, ` ${linked.message}${linked.reason === undefined ? '' : ` (${linked.reason})`}`));
  }));
}

const PER_GROUP = 20;

/** The incident's alerts grouped by the topology entity they bound to, the root cause's group first. */
export function alertsByEntity(doc: IncidentDetail): HTMLElement {
  const states = new Map<string, AlertState>((doc.alertStates ?? []).map((a) => [a.fingerprint, a]));
  const groups = new Map<string, IncidentDetail['alerts']>();
  for (const a of doc.alerts) {
    const key = states.get(a.fingerprint)?.entity ?? (doc.alertStates === undefined ? 'alerts' : 'not bound to an entity');
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [a]);
    else list.push(a);
  }
  const cause = doc.rootCause?.entity;
  const ordered = [...groups.entries()].sort((x, y) => Number(y[0] === cause) - Number(x[0] === cause) || y[1].length - x[1].length || (x[0] < y[0] ? -1 : 1));
  return h('div', { class: 'alert-groups' }, ...ordered.map(([entity, alerts]) => {
    const firing = alerts.filter((a) => states.get(a.fingerprint)?.status === 'firing').length;
    const body = h('tbody');
    const show = (n: number): void => body.replaceChildren(...alerts.slice(0, n).map((a) => alertRow(a, states.get(a.fingerprint))));
    show(PER_GROUP);
    const more = alerts.length > PER_GROUP ? h('button', { type: 'button', onclick: (ev) => { show(alerts.length); (ev.target as HTMLElement).remove(); } }, `Show all ${alerts.length}`) : null;
    return h('section', { class: 'alert-group', 'data-entity': entity },
      h('h3', {}, entity, entity === cause ? h('span', { class: 'tag' }, 'root cause') : null, h('span', { class: 'muted' }, ` ${alerts.length} alert${alerts.length === 1 ? '' : 's'}${doc.alertStates === undefined ? '' : `, ${firing} firing`}`)),
      h('table', { class: 'alerts' },
        h('thead', {}, h('tr', {}, ...['Alert', 'Status', 'Since', 'Summary', 'Labels'].map((c) => h('th', { scope: 'col' }, c)))),
        body),
      more);
  }));
}

function alertRow(a: IncidentDetail['alerts'][number], st: AlertState | undefined): HTMLTableRowElement {
  const labels = Object.entries(a.labels).filter(([k]) => k !== 'alertname');
  return h('tr', {},
    h('td', {}, a.labels['alertname'] ?? a.fingerprint, a.origin === 'slo' ? h('span', { class: 'tag' }, 'SLO') : null),
    h('td', {}, st === undefined ? '' : h('span', { class: `status ${st.status}` }, st.status)),
    h('td', {}, st === undefined ? '' : timeEl(st.startsAt)),
    h('td', {}, st?.summary ?? ''),
    h('td', { class: 'labels' }, ...labels.map(([k, v]) => h('code', {}, `${k}=${v}`))));
}

type Category = 'correlation' | 'notifications' | 'people' | 'changes';

/** Which filter of the timeline an entry falls under. */
export function categoryOf(e: TimelineEntry): Category {
  if (e.type.startsWith('notification')) return 'notifications';
  if (e.type === 'acknowledged' || (e.type === 'resolved' && e.message.startsWith('resolved by '))) return 'people';
  if (e.type.startsWith('ticket') || e.type.startsWith('deploy')) return 'changes';
  return 'correlation';
}

/** The timeline, oldest first: every attachment, merge, split, link and notification, with its reason and score. */
export function timeline(doc: IncidentDetail, only: string): HTMLElement {
  const entries = only === '' ? doc.timeline : doc.timeline.filter((e) => categoryOf(e) === only);
  return h('div', {},
    (doc.timelineDropped ?? 0) > 0 ? h('p', { class: 'muted' }, `${doc.timelineDropped} older entries were dropped to keep the timeline bounded.`) : null,
    h('ol', { class: 'timeline' }, ...entries.map((e) => h('li', { class: `t-${categoryOf(e)}`, 'data-type': e.type },
      timeEl(e.at),
      h('span', { class: 'type' }, e.type),
      h('span', { class: 'msg' }, e.message),
      e.reason === undefined && e.score === undefined ? null : h('span', { class: 'reason' }, [e.reason, e.score === undefined ? undefined : `score ${e.score.toFixed(2)}`].filter((x) => x !== undefined).join(' · '))))));
}

function timeEl(iso: string): HTMLTimeElement {
  return h('time', { datetime: iso, title: `${formatAge(Date.now() - Date.parse(iso))} ago` }, formatTime(iso));
}

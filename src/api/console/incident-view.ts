import { ApiError, getJson, postJson } from './api.js';
import { burnChart, HISTORY_LEAD_MS, relevantSlos } from './burn-chart.js';
import { h, replace } from './element.js';
import { alertsByEntity, deploys, facts, tickets, timeline } from './incident-sections.js';
import { equalMatcher, rememberedWho, rememberWho, silenceForm } from './silence-form.js';
import { topologyGraph } from './topology-graph.js';
import type { IncidentDetail, IncidentSummary, Neighbourhood, SloDoc, SloHistory } from './types.js';
import type { View, ViewContext } from './view.js';

/** How often the page re-reads the incident besides feed changes: notification attempts are not feed events. */
const REFRESH_MS = 5_000;

/**
 * One incident: facts, acknowledge and resolve (with who), cause and its topology neighbourhood, suspected deploys,
 * tickets, SLO burn, alerts by entity, the timeline, and a silence pre-filled with the incident's labels. It
 * redraws when the feed reports a change to it, and every few seconds for notification entries.
 */
export function showIncident(ctx: ViewContext, id: string): View {
  const path = `/api/v1/incidents/${encodeURIComponent(id)}`;
  const heading = h('h1', { tabindex: -1 }, id);
  const sections = {
    facts: h('div', { id: 'facts' }),
    topology: h('div', { class: 'body' }, h('p', { class: 'muted' }, 'Loading…')),
    deploys: h('div', { class: 'body' }),
    tickets: h('div', { class: 'body' }),
    burn: h('div', { class: 'body' }),
    alerts: h('div', { class: 'body' }),
    timeline: h('div', { class: 'body' }),
    silence: h('div', { class: 'body' }),
  };
  const who = h('input', { id: 'act-who', type: 'text', value: rememberedWho(), autocomplete: 'username', required: true });
  const comment = h('input', { id: 'act-comment', type: 'text' });
  const result = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const ack = h('button', { type: 'button', class: 'primary', onclick: () => void act('acknowledgements') }, 'Acknowledge');
  const resolve = h('button', { type: 'button', onclick: () => void act('resolutions') }, 'Resolve');
  const only = h('select', { id: 'timeline-only', onchange: () => draw() },
    ...[['', 'everything'], ['correlation', 'correlation'], ['notifications', 'notifications'], ['people', 'people'], ['changes', 'tickets and deploys']].map(([v, t]) => h('option', { value: v }, t)));
  const section = (key: keyof typeof sections, title: string, ...extra: Node[]) =>
    h('section', { id: key, 'aria-labelledby': `${key}-h` }, h('h2', { id: `${key}-h` }, title), ...extra, sections[key]);

  replace(ctx.main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/incidents' }, '← Incidents')),
    heading,
    sections.facts,
    h('form', { id: 'actions', class: 'actions-form', 'aria-label': 'Act on this incident', onsubmit: (ev) => ev.preventDefault() },
      h('div', { class: 'field' }, h('label', { for: who.id }, 'Who'), who),
      h('div', { class: 'field wide' }, h('label', { for: comment.id }, 'Comment (optional)'), comment),
      h('div', { class: 'actions' }, ack, resolve,
        h('a', { class: 'button', href: `/api/v1/incidents/${encodeURIComponent(id)}/postmortem`, target: '_blank', rel: 'noopener' }, 'Postmortem draft')),
      result),
    h('div', { class: 'grid' },
      section('topology', 'Cause and its neighbourhood'),
      h('div', {}, section('deploys', 'Suspected deploys'), section('tickets', 'Linked tickets'))),
    section('burn', 'SLO burn over the incident'),
    section('alerts', 'Alerts by entity'),
    section('timeline', 'Timeline', h('div', { class: 'field inline' }, h('label', { for: only.id }, 'Show'), only)),
    section('silence', 'Silence'),
    h('p', { class: 'keys' }, 'Keys: ', h('kbd', {}, 'u'), ' back to the list, ', h('kbd', {}, 'Tab'), ' through the controls'),
  );
  heading.focus();

  let doc: IncidentDetail | null = null;
  let slos: SloDoc[] = [];
  let histories = new Map<string, SloHistory | Error>();
  let drawnTopologyFor: string | null | undefined;
  let silenceReady = false;
  let loading: Promise<void> | null = null;
  let again = false;
  let seen: IncidentSummary | undefined = ctx.live.get(id);

  async function act(kind: 'acknowledgements' | 'resolutions'): Promise<void> {
    result.classList.remove('error');
    const by = who.value.trim();
    if (by === '') {
      result.classList.add('error');
      result.textContent = 'Who: say who you are first.';
      who.focus();
      return;
    }
    rememberWho(by);
    ack.disabled = resolve.disabled = true;
    try {
      await postJson(`/api/v1/${kind}`, { incident: id, by, ...(comment.value.trim() === '' ? {} : { comment: comment.value.trim() }) });
      result.textContent = kind === 'acknowledgements' ? `Acknowledged as ${by}.` : `Resolved by ${by}.`;
      comment.value = '';
    } catch (err) {
      result.classList.add('error');
      result.textContent = `Not done: ${(err as Error).message}`;
    }
    await load();
  }

  function load(): Promise<void> {
    if (loading !== null) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        [doc, slos] = await Promise.all([getJson<IncidentDetail>(path), getJson<SloDoc[]>('/api/v1/slos')]);
        draw();
        const loaded = doc;
        await Promise.all([
          loadHistories(loaded, slos).then((h) => {
            histories = h;
            draw();
          }),
          drawTopology(loaded),
        ]);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) notFound();
        else result.textContent = `Could not load: ${(err as Error).message}`;
      }
    })().finally(() => {
      loading = null;
      if (again) {
        again = false;
        void load();
      }
    });
    return loading;
  }

  function notFound(): void {
    heading.textContent = 'Incident not found';
    replace(sections.facts, h('p', {}, `${id} is not an incident now: it may have merged into another one, or aged out. `, h('a', { href: '#/incidents' }, 'Back to the incidents')));
    ack.disabled = resolve.disabled = true;
  }

  function draw(): void {
    if (doc === null) return;
    const now = Date.now();
    heading.textContent = doc.title;
    document.title = `${doc.title} · stormcell`;
    replace(sections.facts, facts(doc, now));
    replace(sections.deploys, deploys(doc));
    replace(sections.tickets, tickets(doc));
    replace(sections.burn, burnChart(slos, doc, now, histories));
    replace(sections.alerts, alertsByEntity(doc));
    replace(sections.timeline, timeline(doc, only.value));
    ack.disabled = resolve.disabled = doc.status !== 'open';
    if (!silenceReady) {
      silenceReady = true;
      replace(sections.silence, silenceForm({ idPrefix: 'sil', matchers: prefill(doc), comment: `silenced from ${doc.id}`, onlyIncident: doc.id, onCreated: () => void load() }));
    }
  }

  async function drawTopology(d: IncidentDetail): Promise<void> {
    const entity = d.rootCause?.entity ?? null;
    if (entity === drawnTopologyFor) return;
    drawnTopologyFor = entity;
    if (entity === null) return replace(sections.topology, h('p', { class: 'muted' }, 'No root cause is named yet.'));
    try {
      const n = await getJson<Neighbourhood>(`/api/v1/topology/neighbourhood?entity=${encodeURIComponent(entity)}`);
      const involved = new Set((d.alertStates ?? []).map((a) => a.entity).filter((e): e is string => e !== null));
      replace(sections.topology, h('p', {}, 'Root cause: ', h('strong', { class: 'cause-entity' }, entity), ` (score ${d.rootCause?.score.toFixed(2)})`), topologyGraph(n, involved));
    } catch (err) {
      const why = err instanceof ApiError && err.status === 404 ? 'it is not an entity of the topology, so there is no neighbourhood to draw' : (err as Error).message;
      replace(sections.topology, h('p', {}, 'Root cause: ', h('strong', { class: 'cause-entity' }, entity)), h('p', { class: 'muted' }, `No graph: ${why}.`));
    }
  }

  const unsubscribe = ctx.live.onChange(() => {
    const now = ctx.live.get(id);
    if (now === seen) return;
    seen = now;
    void load();
  });
  const timer = setInterval(() => void load(), REFRESH_MS);
  void load();
  return {
    onKey(ev) {
      if (ev.key !== 'u') return false;
      location.hash = '#/incidents';
      return true;
    },
    dispose() {
      unsubscribe();
      clearInterval(timer);
    },
  };
}

/**
 * The burn-rate history of each SLO the burn section shows, from an hour before the incident opened to its end (or
 * now); an SLO whose history cannot be read (Kafka mode keeps none) maps to the error, which the chart says.
 */
async function loadHistories(doc: IncidentDetail, slos: readonly SloDoc[]): Promise<Map<string, SloHistory | Error>> {
  const now = Date.now();
  const from = new Date(Date.parse(doc.openedAt) - HISTORY_LEAD_MS).toISOString();
  const to = doc.resolvedAt ?? new Date(now).toISOString();
  const entries = await Promise.all(relevantSlos(slos, doc, now).map(async (slo): Promise<[string, SloHistory | Error]> => {
    const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    try {
      return [slo.name, await getJson<SloHistory>(`/api/v1/slos/${encodeURIComponent(slo.name)}/history?${query}`)];
    } catch (err) {
      return [slo.name, err instanceof Error ? err : new Error(String(err))];
    }
  }));
  return new Map(entries);
}

/** The matchers a silence of this incident starts from: the labels all its alerts share, but their own severity. */
function prefill(doc: IncidentDetail): string {
  const [first, ...rest] = doc.alerts;
  const common = Object.entries(first?.labels ?? {}).filter(([k, v]) => k !== 'severity' && rest.every((a) => a.labels[k] === v));
  common.sort(([a], [b]) => (a < b ? -1 : 1));
  return common.length === 0 ? equalMatcher('incident', doc.id) : common.map(([k, v]) => equalMatcher(k, v)).join(', ');
}

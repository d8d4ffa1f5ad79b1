import { getJson } from './api.js';
import { h, replace } from './element.js';
import { formatTime } from './time-format.js';
import type { SloDoc } from './types.js';
import type { View, ViewContext } from './view.js';

/** The SLO overview: every SLO's budget left, burn rate per window (as of the last evaluation) and burn alerts. */
export function showSlos(ctx: ViewContext): View {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  replace(ctx.main, h('h1', { tabindex: -1 }, 'SLOs'), body,
    h('p', { class: 'muted' }, 'Burn rates are those of the last evaluation (a 60 s grid of event time); 1× spends exactly the error budget over the SLO period. Highlighted: above 1× and above 14.4×.'));
  document.title = 'SLOs · stormcell';

  async function load(): Promise<void> {
    try {
      draw(await getJson<SloDoc[]>('/api/v1/slos'));
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, `Could not load the SLOs: ${(err as Error).message}`));
    }
  }

  function draw(slos: SloDoc[]): void {
    if (slos.length === 0) return replace(body, h('p', {}, 'No SLO is configured (slos.yaml in the config directory).'));
    const windows = [...new Set(slos.flatMap((s) => Object.keys(s.burnRates)))];
    replace(body, h('table', { class: 'slos' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'SLO'), h('th', { scope: 'col' }, 'Objective'), h('th', { scope: 'col' }, 'Budget left'),
        ...windows.map((w) => h('th', { scope: 'col', class: 'num' }, w)), h('th', { scope: 'col' }, 'Burn alerts'))),
      h('tbody', {}, ...slos.map((slo) => h('tr', { 'data-slo': slo.name },
        h('th', { scope: 'row' }, slo.name),
        h('td', { class: 'num' }, `${slo.objective} %`),
        h('td', {}, slo.errorBudgetRemaining === null ? '–' : h('span', {},
          h('meter', { min: 0, max: 1, low: 0.25, optimum: 1, value: Math.max(0, slo.errorBudgetRemaining), 'aria-label': 'error budget left' }),
          ` ${(slo.errorBudgetRemaining * 100).toFixed(1)} %`)),
        ...windows.map((w) => {
          const r = slo.burnRates[w] ?? null;
          return h('td', { class: `num rate ${r === null ? '' : r >= 14.4 ? 'hot' : r >= 1 ? 'warm' : ''}` }, r === null ? '–' : r.toFixed(2));
        }),
        h('td', {}, burnAlerts(slo)))))));
  }

  const timer = setInterval(() => void load(), 10_000);
  void load();
  return { dispose: () => clearInterval(timer) };
}

function burnAlerts(slo: SloDoc): Node {
  if (slo.alerts.length === 0) return document.createTextNode('none');
  const firing = slo.alerts.filter((a) => a.resolvedAt === null);
  const last = slo.alerts[slo.alerts.length - 1] as SloDoc['alerts'][number];
  return h('span', {},
    firing.length === 0 ? `${slo.alerts.length} fired, none firing; last ${formatTime(last.firedAt)}` : '',
    ...firing.map((a) => h('span', { class: `tag ${a.severity}` }, `${a.longWindow}/${a.shortWindow} ${a.severity} since ${formatTime(a.firedAt)}`)));
}

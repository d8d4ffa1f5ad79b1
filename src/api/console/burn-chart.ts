import { h, s } from './element.js';
import type { IncidentDetail, SloDoc } from './types.js';

const W = 640;
const ROW = 22;
const LEFT = 110;
const RIGHT = 16;
const AXIS = 26;

/**
 * SLO burn over an incident's span, drawn from what the server keeps: each burn alert's fired and resolved times
 * (bars on a time axis around the incident) and the burn rates of the last evaluation per window (log-scale bars
 * with the 1× and 14.4× lines). stormcell keeps no history of burn rates, so none is drawn. The SLOs shown are
 * those the incident's burn alerts name and those that burned while it was open.
 */
export function burnChart(slos: readonly SloDoc[], inc: IncidentDetail, now: number): HTMLElement {
  const start = Date.parse(inc.openedAt);
  const end = inc.resolvedAt === null ? now : Date.parse(inc.resolvedAt);
  const named = new Set(inc.alerts.filter((a) => a.origin === 'slo').map((a) => a.labels['slo']));
  const overlaps = (a: SloDoc['alerts'][number]): boolean => Date.parse(a.firedAt) <= end && (a.resolvedAt === null ? now : Date.parse(a.resolvedAt)) >= start;
  const relevant = slos.filter((slo) => named.has(slo.name) || slo.alerts.some(overlaps));
  if (relevant.length === 0) {
    return h('p', { class: 'muted' }, slos.length === 0 ? 'No SLO is configured.' : `None of the ${slos.length} SLOs burned while this incident was open. `, slos.length === 0 ? null : h('a', { href: '#/slos' }, 'SLO overview'));
  }
  return h('div', { class: 'burn' }, ...relevant.map((slo) => sloFigure(slo, start, end, now, overlaps)));
}

function sloFigure(slo: SloDoc, start: number, end: number, now: number, overlaps: (a: SloDoc['alerts'][number]) => boolean): HTMLElement {
  const budget = slo.errorBudgetRemaining === null ? 'no data' : `${(slo.errorBudgetRemaining * 100).toFixed(1)} %`;
  return h('figure', { class: 'slo-burn', 'data-slo': slo.name },
    h('figcaption', {}, h('strong', {}, slo.name), ` objective ${slo.objective} % · error budget left ${budget}`),
    alertSpans(slo, start, end, now, overlaps),
    rateBars(slo),
    h('p', { class: 'muted small' }, 'Bars: burn alerts from firing to resolved (or now); shaded: while the incident was open. Rates are those of the last evaluation: stormcell keeps no burn-rate history.'));
}

/** Burn alerts as bars over the incident's span (shaded), one row per window pair. */
function alertSpans(slo: SloDoc, start: number, end: number, now: number, overlaps: (a: SloDoc['alerts'][number]) => boolean): SVGSVGElement {
  const alerts = slo.alerts.filter(overlaps);
  // The axis covers the incident and the whole of each burn that overlaps it (a burn often starts before its incident).
  const first = Math.min(start, ...alerts.map((a) => Date.parse(a.firedAt)));
  const pad = Math.max(60_000, (end - first) * 0.05);
  const from = first - pad;
  const to = end + pad;
  const x = (t: number): number => LEFT + ((Math.min(to, Math.max(from, t)) - from) / (to - from)) * (W - LEFT - RIGHT);
  const kinds = [...new Set(alerts.map((a) => `${a.longWindow}/${a.shortWindow} ${a.severity}`))];
  const height = AXIS + Math.max(1, kinds.length) * ROW + 8;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => from + f * (to - from));
  const described = alerts.length === 0 ? 'No burn alert fired during the incident.' : alerts.map((a) => `${a.longWindow}/${a.shortWindow} ${a.severity} fired at ${a.firedAt}${a.resolvedAt === null ? ', still firing' : `, resolved at ${a.resolvedAt}`}`).join('; ');
  return s('svg', { class: 'burn-spans', viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': `Burn alerts of ${slo.name} during the incident. ${described}` },
    s('rect', { class: 'span', x: x(start), y: 4, width: Math.max(2, x(end) - x(start)), height: height - AXIS }),
    ...kinds.map((k, i) => s('text', { class: 'label', x: LEFT - 8, y: 4 + i * ROW + 15, 'text-anchor': 'end' }, k)),
    ...alerts.map((a) => {
      const row = kinds.indexOf(`${a.longWindow}/${a.shortWindow} ${a.severity}`);
      const x1 = x(Date.parse(a.firedAt));
      const x2 = x(a.resolvedAt === null ? now : Date.parse(a.resolvedAt));
      return s('rect', { class: `alert ${a.severity}`, x: x1, y: 4 + row * ROW + 4, width: Math.max(3, x2 - x1), height: ROW - 8, rx: 3 },
        s('title', {}, `${a.longWindow}/${a.shortWindow} ${a.severity}: fired ${a.firedAt}${a.resolvedAt === null ? ', still firing' : `, resolved ${a.resolvedAt}`}`));
    }),
    alerts.length === 0 ? s('text', { class: 'label', x: LEFT, y: 4 + 15 }, 'no burn alert during the incident') : null,
    s('line', { class: 'axis', x1: LEFT, x2: W - RIGHT, y1: height - AXIS + 2, y2: height - AXIS + 2 }),
    ...ticks.map((t, i) => s('text', { class: 'tick', x: x(t), y: height - 8, 'text-anchor': i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle' }, new Date(t).toISOString().slice(to - from > 20 * 3_600_000 ? 5 : 11, 16).replace('T', ' '))),
  );
}

const RATE_H = 90;
const LOG_MIN = -1; // 0.1×
const LOG_MAX = 3; // 1000×

/** Burn rates of the last evaluation, one bar per window on a log scale, with the 1× and 14.4× lines. */
function rateBars(slo: SloDoc): SVGSVGElement {
  const windows = Object.keys(slo.burnRates);
  const slot = (W - LEFT - RIGHT) / Math.max(1, windows.length);
  const y = (r: number): number => {
    const l = Math.min(LOG_MAX, Math.max(LOG_MIN, Math.log10(Math.max(r, 10 ** LOG_MIN))));
    return 6 + RATE_H - ((l - LOG_MIN) / (LOG_MAX - LOG_MIN)) * RATE_H;
  };
  const height = RATE_H + 30;
  const described = windows.map((w) => `${w}: ${fmt(slo.burnRates[w] ?? null)}`).join(', ');
  return s('svg', { class: 'burn-rates', viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': `Burn rates of ${slo.name} now: ${described}` },
    s('text', { class: 'label', x: 0, y: 12 }, 'burn rate now'),
    s('text', { class: 'label muted', x: 0, y: 26 }, '(log scale)'),
    ...[1, 14.4].map((r) => s('g', { class: 'ref' },
      s('line', { x1: LEFT, x2: W - RIGHT, y1: y(r), y2: y(r) }),
      s('text', { x: LEFT - 8, y: y(r) + 3, 'text-anchor': 'end' }, `${r}×`))),
    ...windows.map((w, i) => {
      const r = slo.burnRates[w] ?? null;
      const cx = LEFT + i * slot + slot / 2;
      const top = r === null ? y(10 ** LOG_MIN) : y(r);
      return s('g', { class: `rate ${r === null ? 'none' : r >= 14.4 ? 'hot' : r >= 1 ? 'warm' : 'ok'}` },
        r === null ? null : s('rect', { x: cx - slot * 0.3, y: top, width: slot * 0.6, height: Math.max(1, y(10 ** LOG_MIN) - top) }),
        s('text', { class: 'value', x: cx, y: Math.max(12, top - 3), 'text-anchor': 'middle' }, fmt(r)),
        s('text', { class: 'tick', x: cx, y: height - 6, 'text-anchor': 'middle' }, w));
    }),
  );
}

function fmt(r: number | null): string {
  if (r === null) return '–';
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

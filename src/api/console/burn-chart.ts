import { h, s } from './element.js';
import type { IncidentDetail, SloDoc, SloHistory } from './types.js';

const W = 640;
const ROW = 22;
const LEFT = 110;
const RIGHT = 16;
const AXIS = 26;
const LOG_MIN = -1; // 0.1×
const LOG_MAX = 3; // 1000×

/** How far before the incident opened the burn-rate lines start: a burn usually builds up before it pages. */
export const HISTORY_LEAD_MS = 3_600_000;

/** The SLOs an incident's burn section shows: those its burn alerts name and those that burned while it was open. */
export function relevantSlos(slos: readonly SloDoc[], inc: IncidentDetail, now: number): SloDoc[] {
  const { start, end } = spanOf(inc, now);
  const named = new Set(inc.alerts.filter((a) => a.origin === 'slo').map((a) => a.labels['slo']));
  return slos.filter((slo) => named.has(slo.name) || slo.alerts.some((a) => overlapsSpan(a, start, end, now)));
}

/**
 * SLO burn over an incident's span: each burn alert's fired and resolved times (bars on a time axis around the
 * incident), the 1h and 5m burn rates every 5 minutes from an hour before the incident opened (log-scale lines with
 * the 1× and 14.4× lines; `histories` per SLO name, or the error that kept one from loading), and the burn rates of
 * the last evaluation per window (log-scale bars). The SLOs shown are those of {@link relevantSlos}.
 */
export function burnChart(slos: readonly SloDoc[], inc: IncidentDetail, now: number, histories: ReadonlyMap<string, SloHistory | Error>): HTMLElement {
  const { start, end } = spanOf(inc, now);
  const overlaps = (a: SloDoc['alerts'][number]): boolean => overlapsSpan(a, start, end, now);
  const relevant = relevantSlos(slos, inc, now);
  if (relevant.length === 0) {
    return h('p', { class: 'muted' }, slos.length === 0 ? 'No SLO is configured.' : `None of the ${slos.length} SLOs burned while this incident was open. `, slos.length === 0 ? null : h('a', { href: '#/slos' }, 'SLO overview'));
  }
  return h('div', { class: 'burn' }, ...relevant.map((slo) => sloFigure(slo, start, end, now, overlaps, histories.get(slo.name))));
}

function spanOf(inc: IncidentDetail, now: number): { start: number; end: number } {
  return { start: Date.parse(inc.openedAt), end: inc.resolvedAt === null ? now : Date.parse(inc.resolvedAt) };
}

function overlapsSpan(a: SloDoc['alerts'][number], start: number, end: number, now: number): boolean {
  return Date.parse(a.firedAt) <= end && (a.resolvedAt === null ? now : Date.parse(a.resolvedAt)) >= start;
}

function sloFigure(slo: SloDoc, start: number, end: number, now: number, overlaps: (a: SloDoc['alerts'][number]) => boolean, history: SloHistory | Error | undefined): HTMLElement {
  const budget = slo.errorBudgetRemaining === null ? 'no data' : `${(slo.errorBudgetRemaining * 100).toFixed(1)} %`;
  return h('figure', { class: 'slo-burn', 'data-slo': slo.name },
    h('figcaption', {}, h('strong', {}, slo.name), ` objective ${slo.objective} % · error budget left ${budget}`),
    alertSpans(slo, start, end, now, overlaps),
    history === undefined ? h('p', { class: 'muted small' }, 'Loading the burn-rate history…')
      : history instanceof Error ? h('p', { class: 'muted small' }, `No burn-rate history: ${history.message}`)
      : rateLines(slo, history, start - HISTORY_LEAD_MS, end, start),
    rateBars(slo),
    h('p', { class: 'muted small' }, 'Bars: burn alerts from firing to resolved (or now); shaded: while the incident was open. Lines: 1h and 5m burn rates every 5 minutes of event time. The last chart: burn rates of the last evaluation.'));
}

const LINE_H = 110;
const LINE_WINDOWS = [{ key: '1h', cls: 'long' }, { key: '5m', cls: 'short' }] as const;

/** The 1h and 5m burn rates over [from, to] as lines on a log scale, with the 1× and 14.4× lines; gaps where no value. */
function rateLines(slo: SloDoc, history: SloHistory, from: number, to: number, opened: number): SVGSVGElement {
  const x = (t: number): number => LEFT + ((Math.min(to, Math.max(from, t)) - from) / Math.max(1, to - from)) * (W - LEFT - RIGHT);
  const y = (r: number): number => 6 + LINE_H - ((logOf(r) - LOG_MIN) / (LOG_MAX - LOG_MIN)) * LINE_H;
  const height = LINE_H + 30;
  const points = history.points.map((p) => ({ at: Date.parse(p.at), burnRates: p.burnRates }));
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => from + f * (to - from));
  const peak = (key: string): string => fmt(points.reduce<number | null>((m, p) => {
    const r = p.burnRates[key] ?? null;
    return r === null ? m : m === null ? r : Math.max(m, r);
  }, null));
  const described = points.length === 0 ? 'no burn rate was evaluated in this span' : LINE_WINDOWS.map((w) => `${w.key} peak ${peak(w.key)}`).join(', ');
  return s('svg', { class: 'burn-lines', viewBox: `0 0 ${W} ${height}`, width: W, height, role: 'img', 'aria-label': `Burn rates of ${slo.name} from an hour before the incident: ${described}` },
    s('text', { class: 'label', x: 0, y: 12 }, 'burn rate'),
    s('text', { class: 'label muted', x: 0, y: 26 }, '(log scale)'),
    ...LINE_WINDOWS.map((w, i) => s('text', { class: `legend ${w.cls}`, x: 0, y: 46 + i * 14 }, `— ${w.key}`)),
    s('line', { class: 'opened', x1: x(opened), x2: x(opened), y1: 6, y2: 6 + LINE_H }),
    ...[1, 14.4].map((r) => s('g', { class: 'ref' },
      s('line', { x1: LEFT, x2: W - RIGHT, y1: y(r), y2: y(r) }),
      s('text', { x: LEFT - 8, y: y(r) + 3, 'text-anchor': 'end' }, `${r}×`))),
    ...LINE_WINDOWS.flatMap((w) => runsOf(points, w.key, history.step).map((run) => run.length === 1
      ? s('circle', { class: `burn-line ${w.cls}`, cx: x(run[0]?.at ?? 0), cy: y(run[0]?.rate ?? 0), r: 2 })
      : s('polyline', { class: `burn-line ${w.cls}`, points: run.map((p) => `${x(p.at).toFixed(1)},${y(p.rate).toFixed(1)}`).join(' ') }))),
    points.length === 0 ? s('text', { class: 'label', x: LEFT, y: 6 + LINE_H / 2 }, 'no burn rate was evaluated in this span') : null,
    s('line', { class: 'axis', x1: LEFT, x2: W - RIGHT, y1: 6 + LINE_H, y2: 6 + LINE_H }),
    ...ticks.map((t, i) => s('text', { class: 'tick', x: x(t), y: height - 6, 'text-anchor': i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle' }, new Date(t).toISOString().slice(to - from > 20 * 3_600_000 ? 5 : 11, 16).replace('T', ' '))),
  );
}

/** Consecutive points (one step apart) with a value for `key`: a missing value or a skipped step breaks the line. */
function runsOf(points: ReadonlyArray<{ at: number; burnRates: Record<string, number | null> }>, key: string, step: number): Array<Array<{ at: number; rate: number }>> {
  const runs: Array<Array<{ at: number; rate: number }>> = [];
  let run: Array<{ at: number; rate: number }> = [];
  let last = Number.NaN;
  for (const p of points) {
    const rate = p.burnRates[key] ?? null;
    if (rate === null || !(p.at - last <= step)) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    if (rate !== null) run.push({ at: p.at, rate });
    last = p.at;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function logOf(r: number): number {
  return Math.min(LOG_MAX, Math.max(LOG_MIN, Math.log10(Math.max(r, 10 ** LOG_MIN))));
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

/** Burn rates of the last evaluation, one bar per window on a log scale, with the 1× and 14.4× lines. */
function rateBars(slo: SloDoc): SVGSVGElement {
  const windows = Object.keys(slo.burnRates);
  const slot = (W - LEFT - RIGHT) / Math.max(1, windows.length);
  const y = (r: number): number => 6 + RATE_H - ((logOf(r) - LOG_MIN) / (LOG_MAX - LOG_MIN)) * RATE_H;
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

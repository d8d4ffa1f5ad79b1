import { fingerprint } from '../src/model/fingerprint.js';
import type { AlertSource } from './alert-rules.js';
import type { Condition, Emission } from './capture-scenario.js';
import type { Rng } from './rng.js';

/** One rule evaluator (a Prometheus replica or a Loki ruler) and how its notifier behaves. */
export interface RulerSpec {
  /** e.g. `prometheus-k8s-0`. */
  readonly name: string;
  readonly source: AlertSource;
  /** Only conditions of this cluster are evaluated; null evaluates every cluster (the platform Prometheus). */
  readonly cluster: string | null;
  readonly intervalMs: number;
  /** Prometheus `--rules.alert.resend-delay` (1m by default). */
  readonly resendDelayMs: number;
  /** External labels left after `alert_relabel_configs` (the HA pair drops `prometheus_replica`). */
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Its external URL, the base of `generatorURL`. */
  readonly url: string;
}

/** One firing episode of one condition as one ruler saw it. */
export interface Episode {
  readonly condition: Condition;
  readonly ruler: RulerSpec;
  readonly labels: Readonly<Record<string, string>>;
  readonly fingerprint: string;
  readonly activeAt: number;
  readonly firedAt: number;
  /** Infinity while still firing when the capture ends. */
  readonly resolvedAt: number;
  /** Go-formatted `startsAt` (FiredAt, with the evaluation's nanoseconds). */
  readonly startsAt: string;
  readonly generatorURL: string;
  /** Formats another instant of the same evaluation grid as Go does (for `endsAt`). */
  readonly formatTick: (ms: number) => string;
}

const RESOLVED_RETENTION_MS = 15 * 60_000;
const MAX_BATCH = 256;

/**
 * Evaluates conditions the way a Prometheus rule group does: on a fixed grid (a per-group phase inside the interval),
 * pending until `for` has elapsed, firing until the first evaluation after the condition ends. Each replica sees the
 * condition's edges a few seconds apart (independent scrapes), so the two replicas of a pair fire with different
 * `startsAt`, and for short conditions sometimes only one of them fires at all.
 */
export function evaluate(conditions: readonly Condition[], ruler: RulerSpec, rng: Rng): Episode[] {
  const grids = new Map<string, Grid>();
  const episodes: Episode[] = [];
  for (const c of conditions) {
    if (c.template.source !== ruler.source) continue;
    if (ruler.cluster !== null && c.cluster !== ruler.cluster) continue;
    let grid = grids.get(c.template.group);
    if (grid === undefined) {
      grid = new Grid(ruler.intervalMs, rng.int(0, ruler.intervalMs - 1), String(rng.int(0, 999_999)).padStart(6, '0'));
      grids.set(c.template.group, grid);
    }
    const skew = ruler.source === 'prometheus' ? 8_000 : 2_000;
    const start = c.start + rng.between(-skew, skew);
    const end = c.end + rng.between(-skew, skew);
    const activeAt = grid.atOrAfter(start);
    const firedAt = grid.atOrAfter(activeAt + c.template.forMs);
    if (!(firedAt < end)) continue; // resolved while pending: never sent
    const resolvedAt = Number.isFinite(end) ? grid.atOrAfter(end) : Infinity;
    // `cluster` is an external label of the cluster's rulers and a target label on the platform Prometheus.
    const labels = sortKeys({ ...c.template.labels, cluster: c.cluster, ...ruler.externalLabels });
    const g = grid;
    episodes.push({
      condition: c, ruler, labels, fingerprint: fingerprint(labels), activeAt, firedAt, resolvedAt,
      startsAt: g.format(firedAt),
      generatorURL: `${ruler.url}/graph?g0.expr=${goQueryEscape(c.template.expr)}&g0.tab=1`,
      formatTick: (ms) => g.format(ms),
    });
  }
  return episodes;
}

/**
 * The notifier of a ruler that posts to `/api/v2/alerts`: every evaluation sends the alerts that need sending
 * (Prometheus `needsSending`: newly firing, newly resolved, or last sent more than resend-delay ago, strictly, so a
 * 30 s group re-sends every 90 s) with endsAt = evaluation + 4 × max(resend delay, interval); resolved alerts go on
 * being sent for 15 minutes with endsAt = their resolution. One request per group evaluation, at most 256 alerts.
 */
export function notify(
  episodes: readonly Episode[],
  windowStart: number,
  windowEnd: number,
  rng: Rng,
): { emissions: Emission[]; sent: Episode[] } {
  const sent: Episode[] = [];
  const byTick = new Map<string, { at: number; group: string; alerts: string[] }>();
  for (const e of episodes) {
    const { intervalMs, resendDelayMs } = e.ruler;
    const step = (Math.floor(resendDelayMs / intervalMs) + 1) * intervalMs;
    const validMs = 4 * Math.max(resendDelayMs, intervalMs);
    const head = `{"labels":${JSON.stringify(e.labels)},"annotations":`;
    const staticAnnotations = JSON.stringify(sortKeys(e.condition.template.annotations));
    const mid = `,"startsAt":"${e.startsAt}","endsAt":"`;
    const tail = `","generatorURL":${JSON.stringify(e.generatorURL)}}`;
    let any = false;
    const push = (t: number, endsAt: number): void => {
      if (t < windowStart || t >= windowEnd) return;
      any = true;
      const at = e.condition.template.annotationsAt;
      const annotations = at === undefined ? staticAnnotations : JSON.stringify(sortKeys(at(t - e.activeAt)));
      const key = `${e.ruler.name}|${e.condition.template.group}|${t}`;
      let bucket = byTick.get(key);
      if (bucket === undefined) {
        bucket = { at: t, group: e.condition.template.group, alerts: [] };
        byTick.set(key, bucket);
      }
      bucket.alerts.push(head + annotations + mid + e.formatTick(endsAt) + tail);
    };
    // Ticks before the window are skipped arithmetically: Watchdog has been firing for weeks.
    const firstFiring = e.firedAt >= windowStart ? e.firedAt : e.firedAt + Math.ceil((windowStart - e.firedAt) / step) * step;
    for (let t = firstFiring; t < e.resolvedAt && t < windowEnd; t += step) push(t, t + validMs);
    if (Number.isFinite(e.resolvedAt)) {
      for (let t = e.resolvedAt; t - e.resolvedAt <= RESOLVED_RETENTION_MS && t < windowEnd; t += step) push(t, e.resolvedAt);
    }
    if (any) sent.push(e);
  }
  const out: Emission[] = [];
  for (const b of byTick.values()) {
    // Evaluating the group's rules and handing the batch to the notifier takes a few milliseconds.
    const at = b.at + rng.int(3, 60);
    for (let i = 0; i < b.alerts.length; i += MAX_BATCH) {
      out.push({ at, path: '/api/v2/alerts', bodyJson: `[${b.alerts.slice(i, i + MAX_BATCH).join(',')}]` });
    }
  }
  return { emissions: out, sent };
}

/** A rule group's evaluation grid: `phase + k × interval`, plus the nanoseconds Go prints after the milliseconds. */
class Grid {
  constructor(
    private readonly intervalMs: number,
    private readonly phaseMs: number,
    private readonly nanos: string,
  ) {}

  atOrAfter(t: number): number {
    if (!Number.isFinite(t)) return t;
    return this.phaseMs + Math.ceil((t - this.phaseMs) / this.intervalMs) * this.intervalMs;
  }

  format(ms: number): string {
    return goTime(ms, this.nanos);
  }
}

/** Formats an instant as Go's RFC3339Nano does: nanosecond fraction with trailing zeros trimmed. */
export function goTime(ms: number, subMsNanos = '000000'): string {
  const iso = new Date(ms).toISOString(); // 2026-03-02T08:04:17.283Z
  const frac = (iso.slice(20, 23) + subMsNanos).replace(/0+$/, '');
  return iso.slice(0, 19) + (frac === '' ? '' : '.' + frac) + 'Z';
}

/** Go's url.QueryEscape, which Prometheus uses for `g0.expr`: space as '+', only [A-Za-z0-9-_.~] unescaped. */
function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

/** Go marshals maps with sorted keys; so does every JSON object this generator writes for a Go sender. */
export function sortKeys(o: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k] as string;
  return out;
}

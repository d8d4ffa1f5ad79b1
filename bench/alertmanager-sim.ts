import type { Emission } from './capture-scenario.js';
import type { Episode } from './ruler-sim.js';
import { sortKeys } from './ruler-sim.js';
import type { Rng } from './rng.js';

/** The upstream Alertmanager's route towards stormcell's webhook (`webhook_configs`, send_resolved: true). */
export interface UpstreamRoute {
  readonly receiver: string;
  readonly externalURL: string;
  /** The route's matchers as Alertmanager prints them in a group key, e.g. `{team="platform"}`. */
  readonly matchers: string;
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
}

/** What was notified about each episode, for the ground truth. */
export interface Notified {
  readonly episode: Episode;
  readonly firstNotifiedAt: number;
}

interface Group {
  readonly key: string;
  readonly groupLabels: Record<string, string>;
  readonly episodes: Episode[];
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Simulates an Alertmanager aggregation group per `group_by` value: the first flush `group_wait` after the group
 * appears, then a flush every `group_interval` that notifies only when the firing set grew, an alert resolved, or
 * `repeat_interval` passed (the DedupStage's needsUpdate); resolved alerts leave the group once notified and an empty
 * group is deleted. Firing alerts carry Go's zero time as `endsAt`, as Alertmanager's webhook writes them.
 */
export function alertmanagerWebhook(
  episodes: readonly Episode[],
  route: UpstreamRoute,
  windowStart: number,
  windowEnd: number,
  rng: Rng,
): { emissions: Emission[]; notified: Notified[] } {
  const groups = new Map<string, Group>();
  for (const e of episodes) {
    const groupLabels = sortKeys(Object.fromEntries(route.groupBy.map((n) => [n, e.labels[n] ?? ''])));
    const key = `{}/${route.matchers}:{${Object.entries(groupLabels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, groupLabels, episodes: [] };
      groups.set(key, g);
    }
    g.episodes.push(e);
  }
  const emissions: Emission[] = [];
  const notified = new Map<Episode, number>();
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key) as Group;
    for (const n of simulateGroup(g, route, windowEnd)) {
      if (n.at < windowStart) continue;
      const at = n.at + rng.int(5, 200);
      emissions.push({ at, path: '/webhook/alertmanager', bodyJson: JSON.stringify(payload(g, route, n.at, n.firing, n.resolved)) });
      for (const e of [...n.firing, ...n.resolved]) if (!notified.has(e)) notified.set(e, at);
    }
  }
  return { emissions, notified: [...notified].map(([episode, firstNotifiedAt]) => ({ episode, firstNotifiedAt })) };
}

interface Flush {
  readonly at: number;
  readonly firing: Episode[];
  readonly resolved: Episode[];
}

function simulateGroup(g: Group, route: UpstreamRoute, windowEnd: number): Flush[] {
  const pending = g.episodes.slice().sort((a, b) => a.firedAt - b.firedAt);
  const flushes: Flush[] = [];
  let members: Episode[] = [];
  let next = 0; // index into pending
  let nextFlush = -Infinity;
  let last: { firing: Set<Episode>; resolved: Set<Episode>; at: number } | null = null;
  for (;;) {
    // An empty group waits for its next alert, which recreates it with a fresh group_wait.
    if (members.length === 0) {
      const e = pending[next];
      if (e === undefined || e.firedAt >= windowEnd) break;
      nextFlush = e.firedAt + route.groupWaitMs;
      last = null;
    }
    if (nextFlush >= windowEnd) break;
    while (next < pending.length && (pending[next] as Episode).firedAt <= nextFlush) {
      const e = pending[next++] as Episode;
      // Same labels again (a re-fire): Alertmanager holds one alert per fingerprint, the newest.
      members = members.filter((m) => m.fingerprint !== e.fingerprint);
      members.push(e);
    }
    const t = nextFlush;
    const firing = members.filter((e) => e.resolvedAt > t);
    const resolved = members.filter((e) => e.resolvedAt <= t);
    if (needsUpdate(last, firing, resolved, t, route.repeatIntervalMs)) {
      flushes.push({ at: t, firing, resolved });
      last = { firing: new Set(firing), resolved: new Set(resolved), at: t };
    }
    // After every flush, notified or deduplicated, resolved alerts leave the group (DeleteIfNotModified).
    members = firing;
    nextFlush = t + route.groupIntervalMs;
  }
  return flushes;
}

/** Alertmanager's DedupStage decision, with send_resolved on. */
function needsUpdate(
  last: { firing: Set<Episode>; resolved: Set<Episode>; at: number } | null,
  firing: readonly Episode[],
  resolved: readonly Episode[],
  now: number,
  repeatMs: number,
): boolean {
  if (last === null) return firing.length > 0;
  if (!firing.every((e) => last.firing.has(e))) return true;
  if (!resolved.every((e) => last.resolved.has(e))) return true;
  if (firing.length === 0) return false;
  return last.at <= now - repeatMs;
}

function payload(g: Group, route: UpstreamRoute, at: number, firing: readonly Episode[], resolved: readonly Episode[]): unknown {
  const alerts = [...firing, ...resolved].map((e) => {
    const isResolved = e.resolvedAt <= at;
    const at2 = e.condition.template.annotationsAt;
    return {
      status: isResolved ? 'resolved' : 'firing',
      labels: e.labels,
      annotations: sortKeys(at2 === undefined ? e.condition.template.annotations : at2(Math.min(at, e.resolvedAt) - e.activeAt)),
      startsAt: e.startsAt,
      endsAt: isResolved ? e.formatTick(e.resolvedAt) : GO_ZERO_TIME,
      generatorURL: e.generatorURL,
      fingerprint: e.fingerprint,
    };
  });
  return {
    receiver: route.receiver,
    status: firing.length > 0 ? 'firing' : 'resolved',
    alerts,
    groupLabels: g.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: route.externalURL,
    version: '4',
    groupKey: g.key,
    truncatedAlerts: 0,
  };
}

function common(sets: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const first = sets[0];
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (sets.every((s) => s[k] === v)) out[k] = v;
  return out;
}

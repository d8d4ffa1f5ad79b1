import type { IncidentDoc, Instant, LabelSet } from '../model/index.js';
import { formatInstant } from '../model/index.js';
import { idempotencyKey, integrationName, type EnqueuedItem, type Notification } from '../actions/index.js';
import { timeMute, type Inhibitor, type MatchedRoute, type RouteTree, type Silencer, type TimeIntervals } from '../route/index.js';
import { needsUpdate, type GroupState, type NotifyReason } from './notify-decision.js';
import { notificationDigest, routingLabels } from './routing-labels.js';

/** Where notifications go once decided: the outbox, which persists them before it sends anything. */
export interface NotificationSink {
  enqueue(notifications: readonly Notification[]): Promise<void>;
}

/** What the notifier reads of the incidents: the engine's documents and its topology-driven fold. */
export interface IncidentView {
  incident(id: string): IncidentDoc | undefined;
  /** Every open incident (their labels are the sources inhibition rules look at). */
  openIncidents(): IncidentDoc[];
  /** The ids of the open incidents (what is looked at again without a change). */
  openIncidentIds(): string[];
  /** The open incident of this incident's cause (a datastore, a node) that its notifications fold into, or null. */
  foldTarget(id: string): string | null;
}

/** One receiver's integrations as routing.yaml lists them: `webhook_configs[0]` is `{type: 'webhook', index: 0}`. */
export interface ReceiverIntegrations {
  readonly type: string;
  readonly index: number;
}

/** What the notifier is built from. */
export interface NotifierDeps {
  readonly tree: RouteTree;
  readonly receivers: ReadonlyMap<string, readonly ReceiverIntegrations[]>;
  readonly inhibitor: Inhibitor;
  readonly timeIntervals: TimeIntervals;
  readonly silencer: Silencer;
  readonly incidents: IncidentView;
  readonly sink: NotificationSink;
  readonly externalURL: string;
}

/** A note for an incident's timeline: why it was or was not notified. */
export interface NotifyNote {
  readonly at: Instant;
  readonly type: 'notification-queued' | 'notification-muted';
  readonly message: string;
  readonly reason?: string;
}

const MAX_NOTES = 100;

/**
 * The router: incidents to receivers through Alertmanager's route tree, with its timing (group_wait,
 * group_interval, repeat_interval), silences, inhibition, time intervals and stormcell's topology fold, and the
 * decision when to notify made by {@link needsUpdate}. It holds what each receiver was last told per incident;
 * after a restart that is rebuilt from the outbox ({@link restore}), so an incident state already queued is not
 * queued again and nothing already sent is repeated early.
 *
 * Each incident is its own Alertmanager group (groupKey = incident id, CONTRACT §7); `group_by` picks the
 * notification's groupLabels. A receiver hears about an incident once however many routes lead to it.
 */
export class Notifier {
  /** Per incident and receiver: what it was told last. */
  private readonly groups = new Map<string, GroupState>();
  /** The incident as last notified, for the resolve of an incident that was merged away. */
  private readonly lastDocs = new Map<string, IncidentDoc>();
  /** Incidents to look at on the next tick: changed, or due (group_wait/interval, repeat) by then. */
  private readonly due = new Map<string, Instant>();
  private readonly notes = new Map<string, NotifyNote[]>();
  /** When the notifier first heard of each incident: group_wait runs from here, as from an Alertmanager group's creation. */
  private readonly firstSeen = new Map<string, Instant>();
  private readonly mutedBy = new Map<string, string>();

  constructor(private readonly deps: NotifierDeps) {}

  /**
   * Rebuilds what receivers were told from what the outbox holds (after a restart): the latest version per
   * incident and receiver, with its status and digest, so the same state is not queued again.
   */
  restore(items: readonly EnqueuedItem[]): void {
    for (const it of items) {
      const key = groupKey(it.incidentId, it.receiver);
      const old = this.groups.get(key);
      const firstSeenAt = Math.min(old?.firstSeenAt ?? it.enqueuedAt, it.enqueuedAt);
      if (old?.last != null && old.last.version >= it.version) {
        this.groups.set(key, { ...old, firstSeenAt });
        continue;
      }
      this.groups.set(key, { firstSeenAt, last: { at: it.enqueuedAt, status: it.status, digest: it.digest ?? '', version: it.version } });
      this.due.set(it.incidentId, it.enqueuedAt);
    }
  }

  /**
   * An incident merged into another: whoever was paged for it hears it resolved, so no page is left open that
   * nothing will ever close; the surviving incident carries on with its own notifications.
   */
  merged(id: string, now: Instant): Notification[] {
    // After a restart the last document is gone: a resolve needs no more than the id (PagerDuty's dedup_key).
    const doc = this.lastDocs.get(id) ?? {
      id, title: id, severity: 'sev4', status: 'open', openedAt: formatInstant(now), resolvedAt: null,
      alerts: [], tickets: [], suspectedDeploys: [], rootCause: null,
    };
    const out: Notification[] = [];
    for (const [key, state] of this.groups) {
      if (!key.startsWith(id + '\u0000')) continue;
      this.groups.delete(key);
      if (state.last === null || state.last.status !== 'firing') continue;
      const receiver = key.slice(id.length + 1);
      const closed: IncidentDoc = { ...doc, status: 'resolved', resolvedAt: formatInstant(now), title: `${doc.title} (merged into another incident)` };
      out.push(...this.notifications(closed, receiver, 'resolved', state.last.version + 1, routingLabels(closed), {}, now, notificationDigest(closed)));
      this.note(id, { at: now, type: 'notification-queued', message: `resolved notification for receiver ${receiver}: merged into another incident`, reason: 'resolved' });
    }
    this.lastDocs.delete(id);
    this.firstSeen.delete(id);
    this.due.delete(id);
    return out;
  }

  /** An incident changed (opened, updated, resolved, reopened, merged away): look at it on the next tick. */
  touch(id: string, now: Instant): void {
    this.due.set(id, Math.min(this.due.get(id) ?? now, now));
    if (!this.firstSeen.has(id)) this.firstSeen.set(id, now);
  }

  /** Incidents that were not changed but may be due: the open ones (a repeat, a silence that expired). */
  touchOpen(now: Instant): void {
    for (const id of this.deps.incidents.openIncidentIds()) {
      if (!this.due.has(id)) this.due.set(id, now);
      if (!this.firstSeen.has(id)) this.firstSeen.set(id, now);
    }
  }

  /** Decides and queues every notification due at `now`. */
  async tick(now: Instant): Promise<number> {
    const ready = [...this.due].filter(([, at]) => at <= now).map(([id]) => id).sort();
    if (ready.length === 0) return 0;
    // Inhibition looks at every open incident; without inhibit rules there is nothing to build that list for.
    const sources = this.deps.inhibitor.rules.length === 0 ? [] : this.deps.incidents.openIncidents().map((inc) => ({ id: inc.id, labels: routingLabels(inc) }));
    const out: Notification[] = [];
    for (const id of ready) {
      this.due.delete(id);
      const inc = this.deps.incidents.incident(id);
      if (inc === undefined) {
        // Merged away while this process was not looking (a restart replayed the merge), or gone past retention:
        // a page still open for it is resolved, never orphaned.
        out.push(...this.merged(id, now));
        this.forget(id);
        continue;
      }
      out.push(...this.decide(inc, sources, now));
    }
    if (out.length > 0) await this.deps.sink.enqueue(out);
    return out.length;
  }

  /** The notifier's own notes for an incident's timeline, oldest first. */
  timeline(id: string): readonly NotifyNote[] {
    return this.notes.get(id) ?? [];
  }

  private decide(inc: IncidentDoc, sources: ReadonlyArray<{ id: string; labels: LabelSet }>, now: Instant): Notification[] {
    const labels = routingLabels(inc);
    const muted = this.mutedReason(inc, labels, sources, now);
    const status = inc.status === 'open' ? 'firing' : 'resolved';
    const digest = notificationDigest(inc);
    const out: Notification[] = [];
    const seen = new Set<string>();
    for (const route of this.deps.tree.match(labels)) {
      if (seen.has(route.receiver)) continue;
      seen.add(route.receiver);
      const key = groupKey(inc.id, route.receiver);
      const state = this.groups.get(key) ?? { firstSeenAt: this.firstSeen.get(inc.id) ?? now, last: null };
      const time = timeMute(route, this.deps.timeIntervals, now);
      const routeMuted = muted ?? (time === null ? null : time.kind === 'mute' ? `mute_time_intervals ${time.intervals.join(', ')}` : 'outside its active_time_intervals');
      const d = needsUpdate(state, { status, digest, muted: routeMuted !== null }, route, now);
      this.noteMuted(inc.id, route.receiver, routeMuted, d.reason, now);
      if (!d.send) {
        this.groups.set(key, state);
        if (d.dueAt !== null) this.due.set(inc.id, Math.min(this.due.get(inc.id) ?? d.dueAt, d.dueAt));
        continue;
      }
      const version = (state.last?.version ?? 0) + 1;
      this.groups.set(key, { firstSeenAt: state.firstSeenAt, last: { at: now, status, digest, version } });
      if (status === 'firing') this.due.set(inc.id, Math.min(this.due.get(inc.id) ?? now + route.repeatIntervalMs, now + route.repeatIntervalMs));
      out.push(...this.notifications(inc, route.receiver, status, version, labels, groupLabelsOf(labels, route), now, digest));
      this.note(inc.id, {
        at: now,
        type: 'notification-queued',
        message: `${status} notification ${version} for receiver ${route.receiver}`,
        reason: d.reason,
      });
    }
    this.lastDocs.set(inc.id, inc);
    return out;
  }

  /** One notification per integration of the receiver. */
  private notifications(
    inc: IncidentDoc, receiver: string, status: 'firing' | 'resolved', version: number, labels: LabelSet, groupLabels: LabelSet, now: Instant, digest: string,
  ): Notification[] {
    return (this.deps.receivers.get(receiver) ?? []).map((i) => {
      const integration = integrationName(i.type, i.index);
      return {
        receiver, integration, incident: inc, status, version, digest,
        idempotencyKey: idempotencyKey(inc.id, version, receiver, integration),
        groupLabels, commonLabels: labels, externalURL: this.deps.externalURL, now,
      };
    });
  }

  private forget(id: string): void {
    for (const key of [...this.groups.keys()]) if (key.startsWith(id + '\u0000')) this.groups.delete(key);
    this.lastDocs.delete(id);
    this.firstSeen.delete(id);
    this.notes.delete(id);
    for (const key of [...this.mutedBy.keys()]) if (key.startsWith(id + '\u0000')) this.mutedBy.delete(key);
  }

  /** Why the incident may not page now, independent of the route: a silence, an inhibition, its cause's incident. */
  private mutedReason(inc: IncidentDoc, labels: LabelSet, sources: ReadonlyArray<{ id: string; labels: LabelSet }>, now: Instant): string | null {
    const silences = this.deps.silencer.silencing(labels, now);
    if (silences.length > 0) return `silenced by ${silences.join(', ')}`;
    const others = sources.filter((s) => s.id !== inc.id);
    const rule = this.deps.inhibitor.isInhibited(labels, others.map((s) => s.labels));
    if (rule !== null) return `inhibited by inhibit_rules[${rule}]`;
    const fold = this.deps.incidents.foldTarget(inc.id);
    if (fold !== null) return `folded into ${fold}, the incident of its cause`;
    return null;
  }

  /** Notes a change of muting on the timeline once, not at every look. */
  private noteMuted(id: string, receiver: string, why: string | null, reason: NotifyReason, now: Instant): void {
    const key = `${id}\u0000${receiver}`;
    const was = this.mutedBy.get(key) ?? null;
    if (why === was) return;
    if (why === null) this.mutedBy.delete(key);
    else this.mutedBy.set(key, why);
    if (why !== null && reason === 'muted') this.note(id, { at: now, type: 'notification-muted', message: `no notification to ${receiver}: ${why}` });
  }

  private note(id: string, n: NotifyNote): void {
    let list = this.notes.get(id);
    if (list === undefined) this.notes.set(id, (list = []));
    list.push(n);
    if (list.length > MAX_NOTES) list.splice(0, list.length - MAX_NOTES);
  }
}

function groupKey(incidentId: string, receiver: string): string {
  return `${incidentId}\u0000${receiver}`;
}

/** The notification's groupLabels: the incident's routing labels that the route groups by. */
function groupLabelsOf(labels: LabelSet, route: MatchedRoute): LabelSet {
  if (route.groupByAll) return labels;
  const out: Record<string, string> = {};
  for (const name of route.groupBy) {
    const v = labels[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

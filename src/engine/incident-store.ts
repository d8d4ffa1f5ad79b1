import type { Instant, Severity } from '../model/index.js';
import { fingerprint, formatInstant, severityRank } from '../model/index.js';

/** A deploy suspected of causing an incident, with why. */
export interface SuspectDeploy {
  service: string;
  version: string;
  at: Instant;
  score: number;
  reason: string;
}

/** One timeline entry as stored (instant as a number; rendered to RFC 3339 at the edge). */
export interface TimelineRecord {
  at: Instant;
  type: string;
  message: string;
  fingerprint?: string;
  reason?: string;
  score?: number;
}

/** An incident's state. Plain data so that snapshots are `JSON.stringify` of it. */
export interface IncidentRecord {
  readonly id: string;
  /** Creation order: the deterministic tie-break between incidents. */
  readonly seq: number;
  openedAt: Instant;
  resolvedAt: Instant | null;
  status: 'open' | 'resolved';
  severity: Severity;
  /** Fingerprints in the order they joined. */
  alerts: string[];
  /** How many of `alerts` are firing now. */
  firing: number;
  /** Topology entities of the alerts, in the order they first appeared. */
  entities: string[];
  /** Fallback grouping keys (`cluster="eu-1",namespace="shop"`) of alerts without an entity. */
  groups: string[];
  /** Service names involved (labels and entities), for deploys and tickets. */
  services: string[];
  /** Per service, when its first alert here started: a deploy is judged by how long before this it landed. */
  serviceStarts: Record<string, Instant>;
  /** Per service, how many of the incident's alerts speak of it. */
  serviceAlerts: Record<string, number>;
  /** The `cluster` labels of its alerts: a deploy elsewhere is not a suspect. */
  clusters: string[];
  /** Per entity, when an alert on it last started firing here: correlation windows run from these. */
  entityStarts: Record<string, Instant>;
  /** Per entity, the worst severity rank (1 = sev1) of its alerts here. */
  entitySeverity: Record<string, number>;
  /** When the latest new entity started failing here: an incident still spreading is still taking alerts. */
  grewAt?: Instant;
  /** Per entity, how many of its alerts here fire now (absent in snapshots from before it was kept). */
  entityFiring?: Record<string, number>;
  /** Per alertname, when an alert of that name last started here (text correlation looks no further). */
  names: Record<string, Instant>;
  /** Per k-means cluster (when the pipeline has one), when an alert of it last started here. */
  kinds: Record<string, Instant>;
  /** Per grouping key, when an alert with it last started firing here. */
  groupStarts: Record<string, Instant>;
  tickets: string[];
  suspectedDeploys: SuspectDeploy[];
  rootCause: { entity: string; score: number } | null;
  timeline: TimelineRecord[];
  /** Timeline entries dropped to respect the cap. */
  timelineDropped: number;
  /** The cluster of a burst this incident gathers, while the burst goes on; null otherwise. */
  burst: string | null;
  /** Severity was raised once for the blast radius (it is not raised again as more entities join). */
  blastRaised: boolean;
  /** Who acknowledged the incident and when; cleared when it reopens. */
  acknowledged?: { by: string; at: Instant } | null;
  /** Who resolved the incident by hand and when; cleared when it reopens. */
  resolvedBy?: { by: string; at: Instant } | null;
}

/**
 * Holds incidents and the indexes correlation needs (open incidents by entity and by fallback group).
 * It changes state only through its methods, so indexes never drift from records.
 */
export class IncidentStore {
  readonly incidents = new Map<string, IncidentRecord>();
  private readonly openByEntity = new Map<string, Set<string>>();
  private readonly openByGroup = new Map<string, Set<string>>();
  /** Open incidents, in creation order. */
  private readonly open_ = new Set<string>();
  /** Per alertname, its open incidents sorted by `seq`, so that "the newest few" means the same after a restore. */
  private readonly openByName = new Map<string, IncidentRecord[]>();
  /** How many incidents (open or resolved) hold each cluster: the cluster names a ticket may use. */
  private readonly clusterRefs = new Map<string, number>();
  /** Resolved incidents by resolve time (oldest first), pruned as they age out of any reopen window. */
  private resolvedRecently: IncidentRecord[] = [];
  private seq = 0;

  constructor(private readonly maxTimelineEntries: number) {}

  get(id: string): IncidentRecord | undefined {
    return this.incidents.get(id);
  }

  /** Open incidents holding the entity. */
  openWithEntity(entity: string): IncidentRecord[] {
    return this.lookup(this.openByEntity.get(entity));
  }

  /** Whether an open incident holds the entity (no list built: asked at every step of a dependency walk). */
  hasOpenWithEntity(entity: string): boolean {
    return (this.openByEntity.get(entity)?.size ?? 0) > 0;
  }

  /** The ids of the open incidents; callers must not depend on their order. */
  openIds(): string[] {
    return [...this.open_];
  }

  /** Every open incident. */
  openIncidents(): IncidentRecord[] {
    return this.lookup(this.open_);
  }

  /**
   * The newest `limit` open incidents holding an alert with this alertname, newest first; with `cluster`, only those
   * that can take an alert of that k8s cluster (it is theirs, or they have none). Counting only those keeps one
   * cluster's candidates independent of how busy the others are, so a cluster's incidents come out the same
   * whether one engine sees every cluster or each cluster has its own (Kafka mode's partitions).
   */
  openWithName(name: string, limit: number, cluster?: string): IncidentRecord[] {
    const list = this.openByName.get(name);
    if (list === undefined) return [];
    if (cluster === undefined) return list.slice(Math.max(0, list.length - limit)).reverse();
    const out: IncidentRecord[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < limit; i--) {
      const inc = list[i] as IncidentRecord;
      if (inc.clusters.length === 0 || inc.clusters.includes(cluster)) out.push(inc);
    }
    return out;
  }

  /** Records that the incident has an alert of k8s cluster `c`. */
  addCluster(inc: IncidentRecord, c: string): void {
    if (inc.clusters.includes(c)) return;
    inc.clusters.push(c);
    this.clusterRefs.set(c, (this.clusterRefs.get(c) ?? 0) + 1);
  }

  /** The clusters of the incidents held now. */
  knownClusters(): ReadonlySet<string> {
    return new Set(this.clusterRefs.keys());
  }

  private dropClusterRef(c: string): void {
    const n = (this.clusterRefs.get(c) ?? 0) - 1;
    if (n > 0) this.clusterRefs.set(c, n);
    else this.clusterRefs.delete(c);
  }

  /** Records that an alert named `name` started firing (or joined) at `at`. */
  touchName(inc: IncidentRecord, name: string, at: Instant): void {
    if (inc.names[name] === undefined && inc.status === 'open') insertBySeq(this.openByName, name, inc);
    if (!((inc.names[name] ?? -Infinity) >= at)) inc.names[name] = at;
  }

  openWithGroup(group: string): IncidentRecord[] {
    return this.lookup(this.openByGroup.get(group));
  }

  /** Opens an incident. Its id is derived from its first alert and opening time, so it is stable across replays. */
  open(firstFingerprint: string, at: Instant, severity: Severity): IncidentRecord {
    const id = 'inc-' + fingerprint({ alert: firstFingerprint, openedAt: String(at) }).slice(0, 12);
    const inc: IncidentRecord = {
      id,
      seq: this.seq++,
      openedAt: at,
      resolvedAt: null,
      status: 'open',
      severity,
      alerts: [],
      firing: 0,
      entities: [],
      groups: [],
      services: [],
      serviceStarts: {},
      serviceAlerts: {},
      clusters: [],
      entityStarts: {},
      entitySeverity: {},
      entityFiring: {},
      kinds: {},
      names: {},
      groupStarts: {},
      tickets: [],
      suspectedDeploys: [],
      rootCause: null,
      timeline: [],
      timelineDropped: 0,
      blastRaised: false,
      burst: null,
    };
    this.incidents.set(id, inc);
    this.open_.add(id);
    this.note(inc, { at, type: 'opened', message: `incident opened at ${formatInstant(at)}` });
    return inc;
  }

  /** Records that an alert on `entity` started firing (or joined) at `at`. */
  touchEntity(inc: IncidentRecord, entity: string, at: Instant, severity: number): void {
    if (!((inc.entitySeverity[entity] ?? Infinity) <= severity)) inc.entitySeverity[entity] = severity;
    if (inc.entityStarts[entity] === undefined) {
      inc.entities.push(entity);
      if (!((inc.grewAt ?? -Infinity) >= at)) inc.grewAt = at;
      if (inc.status === 'open') addTo(this.openByEntity, entity, inc.id);
    }
    if (!((inc.entityStarts[entity] ?? -Infinity) >= at)) inc.entityStarts[entity] = at;
  }

  /** Records that an alert with grouping key `group` started firing (or joined) at `at`. */
  touchGroup(inc: IncidentRecord, group: string, at: Instant): void {
    if (inc.groupStarts[group] === undefined) {
      inc.groups.push(group);
      if (inc.status === 'open') addTo(this.openByGroup, group, inc.id);
    }
    if (!((inc.groupStarts[group] ?? -Infinity) >= at)) inc.groupStarts[group] = at;
  }

  /**
   * Folds `from` into `into` (a later alert bridged them): alerts, entities, tickets, suspects and timeline move
   * over, `from` disappears. The caller re-points alert records and ticket links.
   */
  merge(into: IncidentRecord, from: IncidentRecord, at: Instant, reason: string, score: number): void {
    for (const e of from.entities) this.touchEntity(into, e, from.entityStarts[e] ?? at, from.entitySeverity[e] ?? 4);
    for (const g of from.groups) this.touchGroup(into, g, from.groupStarts[g] ?? at);
    for (const [k, t] of Object.entries(from.kinds)) into.kinds[k] = Math.max(into.kinds[k] ?? t, t);
    for (const [n, t] of Object.entries(from.names)) this.touchName(into, n, t);
    for (const s of from.services) if (into.serviceStarts[s] === undefined) into.services.push(s);
    for (const [s, t] of Object.entries(from.serviceStarts)) into.serviceStarts[s] = Math.min(into.serviceStarts[s] ?? t, t);
    for (const [s, n] of Object.entries(from.serviceAlerts)) into.serviceAlerts[s] = (into.serviceAlerts[s] ?? 0) + n;
    for (const [e, n] of Object.entries(from.entityFiring ?? {})) this.countFiring(into, e, n);
    for (const c of from.clusters) this.addCluster(into, c);
    for (const c of from.clusters) this.dropClusterRef(c);
    for (const t of from.tickets) if (!into.tickets.includes(t)) into.tickets.push(t);
    into.alerts.push(...from.alerts);
    into.firing += from.firing;
    into.openedAt = Math.min(into.openedAt, from.openedAt);
    this.raiseSeverity(into, from.severity);
    const entries = [...into.timeline, ...from.timeline.map((t) => ({ ...t, message: `[from ${from.id}] ${t.message}` }))];
    entries.sort((a, b) => a.at - b.at); // stable: ties keep into's entries first
    into.timeline = entries;
    into.timelineDropped += from.timelineDropped;
    while (into.timeline.length > this.maxTimelineEntries - 1) {
      into.timeline.splice(1, 1);
      into.timelineDropped++;
    }
    this.note(into, { at, type: 'merged', message: `merged ${from.id} (${from.alerts.length} alerts)`, reason, score });
    for (const e of from.entities) removeFrom(this.openByEntity, e, from.id);
    for (const g of from.groups) removeFrom(this.openByGroup, g, from.id);
    for (const n of Object.keys(from.names)) removeBySeq(this.openByName, n, from);
    this.incidents.delete(from.id);
    this.open_.delete(from.id);
    if (into.status === 'open') this.open_.add(into.id);
  }

  /**
   * Empties what an incident's alerts add up to (entities, groups, names, services, clusters, starts, firing),
   * index entries included, so the caller can add its alerts back after some moved to another incident.
   */
  clearAggregates(inc: IncidentRecord): void {
    for (const e of inc.entities) removeFrom(this.openByEntity, e, inc.id);
    for (const g of inc.groups) removeFrom(this.openByGroup, g, inc.id);
    for (const n of Object.keys(inc.names)) removeBySeq(this.openByName, n, inc);
    for (const c of inc.clusters) this.dropClusterRef(c);
    inc.entities = [];
    inc.groups = [];
    inc.names = {};
    inc.kinds = {};
    inc.services = [];
    inc.serviceStarts = {};
    inc.serviceAlerts = {};
    inc.clusters = [];
    inc.entityStarts = {};
    inc.entitySeverity = {};
    inc.entityFiring = {};
    delete inc.grewAt;
    inc.groupStarts = {};
    inc.firing = 0;
  }

  /** Counts `delta` firing alerts on `entity` (an alert of it joined or re-fired: +1; resolved: -1). */
  countFiring(inc: IncidentRecord, entity: string, delta: number): void {
    const m = (inc.entityFiring ??= {});
    const n = (m[entity] ?? 0) + delta;
    if (n > 0) m[entity] = n;
    else delete m[entity];
  }

  raiseSeverity(inc: IncidentRecord, s: Severity): void {
    if (severityRank(s) < severityRank(inc.severity)) inc.severity = s;
  }

  /**
   * The newest incident resolved within `windowMs` before `at` that holds `entity`: trouble there again so soon is
   * the same fault coming back (a node that first ran out of memory, then died). Entries older than any window
   * asked for are dropped as the clock passes them.
   */
  resolvedRecentlyWith(entity: string, at: Instant, windowMs: number): IncidentRecord | undefined {
    let drop = 0;
    while (drop < this.resolvedRecently.length && (this.resolvedRecently[drop]!.resolvedAt ?? -Infinity) < at - windowMs) drop++;
    if (drop > 0) this.resolvedRecently = this.resolvedRecently.slice(drop);
    for (let i = this.resolvedRecently.length - 1; i >= 0; i--) {
      const inc = this.resolvedRecently[i] as IncidentRecord;
      if (inc.status === 'resolved' && this.incidents.has(inc.id) && inc.entityStarts[entity] !== undefined) return inc;
    }
    return undefined;
  }

  /** Resolves the incident at `at` (never before it opened); `why` goes on the timeline. */
  resolve(inc: IncidentRecord, at: Instant, why = 'all alerts resolved'): void {
    inc.status = 'resolved';
    this.open_.delete(inc.id);
    inc.resolvedAt = Math.max(at, inc.openedAt);
    for (const e of inc.entities) removeFrom(this.openByEntity, e, inc.id);
    for (const g of inc.groups) removeFrom(this.openByGroup, g, inc.id);
    for (const n of Object.keys(inc.names)) removeBySeq(this.openByName, n, inc);
    this.note(inc, { at: inc.resolvedAt, type: 'resolved', message: why });
    // Kept in (resolvedAt, seq) order, once per incident, exactly as restore() rebuilds it.
    const list = this.resolvedRecently;
    const old = list.indexOf(inc);
    if (old >= 0) list.splice(old, 1);
    let i = list.length;
    while (i > 0 && byResolve(list[i - 1] as IncidentRecord, inc) > 0) i--;
    list.splice(i, 0, inc);
  }

  reopen(inc: IncidentRecord, at: Instant, why: string): void {
    inc.status = 'open';
    inc.acknowledged = null;
    inc.resolvedBy = null;
    this.open_.add(inc.id);
    inc.resolvedAt = null;
    for (const e of inc.entities) addTo(this.openByEntity, e, inc.id);
    for (const g of inc.groups) addTo(this.openByGroup, g, inc.id);
    for (const n of Object.keys(inc.names)) insertBySeq(this.openByName, n, inc);
    this.note(inc, { at, type: 'reopened', message: why });
  }

  /** Appends to the timeline, dropping the oldest entries past the cap (the first, `opened`, is kept). */
  note(inc: IncidentRecord, entry: TimelineRecord): void {
    inc.timeline.push(entry);
    if (inc.timeline.length > this.maxTimelineEntries) {
      inc.timeline.splice(1, 1);
      inc.timelineDropped++;
    }
  }

  /** Forgets a resolved incident (retention). Open incidents are never removed. */
  remove(inc: IncidentRecord): void {
    if (inc.status !== 'resolved') throw new Error(`invariant: removing open incident ${inc.id}`);
    for (const c of inc.clusters) this.dropClusterRef(c);
    this.incidents.delete(inc.id);
  }

  /** Replaces all state from a snapshot; indexes are derived. */
  restore(records: IncidentRecord[], seq: number): void {
    this.incidents.clear();
    this.openByEntity.clear();
    this.openByGroup.clear();
    this.open_.clear();
    this.openByName.clear();
    this.clusterRefs.clear();
    this.seq = seq;
    // Every resolved incident, by resolve time: lookups skip those outside their window, as the live list would.
    this.resolvedRecently = records.filter((r) => r.status === 'resolved').sort(byResolve);
    for (const r of records) {
      this.incidents.set(r.id, r);
      for (const c of r.clusters) this.clusterRefs.set(c, (this.clusterRefs.get(c) ?? 0) + 1);
      if (r.status !== 'open') continue;
      this.open_.add(r.id);
      for (const n of Object.keys(r.names)) insertBySeq(this.openByName, n, r);
      for (const e of r.entities) addTo(this.openByEntity, e, r.id);
      for (const g of r.groups) addTo(this.openByGroup, g, r.id);
    }
  }

  nextSeq(): number {
    return this.seq;
  }

  /**
   * The incidents of an index, in the index's order. Callers must not depend on that order (it differs after a
   * restore): `propose` ranks candidates by score and then by `seq`, which is what keeps replay deterministic.
   */
  private lookup(ids: Set<string> | undefined): IncidentRecord[] {
    if (ids === undefined) return [];
    const out: IncidentRecord[] = [];
    for (const id of ids) out.push(this.incidents.get(id) as IncidentRecord);
    return out;
  }
}

function byResolve(a: IncidentRecord, b: IncidentRecord): number {
  return (a.resolvedAt as number) - (b.resolvedAt as number) || a.seq - b.seq;
}

function insertBySeq(m: Map<string, IncidentRecord[]>, k: string, inc: IncidentRecord): void {
  let list = m.get(k);
  if (list === undefined) m.set(k, (list = []));
  let i = list.length;
  while (i > 0 && (list[i - 1] as IncidentRecord).seq > inc.seq) i--;
  if (list[i - 1] !== inc) list.splice(i, 0, inc);
}

function removeBySeq(m: Map<string, IncidentRecord[]>, k: string, inc: IncidentRecord): void {
  const list = m.get(k);
  if (list === undefined) return;
  const i = list.indexOf(inc);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) m.delete(k);
}

function addTo(m: Map<string, Set<string>>, k: string, id: string): void {
  const s = m.get(k);
  if (s === undefined) m.set(k, new Set([id]));
  else s.add(id);
}

function removeFrom(m: Map<string, Set<string>>, k: string, id: string): void {
  const s = m.get(k);
  if (s === undefined) return;
  s.delete(id);
  if (s.size === 0) m.delete(k);
}

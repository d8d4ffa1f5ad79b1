import type {
  AckEvent,
  AlertEvent,
  AlertStateDoc,
  DeployEvent,
  Event,
  IncidentDoc,
  Instant,
  LabelSet,
  Severity,
  SloDoc,
  TicketEvent,
  TimelineEntry,
} from '../model/index.js';
import { SEVERITIES, formatDuration, severityRank } from '../model/index.js';
import { AlertStore, type AlertRecord } from './alert-store.js';
import { addSuspect, entityKind, servicesOf } from './cause.js';
import { Binder } from './bind.js';
import { BurstTracker } from './burst-tracker.js';
import { clusterOf, createCorrelators, kmeansClusterOf, propose, type BoundAlert, type Correlator } from './correlate.js';
import { IncidentStore, type IncidentRecord } from './incident-store.js';
import type { CorrelatorSpec, EngineOptions } from './options.js';
import { toAlertState, toIncidentDoc, toTimeline } from './render.js';
import { INFO_RANK, toSeverity } from './severity.js';
import { TicketDesk } from './ticket-desk.js';
import { DeployDesk } from './deploy-desk.js';
import { TextMemory, type TextMemoryState } from './text-memory.js';
import type { SparseVector } from './text/index.js';
import { dependsOn, findSplit, predatesDeploy, sharedCallerOnly } from './split.js';
import { Splitter } from './splitter.js';
import { TopologyIndex } from './topology-index.js';
import { burnSeverity, describeBurn } from './burn-alert.js';
import type { SloBookState, SloHistory } from './slo/index.js';
import { SloDesk } from './slo-desk.js';
import type { Burn } from './slo-counter.js';
import { pastRetention, pruneGridPoint } from './retention.js';

/** A change the runner turns into I/O (notifications, the incident feed). */
export interface EngineEffect {
  readonly kind: 'incident';
  readonly id: string;
  /** `merged`: this incident was folded into another and no longer exists. */
  readonly change: 'opened' | 'updated' | 'resolved' | 'reopened' | 'merged';
}

/** Counters of what the engine has consumed (the `stats` of CONTRACT §5, extended). */
export interface EngineStats {
  requests: number;
  /** Distinct alerts (fingerprints). */
  alerts: number;
  incidents: number;
  /** Alert items received, re-sends included. */
  alertsReceived: number;
  tickets: number;
  deploys: number;
  sliSamples: number;
  /** SLI samples of no configured SLO, or at or before their SLO's last sample. */
  sliSamplesDropped: number;
}

/** Engine state as plain JSON: what a snapshot stores. Derived indexes are rebuilt on restore. */
export interface EngineState {
  readonly version: 1;
  readonly clock: Instant | null;
  readonly expiryCursor: number | null;
  readonly alerts: AlertRecord[];
  readonly incidents: IncidentRecord[];
  readonly incidentSeq: number;
  readonly pendingTickets: TicketEvent[];
  readonly linkedTickets: Array<[string, string]>;
  readonly recentDeploys: DeployEvent[];
  readonly stats: EngineStats;
  readonly lastPruneAt: Instant | null;
  readonly bursts: ReturnType<BurstTracker['toJSON']>;
  readonly text: TextMemoryState;
  /** Absent in snapshots taken before burn rates existed. */
  readonly slo?: SloBookState;
  /** Burns decided by Kafka mode's fold stage, waiting for the clock (see queueBurns). */
  readonly queuedBurns?: readonly Burn[];
}

/**
 * The deterministic core: it folds events into alerts and incidents. It reads only the events and the instants it
 * is given, never the wall clock, and does no I/O, so the same events give the same incidents in replay, after a
 * crash and in scenario tests. Its clock only moves forward: an event stamped earlier than the clock is applied at
 * the clock.
 */
export class Engine {
  private clock: Instant | null = null;
  private readonly alerts: AlertStore;
  private readonly incidents: IncidentStore;
  private readonly topology: TopologyIndex;
  private readonly binder: Binder;
  private readonly correlators: readonly Correlator[];
  private readonly tickets: TicketDesk;
  private readonly deploys: DeployDesk;
  private readonly counters: EngineStats = {
    requests: 0,
    alerts: 0,
    incidents: 0,
    alertsReceived: 0,
    tickets: 0,
    deploys: 0,
    sliSamples: 0,
    sliSamplesDropped: 0,
  };
  private effects: EngineEffect[] = [];
  private readonly groupBy: readonly string[];
  private readonly bursts: BurstTracker;
  private readonly text = new TextMemory();
  private readonly kmeans: Extract<CorrelatorSpec, { type: 'kmeans' }> | undefined;
  private readonly topologySpec: Extract<CorrelatorSpec, { type: 'topology' }> | undefined;
  private lastPruneAt: Instant | null = null;
  private queuedBurns: Burn[] = [];
  private readonly slo: SloDesk;
  private readonly splitter: Splitter | null;

  constructor(private readonly opts: EngineOptions) {
    this.alerts = new AlertStore(opts.resolveTimeoutMs);
    this.incidents = new IncidentStore(opts.maxTimelineEntries);
    this.topology = new TopologyIndex(opts.topology);
    this.binder = new Binder(this.topology, opts.topology.entities);
    this.bursts = new BurstTracker(burstWindow(opts));
    this.correlators = createCorrelators(opts.pipeline, { topology: this.topology, bursts: this.bursts, text: this.text });
    this.groupBy = labelsGroupBy(opts);
    const desk = { incidents: this.incidents, text: this.text, emit: (id: string, change: 'updated') => this.emit(id, change) };
    this.tickets = new TicketDesk(desk, opts.pipeline.ticketWindowMs);
    this.deploys = new DeployDesk(desk, this.binder, this.topology, this.alerts.alerts, opts.pipeline.deployLookbackMs);
    this.kmeans = opts.pipeline.correlators.find((c): c is Extract<CorrelatorSpec, { type: 'kmeans' }> => c.type === 'kmeans');
    this.topologySpec = opts.pipeline.correlators.find((c): c is Extract<CorrelatorSpec, { type: 'topology' }> => c.type === 'topology');
    const topo = this.topologySpec;
    this.splitter =
      topo === undefined
        ? null
        : new Splitter(
            {
              alerts: this.alerts.alerts, incidents: this.incidents, topology: this.topology, text: this.text, deploys: this.deploys,
              failing: this.failing,
              contribute: (inc, record, startedAt, tokens) => this.contribute(inc, record, startedAt, tokens),
              raiseForBlastRadius: (inc) => this.raiseForBlastRadius(inc),
              resolveIncident: (inc) => this.resolveIncident(inc),
              emit: (id, change) => this.emit(id, change),
            },
            topo.windowMs,
            topo.dependsOnFailing,
          );
    this.slo = new SloDesk(
      { incidents: this.incidents, alerts: this.alerts.alerts, topology: this.topology, binder: this.binder, failing: this.failing },
      opts.slos,
    );
  }

  /** Restores an engine from a snapshot taken with the same options. */
  static restore(opts: EngineOptions, state: EngineState): Engine {
    if (state.version !== 1) throw new Error(`engine snapshot version ${String(state.version)} is not supported`);
    const e = new Engine(opts);
    e.clock = state.clock;
    e.alerts.restore(state.alerts, state.expiryCursor);
    e.incidents.restore(state.incidents, state.incidentSeq);
    e.tickets.pending = state.pendingTickets;
    for (const [t, i] of state.linkedTickets) e.tickets.linked.set(t, i);
    e.deploys.recent = state.recentDeploys;
    Object.assign(e.counters, state.stats);
    e.lastPruneAt = state.lastPruneAt;
    e.bursts.restore(state.bursts);
    e.text.restore(state.text);
    if (state.slo !== undefined) e.slo.restore(state.slo);
    e.queuedBurns = [...(state.queuedBurns ?? [])];
    return e;
  }

  /** The engine clock: the latest instant it has been driven to, or null before the first event. */
  now(): Instant | null {
    return this.clock;
  }

  /** Applies the events of one request received at `at`. Returns what changed. */
  apply(events: readonly Event[], at: Instant): EngineEffect[] {
    return this.applyWithBurns(events, at, undefined);
  }

  /**
   * `apply`, with the burns that SLI samples of this request decided elsewhere (Kafka mode's fold stage counts the
   * SLOs), placed where the engine places those its own samples decide.
   */
  applyWithBurns(events: readonly Event[], at: Instant, burnsAfter: readonly Burn[] | undefined): EngineEffect[] {
    const now = this.tick(at);
    this.counters.requests++;
    let sli = false;
    for (const ev of events) {
      switch (ev.kind) {
        case 'alert':
          this.onAlert(ev, now);
          break;
        case 'ticket':
          this.counters.tickets++;
          this.tickets.receive(ev, now);
          break;
        case 'deploy':
          this.counters.deploys++;
          this.deploys.receive(ev, now);
          break;
        case 'ack':
          this.onAck(ev, now);
          break;
        case 'sli':
          this.counters.sliSamples++;
          if (!this.slo.addSample(ev)) this.counters.sliSamplesDropped++;
          sli = true;
          break;
      }
    }
    // Samples stamped in the past (a late exporter) complete grid points the clock has passed: decide those now.
    if (sli || burnsAfter !== undefined) this.onBurns(now - 1, now, burnsAfter);
    return this.drain();
  }

  /**
   * Burns decided elsewhere (Kafka mode's fold stage counts the SLOs), kept until the clock passes their grid point
   * and then placed as the engine places its own: after the alerts that expired by then. Does not move the clock.
   */
  queueBurns(burns: readonly Burn[]): void {
    for (const b of burns) this.queuedBurns.push(b);
  }

  /**
   * Moves a firing alert's end later without a send and without moving the clock: Kafka mode's fold stage stands
   * in for the re-sends it folded. False, changing nothing, when the alert is not firing or would end no later.
   */
  extendAlert(fingerprint: string, endsAt: Instant): boolean {
    return this.alerts.extend(fingerprint, endsAt);
  }

  /** Moves the clock to `now` (if later), resolving alerts whose `endsAt` passed. Returns what changed. */
  advance(now: Instant): EngineEffect[] {
    this.tick(now);
    return this.drain();
  }

  /**
   * Evaluates the SLOs at every grid point up to and including the clock, as replay does once its capture ends.
   * A live server does not: a request stamped at the clock could still bring a sample for that grid point.
   */
  settle(): EngineEffect[] {
    if (this.clock !== null) this.onBurns(this.clock, this.clock);
    return this.drain();
  }

  /** Per SLO, the event time of its latest SLI sample (null before the first). */
  sloLastSamples(): Array<{ slo: string; at: Instant | null }> {
    return this.slo.lastSamples();
  }

  /** CONTRACT §5 `slos`: every configured SLO as of its last evaluated grid point. */
  sloDocs(): SloDoc[] {
    return this.slo.docs();
  }

  /**
   * One SLO's burn rates (5m, 1h, 6h) every 5 minutes of event time in [from, to], at most the last 3 days; `to`
   * defaults to the engine clock and `from` to 24 h before `to`. Null for an SLO that is not configured.
   */
  sloHistory(name: string, from?: Instant, to?: Instant): SloHistory | null {
    const end = to ?? this.clock;
    if (end === null) return this.slo.history(name, 0, -1);
    return this.slo.history(name, from ?? end - SLO_HISTORY_DEFAULT_MS, end);
  }

  /**
   * The open incident whose cause, a datastore, queue or node, the given open incident's cause depends on: while it
   * is open, this one's notifications fold into it instead of paging separately. Null when there is none, the
   * incident is not open, or its cause is not a topology entity. The oldest such incident wins.
   */
  foldTarget(id: string): string | null {
    const inc = this.incidents.get(id);
    const cause = inc?.rootCause?.entity;
    if (inc === undefined || inc.status !== 'open' || cause === undefined || this.topology.entity(cause) === undefined) return null;
    let best: IncidentRecord | null = null;
    for (const other of this.incidents.openIncidents()) {
      const upstream = other.rootCause?.entity;
      if (other === inc || upstream === undefined || upstream === cause || !FOLDING_KINDS.has(entityKind(upstream, this.topology))) continue;
      if (best !== null && other.seq > best.seq) continue;
      if (dependsOn(cause, upstream, this.topology, this.failing)) best = other;
    }
    return best?.id ?? null;
  }

  /** All incidents, oldest first (CONTRACT §5 replay order). */
  incidentDocs(): IncidentDoc[] {
    const out: IncidentDoc[] = [];
    for (const inc of this.incidents.incidents.values()) out.push(this.doc(inc));
    return out;
  }

  /** One incident, or undefined. */
  incidentDoc(id: string): IncidentDoc | undefined {
    const inc = this.incidents.get(id);
    return inc === undefined ? undefined : this.doc(inc);
  }

  /** The ids of the open incidents (no order promised). */
  openIncidentIds(): string[] {
    return this.incidents.openIds();
  }

  /** The open incidents, oldest first. */
  openIncidentDocs(): IncidentDoc[] {
    return this.incidents.openIncidents().sort((a, b) => a.seq - b.seq).map((inc) => this.doc(inc));
  }

  /** One incident with its timeline, or undefined. */
  incidentWithTimeline(id: string): (IncidentDoc & { timeline: TimelineEntry[]; timelineDropped: number }) | undefined {
    const inc = this.incidents.get(id);
    if (inc === undefined) return undefined;
    return { ...this.doc(inc), timeline: toTimeline(inc), timelineDropped: inc.timelineDropped };
  }

  /** Where each of an incident's alerts stands (entity, status, times), in the order they joined; or undefined. */
  alertStates(id: string): AlertStateDoc[] | undefined {
    const inc = this.incidents.get(id);
    return inc?.alerts.map((fp) => toAlertState(this.alerts.get(fp) as AlertRecord));
  }

  stats(): Readonly<EngineStats> {
    return { ...this.counters };
  }

  /** Numbers for metrics: open incidents and firing alerts. */
  gauges(): { incidentsOpen: number; alertsFiring: number; alertsTracked: number } {
    let open = 0;
    for (const i of this.incidents.incidents.values()) if (i.status === 'open') open++;
    let firing = 0;
    for (const a of this.alerts.alerts.values()) if (a.status === 'firing') firing++;
    return { incidentsOpen: open, alertsFiring: firing, alertsTracked: this.alerts.alerts.size };
  }

  /** The whole state as plain data. Records are shared, not copied: serialize before applying more events. */
  state(): EngineState {
    return {
      version: 1,
      clock: this.clock,
      expiryCursor: this.alerts.cursor(),
      alerts: [...this.alerts.alerts.values()],
      incidents: [...this.incidents.incidents.values()],
      incidentSeq: this.incidents.nextSeq(),
      pendingTickets: this.tickets.pending,
      linkedTickets: [...this.tickets.linked],
      recentDeploys: this.deploys.recent,
      stats: { ...this.counters },
      lastPruneAt: this.lastPruneAt,
      bursts: this.bursts.toJSON(),
      text: this.text.toJSON(),
      slo: this.slo.toJSON(),
      ...(this.queuedBurns.length === 0 ? {} : { queuedBurns: this.queuedBurns }),
    };
  }

  private doc(inc: IncidentRecord): IncidentDoc {
    return toIncidentDoc(inc, this.alerts.alerts, this.opts.severity);
  }

  private drain(): EngineEffect[] {
    const out = this.effects;
    this.effects = [];
    return out;
  }

  private emit(id: string, change: EngineEffect['change']): void {
    const last = this.effects[this.effects.length - 1];
    if (last !== undefined && last.id === id && last.change === change) return;
    this.effects.push({ kind: 'incident', id, change });
  }

  private tick(at: Instant): Instant {
    const now = this.clock === null || at > this.clock ? at : this.clock;
    this.clock = now;
    for (const a of this.alerts.expire(now)) this.alertResolved(a);
    // Grid points before `now` only: a request stamped `now` may still bring samples for the one at `now`.
    this.onBurns(now - 1, now);
    const grid = pruneGridPoint(now);
    if (this.lastPruneAt === null || grid > this.lastPruneAt) this.prune(grid);
    return now;
  }

  /**
   * Forgets incidents resolved longer than the retention ago, with their alerts and ticket links, so a
   * long-running process holds bounded state. Runs on a grid of the clock (retention.ts), so replay, recovery and
   * partitioned engines prune identically. An incident resolved by hand stays while any of its alerts fires or
   * ended within the retention: a send of one of them still belongs to it.
   */
  private prune(at: Instant): void {
    this.lastPruneAt = at;
    const horizon = at - this.opts.retentionMs;
    for (const inc of this.incidents.incidents.values()) {
      if (inc.status !== 'resolved' || (inc.resolvedAt as number) >= horizon || !this.allPastRetention(inc, at)) continue;
      for (const fp of inc.alerts) this.alerts.remove(fp);
      for (const t of inc.tickets) this.tickets.linked.delete(t);
      this.text.forget(inc.id);
      this.incidents.remove(inc);
    }
  }

  private allPastRetention(inc: IncidentRecord, at: Instant): boolean {
    for (const fp of inc.alerts) {
      const a = this.alerts.get(fp);
      if (a !== undefined && (a.status !== 'resolved' || a.endsAt === null || !pastRetention(a.endsAt, at, this.opts.retentionMs))) return false;
    }
    return true;
  }

  private onAlert(ev: AlertEvent, now: Instant): void {
    const received = ev.source !== 'slo';
    if (received) this.counters.alertsReceived++;
    const { record, change } = this.alerts.receive(ev, now);
    switch (change) {
      case 'unchanged':
        return;
      case 'new-firing':
      case 'new-resolved':
        if (received) this.counters.alerts++;
        this.place(record, now);
        return;
      case 'refired': {
        const inc = this.incidentOf(record);
        if (inc.status === 'resolved') {
          this.incidents.reopen(inc, now, `${alertName(record)} fired again`);
          this.emit(inc.id, 'reopened');
        } else this.emit(inc.id, 'updated');
        inc.firing++;
        if (record.entity !== null) this.incidents.countFiring(inc, record.entity, 1);
        if (record.entity !== null) this.incidents.touchEntity(inc, record.entity, now, severityRank(this.severityOf(record)));
        this.incidents.touchGroup(inc, groupKey(record.labels, this.groupBy), now);
        this.incidents.note(inc, {
          at: now,
          type: 'alert-firing',
          message: `${alertName(record)} fired again (change ${record.transitions})`,
          fingerprint: record.fingerprint,
        });
        return;
      }
      case 'resolved':
        this.alertResolved(record);
        return;
    }
  }

  /**
   * Binds a new alert and puts it in the incident the correlators choose, or in a new one. When a bridging
   * correlator proposes more than one open incident, the alert ties them together and they merge into the oldest.
   */
  private place(record: AlertRecord, now: Instant): void {
    const binding = record.source === 'slo' ? this.slo.bind(record) : this.binder.bind(record.labels);
    record.entity = binding.entity;
    const bound: BoundAlert = {
      record,
      entity: binding.entity,
      inTopology: binding.inTopology,
      group: groupKey(record.labels, this.groupBy),
      nodeLevel: binding.kind === 'node',
      ...textOf(this.text.observeAlert(record.labels, record.annotations)),
    };
    // Correlation time is when the alert started, not when it reached us (a restarted ruler re-sends everything).
    const startedAt = record.status === 'firing' ? Math.min(record.startsAt, now) : (record.endsAt as number);
    const alertSeverity = this.severityOf(record);
    // A service in trouble minutes after its own deploy does not join, or bridge, an incident that was open before
    // that deploy: the deploy explains its trouble better than the older fault does (a bad release during a node
    // failure is two incidents). It opens its own, and the deploy becomes its suspect. The same holds when the
    // service was in that incident before but its trouble there had ended, or was only its pods on a dead node.
    const fresh = binding.entity !== null && record.source !== 'slo' ? this.deploys.freshDeployOf(binding.entity, record.labels, startedAt, FRESH_DEPLOY_MS) : null;
    const proposals = propose(this.correlators, bound, this.incidents, startedAt, this.opts.pipeline.joinThreshold).filter(
      (p) => fresh === null || !predatesDeploy(p.incident, binding.entity as string, fresh.deployedAt, this.topology),
    );
    const cause = binding.inTopology ? binding.entity : null;
    let choice = proposals[0];
    // A cause that only the topology relates to the chosen incident, and that is independent of that incident's
    // own cause, is a second fault: it opens its own incident and takes its symptoms along (pullSymptoms) rather
    // than joining and chaining two faults into one.
    if (choice !== undefined && choice.correlator === 'topology' && cause !== null && this.topologySpec !== undefined &&
      findSplit(choice.incident, cause, startedAt, this.topologySpec.windowMs, this.topology, this.failing) !== null) choice = undefined;
    // A burn is a symptom that shows long after its cause (its windows must fill first): it joins the open incident
    // of what its entity depends on, however old, before the correlators' windows are asked.
    if (record.source === 'slo') choice = this.slo.home(record, cause) ?? choice;
    let inc: IncidentRecord;
    // A node that acted up, recovered for a moment and then died is one fault: trouble on a node soon after its
    // incident resolved reopens that incident. Services and clusters are left alone: their next trouble after a
    // quiet spell is as often a new fault (the next deploy, another component) as the old one.
    if (choice === undefined && binding.entity !== null && record.status === 'firing' && (binding.kind === 'node' || binding.kind === 'host')) {
      const again = this.incidents.resolvedRecentlyWith(binding.entity, startedAt, REOPEN_WINDOW_MS);
      if (again !== undefined) {
        const ago = formatDuration(startedAt - (again.resolvedAt as number));
        this.incidents.reopen(again, now, `${alertName(record)} on ${binding.entity} fired ${ago} after the incident resolved`);
        this.emit(again.id, 'reopened');
        choice = { incident: again, correlator: 'reopen', bridges: false, score: { score: 1, reason: `same entity ${binding.entity}, resolved ${ago} before` } };
      }
    }
    if (choice === undefined) {
      inc = this.incidents.open(record.fingerprint, startedAt, alertSeverity);
      this.counters.incidents++;
      this.emit(inc.id, 'opened');
      this.incidents.note(inc, {
        at: now,
        type: 'alert-attached',
        message: `${alertName(record)} opened the incident (bound via ${binding.via})`,
        fingerprint: record.fingerprint,
        reason: binding.entity === null ? `no open incident matched ${bound.group}` : `no open incident near ${binding.entity}`,
      });
    } else {
      // Incidents the alert bridges merge into the oldest of them, so the id that paged first lives on; an
      // informational alert bridges nothing, and an incident of informational alerts only is never the target.
      // Nor does a shared caller tie, through the topology alone, two faults whose causes are independent: it
      // suffers from both, and joins one. (A burst still ties them: many entities failing at once is one fault.)
      const bridged =
        choice.bridges && severityRank(alertSeverity) < INFO_RANK
          ? proposals.filter((p) => p.bridges && (p === choice || !sharedCallerOnly(choice, p, cause, this.topology, this.failing)))
          : [choice];
      const target = bridged.reduce((a, b) => {
        const aInfo = severityRank(a.incident.severity) >= INFO_RANK;
        const bInfo = severityRank(b.incident.severity) >= INFO_RANK;
        if (aInfo !== bInfo) return aInfo ? b : a;
        return b.incident.seq < a.incident.seq ? b : a;
      });
      inc = target.incident;
      for (const other of bridged) {
        if (other !== target) this.merge(inc, other.incident, now, `${alertName(record)} bridges them: ${other.score.reason}`, other.score.score);
      }
      if (bridged.some((p) => p.correlator === 'burst')) {
        const first = inc.burst === null;
        inc.burst = clusterOf(bound);
        this.bursts.gather(inc.burst, inc.id, startedAt);
        // A burst holds deploys to a stricter test; suspects named before it was one are judged again.
        if (first) inc.suspectedDeploys = [];
      }
      this.emit(inc.id, 'updated');
      this.incidents.note(inc, {
        at: now,
        type: 'alert-attached',
        message: `${alertName(record)} joined (${choice.correlator}, bound via ${binding.via})`,
        fingerprint: record.fingerprint,
        reason: target.score.reason,
        score: target.score.score,
      });
    }
    record.incidentId = inc.id;
    inc.alerts.push(record.fingerprint);
    this.text.addToIncident(inc.id, bound.text);
    const entitiesBefore = inc.entities.length;
    this.contribute(inc, record, startedAt, bound.tokens);
    this.raiseForBlastRadius(inc);
    if (choice === undefined || (inc.entities.length !== entitiesBefore && worthRecomputing(inc.entities.length))) {
      inc.rootCause = this.deploys.rootCauseOf(inc);
    }
    this.tickets.linkPending(inc, now);
    this.deploys.considerRecent(inc, now);
    if (record.status === 'firing') {
      this.bursts.add(clusterOf(bound), { at: startedAt, incident: inc.id, entity: binding.entity ?? record.fingerprint }, now);
    } else if (inc.firing === 0 && inc.status === 'open') this.resolveIncident(inc);
    if (choice === undefined && cause !== null && record.source !== 'slo') this.splitter?.pullSymptoms(inc, cause, startedAt, now);
  }

  /** Whether an entity has alerts in an open incident: faults travel through failing entities only. */
  private readonly failing = (entity: string): boolean => this.incidents.hasOpenWithEntity(entity);

  /** Adds one alert's share to an incident's aggregates: names, kinds, severity, entity, group, services, cluster. */
  private contribute(inc: IncidentRecord, record: AlertRecord, startedAt: Instant, tokens: readonly string[]): void {
    const name = record.labels['alertname'];
    if (name !== undefined) this.incidents.touchName(inc, name, startedAt);
    if (this.kmeans !== undefined) {
      const kind = String(kmeansClusterOf({ record, tokens }, this.kmeans));
      inc.kinds[kind] = Math.max(inc.kinds[kind] ?? startedAt, startedAt);
    }
    const alertSeverity = this.severityOf(record);
    this.incidents.raiseSeverity(inc, alertSeverity);
    if (record.entity !== null) this.incidents.touchEntity(inc, record.entity, startedAt, severityRank(alertSeverity));
    this.incidents.touchGroup(inc, groupKey(record.labels, this.groupBy), startedAt);
    const entity = record.entity === null ? undefined : this.topology.entity(record.entity);
    const services = servicesOf(record.labels, entity);
    const newServices = services.filter((s) => inc.serviceStarts[s] === undefined);
    inc.services.push(...newServices);
    for (const s of newServices) inc.serviceStarts[s] = startedAt;
    for (const s of services) inc.serviceAlerts[s] = (inc.serviceAlerts[s] ?? 0) + 1;
    const cluster = record.labels['cluster'];
    if (cluster !== undefined) this.incidents.addCluster(inc, cluster);
    if (record.status === 'firing') {
      inc.firing++;
      if (record.entity !== null) this.incidents.countFiring(inc, record.entity, 1);
    }
  }

  /** Folds `from` into `into`: alerts and ticket links follow, and the merge is on `into`'s timeline. */
  private merge(into: IncidentRecord, from: IncidentRecord, now: Instant, reason: string, score: number): void {
    if (into.id === from.id) return;
    for (const fp of from.alerts) (this.alerts.get(fp) as AlertRecord).incidentId = into.id;
    for (const t of from.tickets) this.tickets.linked.set(t, into.id);
    for (const d of from.suspectedDeploys) addSuspect(into.suspectedDeploys, d);
    this.incidents.merge(into, from, now, reason, score);
    this.bursts.rename(from.id, into.id);
    this.text.merge(into.id, from.id);
    into.rootCause = this.deploys.rootCauseOf(into);
    this.emit(from.id, 'merged');
  }

  /**
   * The blast radius raises severity: an incident spanning five or more entities is at least one level worse than
   * its worst alert says, because that many failing things means users notice.
   */
  private raiseForBlastRadius(inc: IncidentRecord): void {
    if (inc.entities.length < BLAST_RADIUS_ENTITIES || inc.blastRaised) return;
    inc.blastRaised = true;
    const worse = SEVERITIES[Math.max(0, severityRank(inc.severity) - 2)] as Severity;
    this.incidents.note(inc, {
      at: this.clock as number,
      type: 'severity-raised',
      message: `${inc.entities.length} entities affected: ${inc.severity} → ${worse}`,
    });
    inc.severity = worse;
  }

  private alertResolved(record: AlertRecord): void {
    const inc = this.incidentOf(record);
    inc.firing--;
    if (record.entity !== null) this.incidents.countFiring(inc, record.entity, -1);
    this.incidents.note(inc, {
      at: record.endsAt as number,
      type: 'alert-resolved',
      message: `${alertName(record)} resolved`,
      fingerprint: record.fingerprint,
    });
    // An incident resolved by hand stays resolved (and keeps its resolve time) as its last alerts resolve.
    if (inc.firing === 0 && inc.status === 'open') this.resolveIncident(inc);
    else this.emit(inc.id, 'updated');
  }

  /**
   * Someone is on the incident (on its timeline, and receivers hear it: PagerDuty acknowledges), or closed it by
   * hand: it resolves now whatever its alerts say, and reopens when one of them fires again after resolving.
   */
  private onAck(ev: AckEvent, now: Instant): void {
    const inc = this.incidents.get(ev.incident);
    // The server answers 404/409 for these; a capture replayed elsewhere may still hold one.
    if (inc === undefined || inc.status !== 'open') return;
    const comment = ev.comment === undefined ? '' : `: ${ev.comment}`;
    if (ev.resolve === true) {
      inc.resolvedBy = { by: ev.by, at: now };
      this.incidents.resolve(inc, now, `resolved by ${ev.by}${comment}`);
      this.emit(inc.id, 'resolved');
      return;
    }
    inc.acknowledged = { by: ev.by, at: now };
    this.incidents.note(inc, { at: now, type: 'acknowledged', message: `acknowledged by ${ev.by}${comment}` });
    this.emit(inc.id, 'updated');
  }

  /** Burn alerts firing or resolving are placed like received alerts, with the burn on their incident's timeline. */
  private onBurns(until: Instant, now: Instant, extra?: readonly Burn[]): void {
    let burns = this.slo.evaluate(until);
    if (this.queuedBurns.length > 0) {
      const due = this.queuedBurns.filter((b) => b.transition.at <= until);
      if (due.length > 0) {
        this.queuedBurns = this.queuedBurns.filter((b) => b.transition.at > until);
        burns = burns.concat(due);
      }
    }
    if (extra !== undefined) burns = burns.concat(extra);
    for (const { transition: t, alert } of burns) {
      this.onAlert(alert, now);
      const inc = this.incidentOf(this.alerts.get(alert.fingerprint) as AlertRecord);
      this.incidents.note(inc, {
        at: t.at,
        type: t.change === 'fired' ? 'slo-burn' : 'slo-burn-resolved',
        message: `SLO ${t.slo} ${describeBurn(t)}`,
        fingerprint: alert.fingerprint,
      });
      this.emit(inc.id, 'updated');
    }
  }

  /** Received alerts take their severity from the team's label map; burn alerts from how fast they burn. */
  private severityOf(record: AlertRecord): Severity {
    return record.source === 'slo' ? burnSeverity(record.labels) : toSeverity(record.labels, this.opts.severity);
  }

  private resolveIncident(inc: IncidentRecord): void {
    let at = inc.openedAt;
    for (const fp of inc.alerts) {
      const a = this.alerts.get(fp) as AlertRecord;
      if (a.endsAt !== null && a.endsAt > at) at = a.endsAt;
    }
    this.incidents.resolve(inc, at);
    this.emit(inc.id, 'resolved');
  }

  private incidentOf(record: AlertRecord): IncidentRecord {
    const inc = record.incidentId === null ? undefined : this.incidents.get(record.incidentId);
    if (inc === undefined) throw new Error(`invariant: alert ${record.fingerprint} has no incident`);
    return inc;
  }
}

function textOf(o: { tokens: string[]; vector: SparseVector }): { text: SparseVector; tokens: string[] } {
  return { text: o.vector, tokens: o.tokens };
}

/**
 * Root cause is a walk over an incident's entities; in a storm of thousands of entities it is redone at each
 * doubling only, so that placing an alert stays cheap while the answer stays current where it matters.
 */
function worthRecomputing(entities: number): boolean {
  return entities <= 256 || (entities & (entities - 1)) === 0;
}

/** Kinds whose incidents take in the notifications of the incidents of what depends on them. */
const FOLDING_KINDS: ReadonlySet<string> = new Set(['node', 'host', 'datastore', 'database', 'db', 'cache', 'queue', 'topic']);

/** How soon after its own deploy a service's trouble is put down to that deploy rather than to an older incident. */
const FRESH_DEPLOY_MS = 10 * 60_000;

/** Trouble on an entity this soon after its incident resolved reopens that incident: the same fault, back. */
const REOPEN_WINDOW_MS = 10 * 60_000;

/** An incident touching this many entities is at least one severity level worse than its worst alert. */
const BLAST_RADIUS_ENTITIES = 5;

/** The grouping labels of the pipeline's labels correlator (also kept per incident for it), else cluster+namespace. */
function labelsGroupBy(opts: EngineOptions): readonly string[] {
  for (const c of opts.pipeline.correlators) if (c.type === 'labels') return c.groupBy;
  return ['cluster', 'namespace'];
}

/** How late an alert may reach us after it started and still count towards a burst. */
const BURST_DELIVERY_SLACK_MS = 5 * 60_000;

/** The burst correlator's window, or 0 when the pipeline has none (the tracker then keeps nothing). */
function burstWindow(opts: EngineOptions): number {
  // Starts are kept a little longer than the window: alerts reach us up to a few minutes after they start.
  for (const c of opts.pipeline.correlators) if (c.type === 'burst') return c.windowMs + BURST_DELIVERY_SLACK_MS;
  return 0;
}

/** The fallback grouping key, rendered like Alertmanager renders a group's labels. */
function groupKey(labels: LabelSet, by: readonly string[]): string {
  const parts: string[] = [];
  for (const l of by) {
    const v = labels[l];
    if (v !== undefined) parts.push(`${l}=${JSON.stringify(v)}`);
  }
  return `{${parts.join(', ')}}`;
}

function alertName(a: AlertRecord): string {
  return a.labels['alertname'] ?? a.fingerprint;
}


/** The span of SLO burn-rate history served when the caller names no start: the last day. */
const SLO_HISTORY_DEFAULT_MS = 24 * 3_600_000;

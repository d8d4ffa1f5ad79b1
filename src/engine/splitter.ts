import type { Instant } from '../model/index.js';
import { SEVERITIES, type Severity } from '../model/index.js';
import type { AlertRecord } from './alert-store.js';
import { addSuspect } from './cause.js';
import type { DeployDesk } from './deploy-desk.js';
import type { IncidentRecord, IncidentStore } from './incident-store.js';
import { dependentsOf, findSplit, type Split } from './split.js';
import type { TextMemory } from './text-memory.js';
import type { TopologyIndex } from './topology-index.js';

/** What the splitter works on: the engine's stores, and the engine steps it shares (adding an alert's share, …). */
export interface SplitterDeps {
  readonly alerts: ReadonlyMap<string, AlertRecord>;
  readonly incidents: IncidentStore;
  readonly topology: TopologyIndex;
  readonly text: TextMemory;
  readonly deploys: DeployDesk;
  failing(entity: string): boolean;
  contribute(inc: IncidentRecord, record: AlertRecord, startedAt: Instant, tokens: readonly string[]): void;
  raiseForBlastRadius(inc: IncidentRecord): void;
  resolveIncident(inc: IncidentRecord): void;
  emit(id: string, change: 'updated'): void;
}

/**
 * Splits incidents that turn out to be two faults: when a cause starts failing, the symptoms of other open incidents
 * that depend on it and not on those incidents' own causes move to the new cause's incident ({@link findSplit}
 * decides; this does the moving). Part of the deterministic engine.
 */
export class Splitter {
  constructor(
    private readonly deps: SplitterDeps,
    private readonly windowMs: number,
    /** The score a split is recorded with: the topology correlator's for a failing dependency. */
    private readonly score: number,
  ) {}

  /** `into`, just opened for `cause`, takes over the symptoms other open incidents hold of it. */
  pullSymptoms(into: IncidentRecord, cause: string, startedAt: Instant, now: Instant): void {
    const { incidents, topology, failing } = this.deps;
    const candidates = new Map<string, IncidentRecord>();
    for (const d of dependentsOf(cause, topology)) {
      for (const i of incidents.openWithEntity(d)) if (i !== into) candidates.set(i.id, i);
    }
    for (const from of [...candidates.values()].sort((a, b) => a.seq - b.seq)) {
      const split = findSplit(from, cause, startedAt, this.windowMs, topology, (e) => failing(e));
      if (split !== null) this.splitOff(from, into, split, now);
    }
  }

  /** Moves the alerts of `split.entities` from `from` to `to`, rebuilding both, with the split on both timelines. */
  private splitOff(from: IncidentRecord, to: IncidentRecord, split: Split, now: Instant): void {
    const { alerts, incidents, deploys } = this.deps;
    const moving = new Set(split.entities);
    const moved: AlertRecord[] = [];
    const kept: string[] = [];
    for (const fp of from.alerts) {
      const a = alerts.get(fp) as AlertRecord;
      if (a.entity !== null && moving.has(a.entity)) moved.push(a);
      else kept.push(fp);
    }
    if (moved.length === 0 || kept.length === 0) return;
    from.alerts = kept;
    for (const a of moved) {
      a.incidentId = to.id;
      to.alerts.push(a.fingerprint);
    }
    this.rebuild(from);
    this.rebuild(to);
    for (const d of [...from.suspectedDeploys]) {
      if (from.serviceStarts[d.service] !== undefined || to.serviceStarts[d.service] === undefined) continue;
      from.suspectedDeploys.splice(from.suspectedDeploys.indexOf(d), 1);
      addSuspect(to.suspectedDeploys, d);
    }
    from.rootCause = deploys.rootCauseOf(from);
    to.rootCause = deploys.rootCauseOf(to);
    const what = `${moved.length} alerts on ${split.entities.join(', ')}`;
    incidents.note(from, { at: now, type: 'split', message: `split: ${what} moved to ${to.id}`, reason: split.reason, score: this.score });
    incidents.note(to, { at: now, type: 'split', message: `split: ${what} moved here from ${from.id}`, reason: split.reason, score: this.score });
    deploys.considerRecent(to, now);
    this.deps.emit(to.id, 'updated');
    if (from.firing === 0 && from.status === 'open') this.deps.resolveIncident(from);
    else this.deps.emit(from.id, 'updated');
  }

  /** Recomputes an incident's aggregates, severity and text from its alerts. */
  private rebuild(inc: IncidentRecord): void {
    const { alerts, incidents, text } = this.deps;
    incidents.clearAggregates(inc);
    const records = inc.alerts.map((fp) => alerts.get(fp) as AlertRecord);
    inc.severity = SEVERITIES[SEVERITIES.length - 1] as Severity;
    inc.blastRaised = false;
    for (const a of records) {
      const startedAt = a.status === 'firing' ? a.startsAt : (a.endsAt ?? a.startsAt);
      this.deps.contribute(inc, a, startedAt, text.tokensOf(a.labels, a.annotations));
    }
    this.deps.raiseForBlastRadius(inc);
    text.rebuild(inc.id, records);
  }
}

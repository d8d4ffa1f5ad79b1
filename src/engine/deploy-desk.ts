import type { DeployEvent, Instant } from '../model/index.js';
import { formatDuration, renderLabels } from '../model/index.js';
import type { AlertRecord } from './alert-store.js';
import type { Binder } from './bind.js';
import { addSuspect, entityKind, findRootCause, suspectDeploy } from './cause.js';
import type { IncidentRecord } from './incident-store.js';
import type { DeskContext } from './ticket-desk.js';
import type { TopologyIndex } from './topology-index.js';

/** An incident needs this many alerts (and the deployed service one fewer) before a deploy is named for it. */
const MIN_ALERTS_FOR_DEPLOY = 3;

/** How much a rollback of a suspected version adds to its score. */
const ROLLBACK_BONUS = 0.15;

/**
 * Names the deploys suspected of causing incidents, and with them the root cause. Keeps the recent deploys (part
 * of engine snapshots) so that incidents opening after a deploy can still suspect it.
 */
export class DeployDesk {
  recent: DeployEvent[] = [];

  constructor(
    private readonly ctx: DeskContext,
    private readonly binder: Binder,
    private readonly topology: TopologyIndex,
    private readonly alerts: ReadonlyMap<string, AlertRecord>,
    private readonly lookbackMs: number,
  ) {}

  /** A deploy happened: open incidents may suspect it, or see their suspect rolled back. */
  receive(d: DeployEvent, now: Instant): void {
    // Twice the lookback: an incident may open with a startsAt well before the alert reaches us.
    const horizon = now - 2 * this.lookbackMs;
    this.recent = this.recent.filter((x) => x.deployedAt >= horizon);
    this.recent.push(d);
    for (const inc of this.ctx.incidents.incidents.values()) {
      if (inc.status !== 'open') continue;
      if (d.status === 'rolled_back') this.confirmByRollback(inc, d, now);
      else this.consider(inc, d, now);
    }
  }

  /**
   * The latest deploy (not a rollback) of the service bound to `entity` that landed within `withinMs` before `at`:
   * trouble on a service minutes after its own deploy is most likely that deploy's doing.
   */
  freshDeployOf(entity: string, labels: { cluster?: string; namespace?: string }, at: Instant, withinMs: number): DeployEvent | null {
    let best: DeployEvent | null = null;
    for (const d of this.recent) {
      if (d.status === 'rolled_back' || d.deployedAt > at || d.deployedAt < at - withinMs) continue;
      if (d.cluster !== undefined && labels.cluster !== undefined && d.cluster !== labels.cluster) continue;
      const scope: Record<string, string> = {};
      const cluster = d.cluster ?? labels.cluster;
      if (cluster !== undefined) scope['cluster'] = cluster;
      const ns = d.namespace ?? labels.namespace;
      if (ns !== undefined) scope['namespace'] = ns;
      // A topology entity, or without one the workload identity the binder gives the service's alerts.
      const named = this.binder.entityNamed(d.service, scope) ?? renderLabels({ ...scope, workload: d.service });
      if (named !== entity) continue;
      if (best === null || d.deployedAt > best.deployedAt) best = d;
    }
    return best;
  }

  /** Weighs every recent deploy against an incident that just gained an alert (few deploys are recent). */
  considerRecent(inc: IncidentRecord, now: Instant): void {
    for (const d of this.recent) this.consider(inc, d, now);
  }

  /**
   * How close a deploy is to an incident: the deployed service is one of its services (1), or an entity of the
   * incident depends on the deployed one and nothing else failing explains that entity's trouble (0.7). Null when
   * it is elsewhere, including another cluster.
   */
  private deployProximity(inc: IncidentRecord, d: DeployEvent): { factor: number; how: string; troubleAt: Instant } | null {
    if (d.cluster !== undefined && inc.clusters.length > 0 && !inc.clusters.includes(d.cluster)) return null;
    // One alert after a deploy is what background noise looks like too; a bad deploy trips several.
    if (inc.alerts.length < MIN_ALERTS_FOR_DEPLOY) return null;
    const own = inc.serviceStarts[d.service];
    if (own !== undefined) {
      if ((inc.serviceAlerts[d.service] ?? 0) < MIN_ALERTS_FOR_DEPLOY - 1) return null;
      return { factor: 1, how: 'an affected service', troubleAt: own };
    }
    const scope: Record<string, string> = {};
    if (d.cluster !== undefined) scope['cluster'] = d.cluster;
    if (d.namespace !== undefined) scope['namespace'] = d.namespace;
    const deployed = this.binder.entityNamed(d.service, scope);
    if (deployed === null) return null;
    for (const r of this.topology.dependents(deployed)) {
      if (inc.entityStarts[r.from] === undefined) continue;
      // A caller whose trouble a failing dependency in the incident already explains does not implicate this
      // deploy: that is a benign deploy outside the blast radius.
      const explained = this.topology.dependencies(r.from).some((x) => x.to !== deployed && inc.entityStarts[x.to] !== undefined);
      if (!explained) return { factor: 0.7, how: `which ${r.from} ${r.type}`, troubleAt: inc.entityStarts[r.from] ?? inc.openedAt };
    }
    return null;
  }

  /**
   * The root cause: the deployed entity of the best suspect when it is part of the incident (a bad deploy is the cause its
   * symptoms point to); in a burst, a failing node; else the most upstream failing entity.
   */
  rootCauseOf(inc: IncidentRecord): { entity: string; score: number } | null {
    const top = inc.suspectedDeploys[0];
    if (top !== undefined) {
      const cluster: Record<string, string> = inc.clusters.length === 1 ? { cluster: inc.clusters[0] as string } : {};
      const named = this.binder.entityNamed(top.service, cluster);
      const entity =
        named !== null && inc.entityStarts[named] !== undefined ? named : inc.entities.find((e) => e.includes(`workload=${JSON.stringify(top.service)}`));
      if (entity !== undefined) return { entity, score: top.score };
    }
    if (inc.burst !== null) {
      // Many entities of one cluster failing at once, and a node among them: the node took them down, whether or
      // not the topology says what runs where.
      const node = inc.entities.find((e) => entityKind(e, this.topology) === 'node');
      if (node !== undefined) return { entity: node, score: 0.7 };
    }
    return findRootCause(inc, this.alerts, this.topology);
  }

  /** Rolling back a suspected version is the team's own verdict on it: the suspect gains weight. */
  private confirmByRollback(inc: IncidentRecord, d: DeployEvent, now: Instant): void {
    const s = inc.suspectedDeploys.find((x) => x.service === d.service && x.version === d.version);
    if (s === undefined || s.reason.includes('rolled back')) return;
    s.score = Math.min(1, Math.round((s.score + ROLLBACK_BONUS) * 1000) / 1000);
    s.reason += `; rolled back ${formatDuration(Math.max(0, d.deployedAt - s.at))} after it`;
    inc.suspectedDeploys.sort((a, b) => b.score - a.score || b.at - a.at);
    inc.rootCause = this.rootCauseOf(inc);
    this.ctx.incidents.note(inc, { at: now, type: 'deploy-rolled-back', message: `${d.service} ${d.version} rolled back`, score: s.score });
    this.ctx.emit(inc.id, 'updated');
  }

  private consider(inc: IncidentRecord, d: DeployEvent, now: Instant): void {
    const proximity = this.deployProximity(inc, d);
    if (proximity === null) return;
    const s = suspectDeploy(inc, d, this.lookbackMs, proximity);
    if (s === null || !addSuspect(inc.suspectedDeploys, s)) return;
    inc.rootCause = this.rootCauseOf(inc);
    this.ctx.incidents.note(inc, { at: now, type: 'deploy-suspected', message: s.reason, score: s.score });
    this.ctx.emit(inc.id, 'updated');
  }
}

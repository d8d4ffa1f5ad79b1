import type { AlertRecord } from './alert-store.js';
import type { Binder, Binding } from './bind.js';
import { BURN_ALERTNAME } from './burn-alert.js';
import type { Proposal } from './correlate.js';
import type { IncidentRecord, IncidentStore } from './incident-store.js';
import type { EngineSlo } from './options.js';
import { SloCounter } from './slo-counter.js';
import { dependsOn } from './split.js';
import type { TopologyIndex } from './topology-index.js';

/** What the SLO desk reads of the engine: incidents, alerts, topology, and which entities are failing. */
export interface SloDeskDeps {
  readonly incidents: IncidentStore;
  readonly alerts: ReadonlyMap<string, AlertRecord>;
  readonly topology: TopologyIndex;
  readonly binder: Binder;
  readonly failing: (entity: string) => boolean;
}

/**
 * The engine's SLOs: samples into the burn-rate book, burns out as alert events, and where a burn alert belongs.
 * Deterministic like the rest of the engine: it is driven by samples and the instants it is given.
 */
export class SloDesk extends SloCounter {
  constructor(private readonly deps: SloDeskDeps, slos: readonly EngineSlo[]) {
    super(slos);
  }

  /** A burn alert is about its SLO's entity when it names one in the topology, else whatever its labels name. */
  bind(record: AlertRecord): Binding {
    const name = record.labels['slo'];
    const entityId = name === undefined ? undefined : this.slo(name)?.entity;
    const entity = entityId === undefined ? undefined : this.deps.topology.entity(entityId);
    if (entity !== undefined) return { entity: entity.id, inTopology: true, via: `slo=${name as string}`, kind: entity.kind };
    return this.deps.binder.bind(record.labels);
  }

  /**
   * The open incident a burn alert belongs to: one holding its entity or something the entity depends on through
   * failing entities (the bad deploy's service, the saturated datastore), the newest first, since a fresh burn
   * follows fresh trouble; else the open incident of another burn alert of the same SLO (one SLO burning is one
   * problem, whichever windows page first). Age does not matter: a burn shows only once its windows fill.
   */
  home(record: AlertRecord, entity: string | null): Proposal | undefined {
    const { incidents, alerts, topology, failing } = this.deps;
    let best: IncidentRecord | undefined;
    if (entity !== null) {
      for (const inc of incidents.openIncidents()) {
        if (best !== undefined && inc.seq < best.seq) continue;
        if (inc.entityStarts[entity] !== undefined || inc.entities.some((e) => dependsOn(entity, e, topology, failing))) best = inc;
      }
    }
    if (best !== undefined) {
      const reason = `the burn on ${entity as string} follows trouble at ${best.rootCause?.entity ?? entity}, open here`;
      return { incident: best, correlator: 'slo', bridges: false, score: { score: 1, reason } };
    }
    const slo = record.labels['slo'];
    for (const inc of incidents.openWithName(BURN_ALERTNAME, 32)) {
      const same = inc.alerts.some((fp) => {
        const a = alerts.get(fp) as AlertRecord;
        return a !== record && a.source === 'slo' && a.labels['slo'] === slo;
      });
      if (same) return { incident: inc, correlator: 'slo', bridges: false, score: { score: 1, reason: `SLO ${slo ?? ''} burns here already` } };
    }
    return undefined;
  }
}

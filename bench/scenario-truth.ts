import { parse } from 'yaml';

/** One incident of a scenario's `truth.json`: the alerts an SRE would put together, and what caused them. */
export interface TruthIncident {
  readonly id: string;
  /** Fingerprints, sorted. */
  readonly alerts: readonly string[];
  /** A topology entity id; absent when the cause is not an entity of the scenario's topology.yaml. */
  readonly rootCause?: string;
  /** The causal deploys; benign deploys and rollbacks never. */
  readonly deploys: ReadonlyArray<{ readonly service: string; readonly version: string }>;
  readonly tickets: readonly string[];
}

/** A scenario's `truth.json` (the shape `stormcell eval` reads: src/eval/truth.ts). */
export interface ScenarioTruth {
  readonly incidents: readonly TruthIncident[];
  /** Tickets about nothing in the capture: they must stay unlinked. */
  readonly unlinkedTickets: readonly string[];
}

/**
 * What a truth is derived from: a generator's {@link import('./capture-scenario.js').CaptureTruth} fits it, and so
 * does the hand-written scenarios' bookkeeping. Constraint: `alerts` and `tickets` are exactly those in the capture.
 */
export interface TruthSource {
  readonly faults: ReadonlyArray<{
    readonly id: string;
    /** A topology id or a free-form one (`cert/…`, `zone/…`); null when the cause has no id at all. */
    readonly cause: string | null;
    readonly deploy: { readonly service: string; readonly version: string } | null;
    readonly tickets: readonly string[];
  }>;
  /** Each distinct alert of the capture with the fault of its first firing episode (null: background noise). */
  readonly alerts: ReadonlyArray<{ readonly fingerprint: string; readonly fault: string | null }>;
  readonly tickets: ReadonlyArray<{ readonly id: string; readonly fault: string | null }>;
  /** The deploys in the capture; a fault's causal deploy counts only if it is among them. */
  readonly deploys: ReadonlyArray<{ readonly service: string; readonly version: string; readonly status: string }>;
}

/**
 * Turns ground truth into `truth.json`: one incident per fault that has alerts in the capture, a root cause only
 * when it is an id of `entityIds` (the scenario's topology; null when it has none), the causal deploy only when
 * the capture reports it. Tickets of no fault, or of a fault without alerts, are the unlinked ones.
 */
export function toScenarioTruth(src: TruthSource, entityIds: ReadonlySet<string> | null): ScenarioTruth {
  const ticketsInCapture = new Set(src.tickets.map((t) => t.id));
  const incidents: TruthIncident[] = [];
  const unlinked = src.tickets.filter((t) => t.fault === null).map((t) => t.id);
  for (const f of src.faults) {
    const alerts = src.alerts.filter((a) => a.fault === f.id).map((a) => a.fingerprint).sort();
    const tickets = f.tickets.filter((t) => ticketsInCapture.has(t));
    if (alerts.length === 0) {
      unlinked.push(...tickets);
      continue;
    }
    const d = f.deploy;
    const deployed = d !== null && src.deploys.some((x) => x.service === d.service && x.version === d.version && x.status === 'succeeded');
    incidents.push({
      id: f.id,
      alerts,
      ...(f.cause !== null && entityIds?.has(f.cause) === true ? { rootCause: f.cause } : {}),
      deploys: deployed ? [{ service: d.service, version: d.version }] : [],
      tickets,
    });
  }
  return { incidents, unlinkedTickets: unlinked };
}

/** `truth.json` text: two-space JSON with a final newline, keys in the documented order. */
export function renderTruth(t: ScenarioTruth): string {
  const incidents = t.incidents.map((i) => ({
    id: i.id, alerts: i.alerts, ...(i.rootCause === undefined ? {} : { rootCause: i.rootCause }), deploys: i.deploys, tickets: i.tickets,
  }));
  return JSON.stringify({ incidents, unlinkedTickets: t.unlinkedTickets }, null, 2) + '\n';
}

/** The entity ids of a `topology.yaml` text (CONTRACT §3), for checking root causes against it. */
export function topologyEntityIds(topologyYaml: string): Set<string> {
  const doc = parse(topologyYaml) as { entities?: Array<{ id?: unknown }> } | null;
  return new Set((doc?.entities ?? []).map((e) => e.id).filter((id): id is string => typeof id === 'string'));
}

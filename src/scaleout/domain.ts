/**
 * Which stage-two partition an event belongs to. Correlation never crosses a correlation domain (the value of one
 * label, `cluster` by default), so each domain's events can be correlated by one engine alone; several domains
 * share a partition when there are more domains than partitions.
 *
 * Events that name no domain go where a single engine would have let them act: a deploy without a cluster, a
 * ticket that names none, and an acknowledgement (whose incident may live anywhere) go to every partition. An
 * alert without the label is a domain of its own (''), as is an SLO whose entity has none.
 */
import type { Event, Topology } from '../model/index.js';

/** Every partition: the event is copied to each. */
export const BROADCAST = -1;

export interface DomainRouter {
  /** The partition of `ev`, or BROADCAST. */
  partitionOf(ev: Event): number;
  /** The partition of an SLO: its SLI samples' and its burns'. */
  partitionOfSlo(slo: string): number;
  readonly partitions: number;
}

/**
 * A router over `partitions` stage-two partitions. `label` names the domain (default cluster); `topology` gives
 * SLO entities' domains and the domains a ticket may name in its words (as the engine's ticket linker reads them).
 */
export function createDomainRouter(opts: {
  readonly partitions: number;
  readonly label: string;
  readonly topology: Topology;
  readonly sloEntities: ReadonlyMap<string, string | undefined>;
}): DomainRouter {
  const { partitions, label } = opts;
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions: expected a positive integer, got ${partitions}`);
  const entityDomain = new Map<string, string>();
  const known = new Set<string>();
  for (const e of opts.topology.entities) {
    const d = e.labels[label];
    if (d !== undefined) {
      entityDomain.set(e.id, d);
      known.add(d);
    }
  }
  const sloPartition = new Map<string, number>();
  for (const [slo, entity] of opts.sloEntities) {
    sloPartition.set(slo, domainPartition((entity === undefined ? undefined : entityDomain.get(entity)) ?? '', partitions));
  }
  const partitionOfSlo = (slo: string): number => sloPartition.get(slo) ?? domainPartition('', partitions);
  return {
    partitions,
    partitionOfSlo,
    partitionOf(ev: Event): number {
      switch (ev.kind) {
        case 'alert':
          return domainPartition(ev.labels[label] ?? '', partitions);
        case 'deploy': {
          const d = label === 'cluster' ? ev.cluster : undefined;
          return d === undefined ? BROADCAST : domainPartition(d, partitions);
        }
        case 'ticket': {
          const named = ev.labels[label] ?? namedDomain(`${ev.title} ${ev.body}`, known);
          return named === undefined ? BROADCAST : domainPartition(named, partitions);
        }
        case 'sli':
          return partitionOfSlo(ev.slo);
        case 'ack':
          return BROADCAST;
      }
    },
  };
}

/** The one domain named in `text` among `known`, or undefined when it names none or several. */
function namedDomain(text: string, known: ReadonlySet<string>): string | undefined {
  let found: string | undefined;
  for (const w of text.split(/[^A-Za-z0-9_.-]+/)) {
    if (!known.has(w) || w === found) continue;
    if (found !== undefined) return undefined;
    found = w;
  }
  return found;
}

/**
 * FNV-1a 32 of the domain's UTF-16 code units, modulo the partition count: stable across versions and processes,
 * and independent of how the producers of `stormcell.ingest` keyed their messages.
 */
export function domainPartition(domain: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < domain.length; i++) {
    h ^= domain.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}

/**
 * Splits one request's events by partition, in their order. Broadcast events go to every partition; a request
 * without events, or none for a partition, still gets an (empty) entry there only when it has a broadcast.
 */
export function splitByPartition(router: DomainRouter, events: readonly Event[]): Map<number, Event[]> {
  const out = new Map<number, Event[]>();
  for (const ev of events) {
    const p = router.partitionOf(ev);
    if (p === BROADCAST) {
      for (let q = 0; q < router.partitions; q++) push(out, q, ev);
    } else push(out, p, ev);
  }
  return out;
}

function push(m: Map<number, Event[]>, k: number, ev: Event): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [ev]);
  else list.push(ev);
}

/**
 * How events travel through the fold stage. Into it, stage one keys every event by what the fold keeps state for:
 * an alert by its fingerprint, an SLI sample by its SLO, so that each has one owner however the producers of
 * `stormcell.ingest` keyed their messages; anything else stays with its ingest partition. Out of it, the fold's
 * output is split by correlation domain for stage two. Both keep each event's index in its request, so stage two
 * can put the request's pieces back in their order.
 */
import type { Burn } from '../engine/index.js';
import type { Event } from '../model/index.js';
import { BROADCAST, domainPartition, type DomainRouter } from './domain.js';
import type { Extension, FoldOutput } from './fold.js';

export interface Piece {
  readonly ev: Event[];
  readonly ix: number[];
  readonly x: Extension[];
  /** Burns to queue, and burns to place after the request's events (see fold.ts). */
  readonly q: Burn[];
  readonly ba: Burn[];
}

/** The fold partition of one event of a request read from ingest partition `src`. */
export function foldPartition(ev: Event, src: number, partitions: number): number {
  switch (ev.kind) {
    case 'alert':
      return domainPartition(ev.fingerprint, partitions);
    case 'sli':
      return sloFoldPartition(ev.slo, partitions);
    default:
      return src % partitions;
  }
}

/** The fold partition that counts SLO `slo`. */
export function sloFoldPartition(slo: string, partitions: number): number {
  return domainPartition(slo, partitions);
}

/** One request's events by fold partition, in their order, each with its index in the request. */
export function splitForFold(events: readonly Event[], src: number, partitions: number): Map<number, Piece> {
  const out = new Map<number, Piece>();
  events.forEach((ev, i) => add(out, foldPartition(ev, src, partitions), ev, i));
  return out;
}

/**
 * One fold output by stage-two partition: events by their domain (broadcasts to all), extensions by their alert's,
 * burns by their SLO's.
 */
export function splitForStageTwo(router: DomainRouter, o: FoldOutput): Map<number, Piece> {
  const out = new Map<number, Piece>();
  for (const ext of o.x) piece(out, ext[2]).x.push(ext);
  for (const rb of o.q ?? []) piece(out, rb.part).q.push(rb.burn);
  for (const rb of o.ba ?? []) piece(out, rb.part).ba.push(rb.burn);
  o.ev.forEach((ev, i) => {
    const ix = o.ix[i] as number;
    const p = router.partitionOf(ev);
    if (p === BROADCAST) for (let q = 0; q < router.partitions; q++) add(out, q, ev, ix);
    else add(out, p, ev, ix);
  });
  return out;
}

function add(m: Map<number, Piece>, p: number, ev: Event, ix: number): void {
  const pc = piece(m, p);
  pc.ev.push(ev);
  pc.ix.push(ix);
}

function piece(m: Map<number, Piece>, p: number): Piece {
  let pc = m.get(p);
  if (pc === undefined) {
    pc = { ev: [], ix: [], x: [], q: [], ba: [] };
    m.set(p, pc);
  }
  return pc;
}

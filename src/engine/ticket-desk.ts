import type { Instant, TicketEvent } from '../model/index.js';
import type { IncidentRecord, IncidentStore } from './incident-store.js';
import type { TextMemory } from './text-memory.js';
import { ticketText, type SparseVector } from './text/index.js';
import { TICKET_LINK_THRESHOLD, scoreTicket, ticketClusters } from './ticket-linker.js';

/** What the ticket and deploy desks touch of the engine: the incidents, their text, and the effect feed. */
export interface DeskContext {
  readonly incidents: IncidentStore;
  readonly text: TextMemory;
  emit(id: string, change: 'updated'): void;
}

/**
 * Links tickets to the incident users suffer from (see `scoreTicket`), and keeps those filed before any alert of
 * theirs until an incident they fit appears. Its state (pending tickets, links) is part of engine snapshots.
 */
export class TicketDesk {
  pending: TicketEvent[] = [];
  readonly linked = new Map<string, string>();

  constructor(
    private readonly ctx: DeskContext,
    private readonly windowMs: number,
  ) {}

  /** A ticket was created or updated. */
  receive(t: TicketEvent, now: Instant): void {
    const linked = this.linked.get(t.id);
    if (linked !== undefined) {
      const inc = this.ctx.incidents.get(linked) as IncidentRecord;
      this.ctx.incidents.note(inc, { at: now, type: 'ticket-updated', message: `ticket ${t.id} is ${t.status}` });
      this.ctx.emit(inc.id, 'updated');
      return;
    }
    const tv = ticketVectors(this.ctx.text, t);
    const clusters = ticketClusters(t, this.ctx.incidents.knownClusters());
    let best: { inc: IncidentRecord; score: number; reason: string } | null = null;
    for (const inc of this.ctx.incidents.incidents.values()) {
      const s = scoreTicket(t, tv(inc), clusters, inc, this.windowMs, this.ctx.text);
      // Ties go to the later incident: closer in time to a ticket that is filed now.
      if (s !== null && (best === null || s.score >= best.score)) best = { inc, ...s };
    }
    if (best === null || best.score < TICKET_LINK_THRESHOLD) {
      this.pending = this.pending.filter((p) => p.id !== t.id && p.createdAt >= now - this.windowMs);
      this.pending.push(t);
      return;
    }
    this.link(best.inc, t, now, best.reason, best.score);
  }

  /** Tickets filed before their incident's alerts: checked again whenever an incident gains an alert. */
  linkPending(inc: IncidentRecord, now: Instant): void {
    if (this.pending.length === 0) return;
    const known = this.ctx.incidents.knownClusters();
    const rest: TicketEvent[] = [];
    for (const t of this.pending) {
      const s = scoreTicket(t, ticketVectors(this.ctx.text, t)(inc), ticketClusters(t, known), inc, this.windowMs, this.ctx.text);
      if (s === null || s.score < TICKET_LINK_THRESHOLD) rest.push(t);
      else this.link(inc, t, now, s.reason, s.score);
    }
    this.pending = rest;
  }


  private link(inc: IncidentRecord, t: TicketEvent, now: Instant, reason: string, score: number): void {
    this.linked.set(t.id, inc.id);
    inc.tickets.push(t.id);
    this.ctx.incidents.note(inc, { at: now, type: 'ticket-linked', message: `ticket ${t.id}: ${t.title}`, reason, score });
    this.ctx.emit(inc.id, 'updated');
  }
}

/**
 * A ticket's vector as each incident's text sees it: with the document frequencies of the incident's cluster
 * (where its alerts were counted), computed once per cluster.
 */
function ticketVectors(text: TextMemory, t: TicketEvent): (inc: IncidentRecord) => SparseVector {
  const words = ticketText(t.title, t.body);
  const byCluster = new Map<string, SparseVector>();
  return (inc) => {
    const cluster = inc.clusters[0] ?? '';
    let v = byCluster.get(cluster);
    if (v === undefined) {
      v = text.vector(words, cluster);
      byCluster.set(cluster, v);
    }
    return v;
  };
}

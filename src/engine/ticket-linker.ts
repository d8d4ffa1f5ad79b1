import type { TicketEvent } from '../model/index.js';
import type { SparseVector } from './text/index.js';
import type { IncidentRecord } from './incident-store.js';
import type { TextMemory } from './text-memory.js';

/** A ticket's score below this leaves it unlinked: an unrelated ticket on an incident misleads more than none. */
export const TICKET_LINK_THRESHOLD = 0.3;

/**
 * The clusters a ticket speaks of: its `cluster` label, a label (Jira labels arrive as `{<label>: "true"}`) or a
 * word of its title naming a cluster stormcell has seen. Empty when it names none.
 */
export function ticketClusters(t: TicketEvent, known: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  const c = t.labels['cluster'];
  if (c !== undefined) out.add(c);
  for (const k of Object.keys(t.labels)) if (known.has(k)) out.add(k);
  for (const w of `${t.title} ${t.body}`.split(/[^A-Za-z0-9_.-]+/)) if (known.has(w)) out.add(w);
  return [...out];
}

/**
 * How strongly a ticket speaks of an incident, or null: the incident's services named in the ticket (`services`,
 * Jira components) or mentioned in its words, and how its text resembles the incident's alerts (TF-IDF cosine),
 * weighed by time (a ticket filed near the incident's start, before or after, is likelier theirs) and by how bad
 * the incident is (users notice big outages). A ticket about another cluster is never linked.
 */
export function scoreTicket(
  t: TicketEvent,
  tv: SparseVector,
  clusters: readonly string[],
  inc: IncidentRecord,
  windowMs: number,
  text: TextMemory,
): { score: number; reason: string } | null {
  const end = inc.resolvedAt ?? Number.POSITIVE_INFINITY;
  if (t.createdAt < inc.openedAt - windowMs || t.createdAt > end + windowMs / 2) return null;
  if (clusters.length > 0 && inc.clusters.length > 0 && !clusters.some((c) => inc.clusters.includes(c))) return null;
  const named = inc.services.filter((s) => t.services.includes(s));
  const words = new Set(`${t.title} ${t.body}`.toLowerCase().split(/[^a-z0-9_-]+/));
  const mentioned = inc.services.filter((s) => words.has(s.toLowerCase()));
  const sim = text.similarity(inc.id, tv);
  let base = 0;
  let reason = '';
  if (named.length > 0) {
    base = 0.6;
    reason = `names service ${named.join(', ')}`;
  } else if (mentioned.length > 0) {
    base = 0.45;
    reason = `mentions ${mentioned.join(', ')}`;
  }
  if (sim >= 0.1 && sim * 0.9 > base) {
    base = sim * 0.9;
    reason = `its text resembles the alerts (cosine ${sim.toFixed(2)})`;
  } else if (sim >= 0.1) {
    reason += ` and its text resembles the alerts (cosine ${sim.toFixed(2)})`;
  }
  if (base === 0) return null;
  base = Math.min(1, base + 0.2 * sim);
  const lead = t.createdAt - inc.openedAt;
  const closeness = lead < 0 ? 1 - -lead / windowMs : 1 - lead / (2 * windowMs);
  const severity = inc.severity === 'sev1' ? 0.08 : inc.severity === 'sev2' ? 0.04 : 0;
  const size = Math.min(0.08, inc.alerts.length / 200);
  const score = base * (0.6 + 0.4 * Math.max(0, closeness)) + severity + size;
  return { score: Math.round(score * 1000) / 1000, reason: `ticket ${reason}` };
}

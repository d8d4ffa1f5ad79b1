import type { TicketEvent } from '../model/index.js';
import type { IncidentRecord } from './incident-store.js';

/**
 * How strongly a ticket speaks of an incident: the incident's services named in the ticket's `services`
 * (strong) or as words of its title and body (weaker), and the ticket filed near the incident's lifetime.
 * Returns null when the ticket says nothing of the incident. Text similarity proper arrives with correlation.
 */
export function scoreTicket(t: TicketEvent, inc: IncidentRecord, windowMs: number): { score: number; reason: string } | null {
  const end = inc.resolvedAt ?? Number.POSITIVE_INFINITY;
  if (t.createdAt < inc.openedAt - windowMs || t.createdAt > end + windowMs) return null;
  const named = inc.services.filter((s) => t.services.includes(s));
  if (named.length > 0) return { score: 0.9, reason: `ticket names service ${named.join(', ')}` };
  const words = new Set(tokenize(`${t.title} ${t.body}`));
  const mentioned = inc.services.filter((s) => words.has(s.toLowerCase()));
  if (mentioned.length > 0) return { score: 0.6, reason: `ticket mentions ${mentioned.join(', ')}` };
  return null;
}

function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9_-]+/).filter((w) => w.length > 1);
}

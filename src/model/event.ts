import type { LabelSet } from './labels.js';
import type { Instant } from './time.js';

/** The receiver paths of CONTRACT §1. */
export const CONTRACT_RECEIVER_PATHS = [
  '/api/v2/alerts',
  '/webhook/alertmanager',
  '/webhook/tickets/jira',
  '/webhook/tickets/generic',
  '/webhook/deploys/generic',
  '/api/v1/sli',
] as const;

/**
 * Every path whose requests are logged, recorded and replayed; a capture line's `path` is one of them: CONTRACT
 * §1's, and stormcell's own acknowledgements and resolutions (who is on an incident, or closed it by hand, is an
 * input like the others).
 */
export const RECEIVER_PATHS = [...CONTRACT_RECEIVER_PATHS, '/api/v1/acknowledgements', '/api/v1/resolutions'] as const;
export type ReceiverPath = (typeof RECEIVER_PATHS)[number];

export function isReceiverPath(p: string): p is ReceiverPath {
  return (RECEIVER_PATHS as readonly string[]).includes(p);
}

/**
 * One received request as the durable log and capture files hold it (CONTRACT §2): when it arrived, where, and the
 * body as JSON. Events are derived from it by the normalizers, so the log keeps exactly what was acknowledged.
 */
export interface CaptureRecord {
  readonly ts: Instant;
  readonly path: ReceiverPath;
  readonly body: unknown;
}

/**
 * An alert as one request delivered it. `endsAt` null means the sender gave none:
 * from `/api/v2/alerts` that starts `resolve_timeout`; from a webhook it means "firing until resolved".
 */
export interface AlertEvent {
  readonly kind: 'alert';
  readonly at: Instant;
  /**
   * `api`: a ruler or Alertmanager API v2 client that re-sends; `webhook`: an upstream Alertmanager's notification;
   * `slo`: a burn-rate alert the engine raised itself from SLI samples (never received, firing until resolved).
   */
  readonly source: 'api' | 'webhook' | 'slo';
  readonly fingerprint: string;
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly startsAt: Instant;
  readonly endsAt: Instant | null;
  readonly generatorURL?: string;
}

/** A support ticket from Jira or a generic ticket system. */
export interface TicketEvent {
  readonly kind: 'ticket';
  readonly at: Instant;
  readonly source: 'jira' | 'generic';
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly createdAt: Instant;
  readonly priority?: string;
  readonly status: 'open' | 'resolved';
  readonly services: readonly string[];
  readonly labels: LabelSet;
}

/** A deploy (change) of one service. */
export interface DeployEvent {
  readonly kind: 'deploy';
  readonly at: Instant;
  readonly service: string;
  readonly version: string;
  readonly previousVersion?: string;
  readonly environment?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  /** When the deploy happened (the payload's `at`), which may precede its delivery. */
  readonly deployedAt: Instant;
  readonly status: 'succeeded' | 'failed' | 'rolled_back';
  readonly commit?: string;
  readonly author?: string;
  readonly url?: string;
}

/** Cumulative good/total counters of one SLO at one instant (counters may reset). */
export interface SliSample {
  readonly kind: 'sli';
  readonly at: Instant;
  readonly slo: string;
  readonly sampleAt: Instant;
  readonly good: number;
  readonly total: number;
}

/**
 * Someone acted on an incident by hand: acknowledged it (they are on it) or, with `resolve`, resolved it. Both are
 * one kind because both go wherever the incident lives: Kafka mode sends every `ack` to every partition.
 */
export interface AckEvent {
  readonly kind: 'ack';
  readonly at: Instant;
  readonly incident: string;
  readonly by: string;
  readonly comment?: string;
  /** Resolved by hand (`POST /api/v1/resolutions`); absent on an acknowledgement. */
  readonly resolve?: true;
}

/** Everything the engine consumes. */
export type Event = AlertEvent | TicketEvent | DeployEvent | SliSample | AckEvent;

import type { AlertTemplate } from './alert-rules.js';

/**
 * A rule's expression holding true for one series over [start, end) in one cluster: the input the simulated
 * rulers evaluate. Constraint: `end` may be Infinity (still true when the capture ends).
 */
export interface Condition {
  readonly cluster: string;
  readonly template: AlertTemplate;
  readonly start: number;
  readonly end: number;
  /** The injected fault this condition is a symptom of; null for background noise. */
  readonly fault: string | null;
}

/** One request as the generator will write it: delivery time, receiver path and the body already serialized. */
export interface Emission {
  readonly at: number;
  readonly path: string;
  readonly bodyJson: string;
}

/** Ground truth of one injected fault: what broke, where and when, and what it produced besides alerts. */
export interface FaultTruth {
  readonly id: string;
  readonly kind: 'bad-deploy' | 'datastore-saturation' | 'node-failure' | 'flapping-alert' | 'cert-expiry' | 'network-fault';
  readonly title: string;
  readonly cluster: string;
  /**
   * The failing entity: an id of the generated topology (`svc/eu-1/checkout`, `db/us-1/payments-db`, `node/ap-1-n4`)
   * or, for causes the topology does not model, a free-form id (`cert/api.shop.eu-1.example.com`, `zone/us-1-c`).
   */
  readonly cause: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** The deploy that caused it, for bad deploys. */
  readonly deploy: { service: string; version: string; at: string } | null;
  /** Ticket ids (Jira keys, generic ids) raised about it. */
  readonly tickets: string[];
}

/** Ground truth of one distinct alert (fingerprint) that appears in the capture. */
export interface AlertTruth {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The fault of its first firing episode; null for background noise (including Watchdog). */
  readonly fault: string | null;
  /** Each firing episode (a flapping alert has several), with the fault it belongs to. */
  readonly episodes: Array<{ fault: string | null; startsAt: string; resolvedAt: string | null }>;
  /** `api` when sent by rulers to /api/v2/alerts, `webhook` when forwarded by the upstream Alertmanager. */
  readonly source: 'api' | 'webhook';
}

/** The generator's side output: which fault each alert, ticket and deploy belongs to. Never written to the capture. */
export interface CaptureTruth {
  readonly faults: FaultTruth[];
  readonly alerts: AlertTruth[];
  readonly deploys: Array<{ service: string; cluster: string; version: string; status: string; at: string; fault: string | null }>;
  readonly tickets: Array<{ id: string; source: 'jira' | 'generic'; fault: string | null; createdAt: string }>;
}

/** Where fault and background builders put what they produce; the generator turns it into requests. */
export interface ScenarioSink {
  condition(c: Condition): void;
  deploy(d: DeploySpec): void;
  ticket(t: TicketSpec): void;
}

/** A deploy event as a CD pipeline reports it (`/webhook/deploys/generic`). */
export interface DeploySpec {
  readonly cluster: string;
  readonly namespace: string;
  readonly service: string;
  readonly version: string;
  readonly previousVersion: string;
  readonly status: 'succeeded' | 'failed' | 'rolled_back';
  /** When it happened; it is delivered a little later. */
  readonly at: number;
  readonly fault: string | null;
}

/** A ticket and its later updates (Jira: issue_created then issue_updated; generic: re-posted with a new status). */
export interface TicketSpec {
  /** Jira key (`OPS-1401`) or generic id (`ZD-48211`). */
  readonly id: string;
  readonly source: 'jira' | 'generic';
  readonly title: string;
  readonly body: string;
  readonly createdAt: number;
  readonly priority: 'Highest' | 'High' | 'Medium' | 'Low';
  readonly cluster: string;
  readonly services: readonly string[];
  /** Status changes after creation: Jira status names (`In Progress`, `Done`) or generic `resolved`. */
  readonly updates: ReadonlyArray<{ at: number; status: string }>;
  readonly fault: string | null;
}

import { join } from 'node:path';
import { Outbox, idempotencyKey, tracedAction, integrationName, type Action, type DeadLetter, type DeployNote, type Integration, type Notification, type RecordStore } from '../actions/index.js';
import type { SilenceModel } from '../api/silences-api.js';
import type { DeployEvent, IncidentDoc, Instant, TimelineEntry } from '../model/index.js';
import { fingerprint, formatInstant } from '../model/index.js';
import type { Logger } from '../obs/index.js';
import { Inhibitor, type RoutingConfig, type Silencer } from '../route/index.js';
import { Notifier, type IncidentView } from './notifier.js';
import { openFileSilences, type SharedSilences } from './shared-silences.js';

/**
 * A stage's durable state, opened by the caller: scale-out gives each partition's stage its own outbox store and
 * every stage of the process the same silences.
 */
export interface NotifyStores {
  /** The outbox's records, not yet opened: the stage opens it (resuming what was pending) and closes it; left alone without routing. */
  readonly outbox: RecordStore;
  /** Already restored; the stage only reads them and listens for changes. */
  readonly silences: SharedSilences;
}

/**
 * Where the stage keeps its durable state: `dataDir` (embedded mode: `<dataDir>/outbox` and `<dataDir>/silences`)
 * or `stores` the caller opened. Exactly one of the two.
 */
export type NotifyStorage = { readonly dataDir: string; readonly stores?: undefined } | { readonly stores: NotifyStores; readonly dataDir?: undefined };

/** What the notification stage is built from. */
export type NotifyStageOptions = NotifyStageSettings & NotifyStorage;

/** Everything but the storage. */
export interface NotifyStageSettings {
  /** routing.yaml, or null: silences still work (and persist), nothing is routed. */
  readonly routing: RoutingConfig | null;
  readonly incidents: IncidentView;
  readonly logger: Logger;
  readonly now: () => Instant;
  /** stormcell's own URL, for links in notifications. */
  readonly externalURL: string;
  /** Outbox retry settings for tests; production uses the outbox's defaults. */
  readonly outbox?: { baseBackoffMs?: number; maxBackoffMs?: number; timeoutMs?: number };
}

/** A change the engine reported, as the stage needs it. */
export interface IncidentChange {
  readonly id: string;
  readonly change: 'opened' | 'updated' | 'resolved' | 'reopened' | 'merged';
}

/** How often every open incident is looked at again even without a change: repeats, expired silences, time intervals. */
const REVIEW_EVERY_MS = 15_000;

/**
 * Routing, silences and the outbox together: engine changes in, notifications persisted and sent, the outcome on
 * the incident's timeline. The app feeds it incident changes and calls {@link tick} on its timer.
 */
export class NotifyStage {
  private lastReview = -Infinity;
  private ticking: Promise<void> | null = null;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly opts: NotifyStageOptions,
    private readonly silences: SharedSilences,
    private readonly outbox: Outbox | null,
    private readonly notifier: Notifier | null,
  ) {
    // A silence changes what is muted now, wherever it was made: look at every open incident again.
    this.unsubscribe = silences.onChange(() => notifier?.touchOpen(opts.now()));
  }

  /**
   * Opens the outbox (resuming what was pending), restores silences (from `dataDir`; `stores` come restored), and
   * rebuilds what receivers were told from the outbox, so nothing recorded as sent is sent again.
   */
  static async open(opts: NotifyStageOptions): Promise<NotifyStage> {
    const silences = opts.stores !== undefined ? opts.stores.silences : await openFileSilences(join(opts.dataDir, 'silences'));
    const routing = opts.routing;
    if (routing === null) return new NotifyStage(opts, silences, null, null);

    const actions = new Map<string, Action>();
    const outbox = await Outbox.open(opts.stores !== undefined ? opts.stores.outbox : join(opts.dataDir, 'outbox'), {
      ...opts.outbox,
      logger: opts.logger.child({ stage: 'outbox' }),
      now: opts.now,
      actions: (receiver, integration) => {
        const key = `${receiver}\u0000${integration}`;
        let action = actions.get(key);
        if (action === undefined) {
          const found = (routing.receivers.get(receiver) ?? []).find((i) => integrationName(i.type, i.index) === integration);
          if (found === undefined) return undefined;
          action = tracedAction((found.config as Integration).create({ logger: opts.logger, fetch, now: opts.now }, { receiver, integration }), receiver, integration);
          actions.set(key, action);
        }
        return action;
      },
    });
    const notifier = new Notifier({
      tree: routing.route,
      receivers: new Map([...routing.receivers].map(([name, list]) => [name, list.map((i) => ({ type: i.type, index: i.index }))])),
      inhibitor: new Inhibitor(routing.inhibitRules),
      timeIntervals: routing.timeIntervals,
      silencer: silences.silencer,
      incidents: opts.incidents,
      sink: { enqueue: async (ns) => void (await outbox.enqueue(ns)) },
      externalURL: opts.externalURL,
    });
    notifier.restore(outbox.enqueued());
    return new NotifyStage(opts, silences, outbox, notifier);
  }

  /** Engine changes: each changed incident is looked at on the next tick; a merged one has its pages resolved. */
  async observe(changes: readonly IncidentChange[]): Promise<void> {
    if (this.notifier === null || this.outbox === null) return;
    const now = this.opts.now();
    for (const c of changes) {
      if (c.change === 'merged') {
        const resolves = this.notifier.merged(c.id, now);
        if (resolves.length > 0) await this.outbox.enqueue(resolves);
      } else this.notifier.touch(c.id, now);
    }
  }

  /**
   * A deploy, marked on the dashboards of every Grafana integration of routing.yaml (once per deploy: its key is the
   * deploy's). Queued as it is applied, so a crash between its log append and this queue can lose the mark.
   */
  async deployed(d: DeployEvent): Promise<void> {
    const routing = this.opts.routing;
    if (routing === null || this.outbox === null) return;
    const id = `deploy-${fingerprint({ service: d.service, version: d.version, at: String(d.deployedAt), status: d.status }).slice(0, 12)}`;
    const note: DeployNote = {
      service: d.service, version: d.version, status: d.status, at: d.deployedAt,
      ...(d.previousVersion === undefined ? {} : { previousVersion: d.previousVersion }),
      ...(d.cluster === undefined ? {} : { cluster: d.cluster }),
      ...(d.namespace === undefined ? {} : { namespace: d.namespace }),
      ...(d.environment === undefined ? {} : { environment: d.environment }),
      ...(d.author === undefined ? {} : { author: d.author }),
      ...(d.commit === undefined ? {} : { commit: d.commit }),
      ...(d.url === undefined ? {} : { url: d.url }),
    };
    const at = formatInstant(d.deployedAt);
    const incident: IncidentDoc = {
      id, title: `Deploy of ${d.service} ${d.version}`, severity: 'sev4', status: 'resolved', openedAt: at, resolvedAt: at,
      alerts: [], tickets: [], suspectedDeploys: [], rootCause: null,
    };
    const now = this.opts.now();
    const out: Notification[] = [];
    for (const [receiver, integrations] of routing.receivers) {
      for (const i of integrations) {
        if (i.type !== 'grafana') continue;
        const integration = integrationName(i.type, i.index);
        out.push({
          receiver, integration, incident, status: 'resolved', version: 1, idempotencyKey: idempotencyKey(id, 1, receiver, integration),
          groupLabels: {}, commonLabels: { service: d.service }, externalURL: this.opts.externalURL, now, deploy: note,
        });
      }
    }
    if (out.length > 0) await this.outbox.enqueue(out);
  }

  /** Queues what is due; one tick at a time (a slow fsync must not let two ticks decide the same thing). */
  tick(): Promise<void> {
    if (this.notifier === null) return Promise.resolve();
    if (this.ticking !== null) return this.ticking;
    const notifier = this.notifier;
    const now = this.opts.now();
    if (now - this.lastReview >= REVIEW_EVERY_MS) {
      this.lastReview = now;
      notifier.touchOpen(now);
    }
    this.ticking = notifier
      .tick(now)
      .then(() => undefined)
      .finally(() => {
        this.ticking = null;
      });
    return this.ticking;
  }

  /** The incident's notification story for its timeline: decisions, every attempt and its outcome. */
  timeline(id: string): TimelineEntry[] {
    const out: TimelineEntry[] = [];
    for (const n of this.notifier?.timeline(id) ?? []) {
      out.push({ at: formatInstant(n.at), type: n.type, message: n.message, ...(n.reason === undefined ? {} : { reason: n.reason }) });
    }
    for (const h of this.outbox?.history(id) ?? []) {
      const what = h.result === 'sent' ? `sent${h.ref === undefined ? '' : ` (${h.ref})`}` : h.result === 'retryable' ? `failed, will retry: ${h.error ?? ''}` : `given up (${h.result}): ${h.error ?? ''}`;
      out.push({ at: formatInstant(h.at), type: 'notification', message: `${h.status} notification ${h.version} to ${h.receiver} ${h.integration}, attempt ${h.attempt}: ${what}` });
    }
    return out;
  }

  deadLetters(): DeadLetter[] {
    return this.outbox?.deadLetters() ?? [];
  }

  stats(): ReturnType<Outbox['stats']> | null {
    return this.outbox?.stats() ?? null;
  }

  /** The silences this stage applies (shared with the other stages of the process, if any). */
  get silencer(): Silencer {
    return this.silences.silencer;
  }

  /**
   * The silences API's view: the silencer, the clock, and a durable save before any change is acknowledged. With
   * shared silences any stage's model will do: every stage hears of the change.
   */
  silenceModel(): SilenceModel {
    return { silencer: this.silences.silencer, now: this.opts.now, persist: () => this.silences.persist() };
  }

  /**
   * Waits for the tick under way and closes the outbox (attempts under way are resent after the next open). Shared
   * silences stay open: they are the caller's.
   */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.ticking;
    await this.outbox?.close();
  }
}

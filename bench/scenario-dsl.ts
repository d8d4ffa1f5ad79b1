import type { AlertSource, AlertTemplate } from './alert-rules.js';
import { alertmanagerWebhook } from './alertmanager-sim.js';
import { alertTruth, lokiRuler, PLATFORM_PROMETHEUS, prometheusReplica, UPSTREAM } from './capture-generator.js';
import type { Condition, DeploySpec, Emission, TicketSpec } from './capture-scenario.js';
import type { DatastoreEngine, Workload } from './capture-world.js';
import { evaluate, notify, type Episode } from './ruler-sim.js';
import { KUBE_ALPHABET, Rng } from './rng.js';
import { captureText, KEEP_FILE, type ScenarioFiles } from './scenario-files.js';
import { renderTruth, toScenarioTruth, topologyEntityIds } from './scenario-truth.js';
import { deployEmission, ticketEmissions } from './side-channels.js';

const MIN = 60_000;

/** What a hand-written scenario is: a name, a story, a window and (optionally) a topology. */
export interface ScenarioSpec {
  readonly name: string;
  /** One line for test/scenarios/README.md. */
  readonly description: string;
  readonly seed: number;
  /** RFC 3339 start of the window; every time in the DSL is minutes after it. */
  readonly start: string;
  readonly minutes: number;
  /** topology.yaml text (CONTRACT §3), or none: correlation from labels, time, deploys and text alone. */
  readonly topology?: string;
  /** Both replicas of the kube-prometheus HA pair send (default true): every Prometheus alert arrives twice. */
  readonly haPair?: boolean;
}

/** Options of one alert rule written out by hand (for rules alert-rules.ts does not have). */
export interface RuleOptions {
  /** Rule group (alerts of a group are sent together); default `<source>-rules`. */
  readonly group?: string;
  /** The rule's `for` in minutes (default 0); the alert fires at `from` regardless, as if pending since earlier. */
  readonly forMin?: number;
  /** The expression, for the generatorURL. */
  readonly expr: string;
  /** Re-rendered annotations, for a `$value` that moves while firing; `elapsedMin` since the rule went pending. */
  readonly annotationsAt?: (elapsedMin: number) => Record<string, string>;
}

interface SloSpec {
  readonly name: string;
  readonly objective: number;
  readonly entity: string;
  readonly rpm: number;
  readonly baseline: number;
  readonly segments: ReadonlyArray<{ from: number; to: number; burn: number }>;
}

interface IncidentDecl {
  readonly rootCause: string | null;
  readonly deploy: { service: string; version: string } | null;
}

/**
 * A tiny DSL for hand-written scenarios, on the generator's own simulators: alerts are conditions that the simulated
 * Prometheus HA pair, Loki ruler or platform Prometheus (through an upstream Alertmanager's webhook) evaluate and
 * send exactly as in generated captures (re-sends every 90 s with `endsAt` four minutes ahead, resolved re-sends
 * for 15 minutes, Go timestamps, batching per rule group). Each alert, deploy and ticket names the truth incident
 * it belongs to, or null for background noise; {@link build} renders the capture, config and truth.json.
 */
export class ScenarioBuilder {
  private readonly rng: Rng;
  private readonly t0: number;
  private readonly t1: number;
  private readonly conditions: Condition[] = [];
  private readonly deploys: DeploySpec[] = [];
  private readonly tickets: TicketSpec[] = [];
  private readonly incidents = new Map<string, IncidentDecl>();
  private readonly clusters = new Set<string>();
  private readonly slos: SloSpec[] = [];

  constructor(readonly spec: ScenarioSpec) {
    this.rng = new Rng(spec.seed);
    this.t0 = Date.parse(spec.start);
    if (Number.isNaN(this.t0)) throw new RangeError(`${spec.name}: start is not an RFC 3339 time: ${spec.start}`);
    this.t1 = this.t0 + spec.minutes * MIN;
  }

  /** Epoch ms of `min` minutes into the window. */
  at(min: number): number {
    return Number.isFinite(min) ? this.t0 + Math.round(min * MIN) : min;
  }

  /** Declares a truth incident; alerts, deploys and tickets join it by naming its id. */
  incident(id: string, decl: { rootCause?: string; deploy?: { service: string; version: string } } = {}): string {
    if (this.incidents.has(id)) throw new RangeError(`${this.spec.name}: incident ${id} declared twice`);
    this.incidents.set(id, { rootCause: decl.rootCause ?? null, deploy: decl.deploy ?? null });
    return id;
  }

  /**
   * A Kubernetes workload with pods named as Kubernetes names them (`<deployment>-<pod-template-hash>-<suffix>`,
   * `<statefulset>-<n>`), spread over `nodes` in turn: the input of the alert-rules.ts templates.
   */
  workload(cluster: string, namespace: string, name: string, team: string, opts: {
    kind?: 'Deployment' | 'StatefulSet'; replicas?: number; engine?: DatastoreEngine; nodes?: readonly string[]; container?: string;
  } = {}): Workload {
    const kind = opts.kind ?? (opts.engine === undefined ? 'Deployment' : 'StatefulSet');
    const replicas = opts.replicas ?? 3;
    const hash = this.rng.chars(10, KUBE_ALPHABET);
    const nodes = opts.nodes ?? [`${cluster}-n1`, `${cluster}-n2`, `${cluster}-n3`];
    const pods = Array.from({ length: replicas }, (_, i) => ({
      name: kind === 'StatefulSet' ? `${name}-${i}` : `${name}-${hash}-${this.rng.chars(5, KUBE_ALPHABET)}`,
      node: nodes[i % nodes.length] as string,
    }));
    return {
      cluster, namespace, name, kind, replicas, team, container: opts.container ?? name, calls: [], uses: [], consumerGroups: [],
      ...(opts.engine === undefined ? {} : { engine: opts.engine }),
      version: 'v1.0.0', templateHash: hash, hashByVersion: new Map([['v1.0.0', hash]]), pods,
    };
  }

  /**
   * An alert of a rule template (alert-rules.ts) in `cluster`, firing from minute `from` to minute `to` (Infinity:
   * still firing when the capture ends; a negative `from`: firing since before the window). The source of the
   * template decides who sends it: `prometheus` and `loki` post to /api/v2/alerts, `platform` goes through the
   * upstream Alertmanager's webhook.
   */
  fire(cluster: string, template: AlertTemplate, from: number, to: number, incident: string | null): void {
    if (incident !== null && !this.incidents.has(incident)) throw new RangeError(`${this.spec.name}: undeclared incident ${incident}`);
    for (const [k, v] of Object.entries(template.labels)) {
      // Alertmanager drops empty label values before fingerprinting; a truth written from them would not match.
      if (v === '') throw new RangeError(`${this.spec.name}: ${template.labels.alertname}: label ${k} is empty`);
    }
    if (!(to > from)) throw new RangeError(`${this.spec.name}: ${template.labels.alertname}: fires from ${from} to ${to}`);
    this.clusters.add(cluster);
    this.conditions.push({ cluster, template, start: this.at(from) - template.forMs, end: this.at(to), fault: incident });
  }

  /** A Prometheus alert written out by hand: `labels` as the rule gives them (the ruler adds `cluster`, `prometheus`). */
  prom(cluster: string, from: number, to: number, labels: Record<string, string>, annotations: Record<string, string>, opts: RuleOptions, incident: string | null): void {
    this.fire(cluster, this.template('prometheus', labels, annotations, opts), from, to, incident);
  }

  /** A Loki ruler alert written out by hand (labels from the stream selector: `app`, `namespace`, …). */
  loki(cluster: string, from: number, to: number, labels: Record<string, string>, annotations: Record<string, string>, opts: RuleOptions, incident: string | null): void {
    this.fire(cluster, this.template('loki', labels, annotations, opts), from, to, incident);
  }

  /** A platform Prometheus alert, forwarded by the upstream Alertmanager's webhook (group_by alertname, cluster). */
  webhook(cluster: string, from: number, to: number, labels: Record<string, string>, annotations: Record<string, string>, opts: RuleOptions, incident: string | null): void {
    this.fire(cluster, this.template('platform', labels, annotations, opts), from, to, incident);
  }

  /**
   * A deploy (`/webhook/deploys/generic`) at minute `at`. Deploys are causal only where an {@link incident} names
   * them (`deploy: {service, version}`); a rollback (`status: 'rolled_back'`) never is.
   */
  deploy(w: Workload, at: number, version: string, previousVersion: string, opts: { status?: DeploySpec['status'] } = {}): void {
    this.deploys.push({
      cluster: w.cluster, namespace: w.namespace, service: w.name, version, previousVersion, status: opts.status ?? 'succeeded',
      at: this.at(at), fault: null,
    });
  }

  /** A Jira issue (`OPS-…`) created at minute `at`, moved through `updates` (Jira status names). */
  jira(id: string, at: number, incident: string | null, t: {
    title: string; body: string; priority: TicketSpec['priority']; cluster: string; components?: readonly string[];
    updates?: ReadonlyArray<{ at: number; status: string }>;
  }): void {
    this.ticket(id, 'jira', at, incident, { ...t, services: t.components ?? [] });
  }

  /** A generic ticket (`ZD-…`) created at minute `at`; an update to `resolved` re-posts it resolved. */
  generic(id: string, at: number, incident: string | null, t: {
    title: string; body: string; priority: TicketSpec['priority']; cluster: string; services?: readonly string[];
    updates?: ReadonlyArray<{ at: number; status: string }>;
  }): void {
    this.ticket(id, 'generic', at, incident, { ...t, services: t.services ?? [] });
  }

  /**
   * Declares an SLO (slos.yaml, bound to `entity`) and its SLI exporter: cumulative good/total counters posted once
   * a minute (20 s after the minute), `rpm` requests a minute failing at `baseline` times the error budget, and at
   * `burn` times it inside each segment [from, to) (minutes).
   */
  slo(name: string, objective: number, entity: string, sli: { rpm: number; baseline: number; segments: ReadonlyArray<{ from: number; to: number; burn: number }> }): void {
    this.slos.push({ name, objective, entity, ...sli });
  }

  /**
   * Renders the scenario directory: the capture (every request inside the window, in delivery order), the config
   * (topology.yaml, or an empty directory) and truth.json.
   */
  build(): ScenarioFiles {
    const { t0, t1 } = this;
    const sim = this.rng.fork(1);
    const apiEpisodes: Episode[] = [];
    for (const cluster of [...this.clusters].sort()) {
      for (const replica of this.spec.haPair === false ? [0] : [0, 1]) {
        apiEpisodes.push(...evaluate(this.conditions, prometheusReplica(cluster, replica), sim.fork(replica + 1)));
      }
      apiEpisodes.push(...evaluate(this.conditions, lokiRuler(cluster), sim.fork(7)));
    }
    const api = notify(apiEpisodes, t0, t1, sim.fork(8));
    const webhook = alertmanagerWebhook(evaluate(this.conditions, PLATFORM_PROMETHEUS, sim.fork(9)), UPSTREAM, t0, t1, sim.fork(10));
    const side = this.rng.fork(2);
    const emissions: Emission[] = [
      ...api.emissions,
      ...webhook.emissions,
      ...this.deploys.map((d) => deployEmission(d, side)),
      ...this.tickets.flatMap((t) => ticketEmissions(t, side)),
      ...this.slos.flatMap((slo) => this.sliEmissions(slo)),
    ].filter((e) => e.at >= t0 && e.at < t1);
    const lines = emissions
      .map((e, i) => ({ e, i }))
      .sort((x, y) => x.e.at - y.e.at || x.i - y.i)
      .map(({ e }) => `{"ts":"${new Date(e.at).toISOString()}","path":"${e.path}","body":${e.bodyJson}}`);

    const entityIds = this.spec.topology === undefined ? null : topologyEntityIds(this.spec.topology);
    for (const [id, decl] of this.incidents) {
      if (decl.rootCause !== null && entityIds?.has(decl.rootCause) !== true) {
        throw new RangeError(`${this.spec.name}: incident ${id}: root cause ${decl.rootCause} is not an entity of the topology`);
      }
    }
    const alerts = alertTruth(api.sent, webhook.notified.map((n) => n.episode));
    const ticketsIn = this.tickets.filter((t) => t.createdAt >= t0 && t.createdAt < t1);
    const truth = toScenarioTruth({
      faults: [...this.incidents].map(([id, decl]) => ({
        id, cause: decl.rootCause, deploy: decl.deploy, tickets: ticketsIn.filter((t) => t.fault === id).map((t) => t.id),
      })),
      alerts,
      tickets: ticketsIn.map((t) => ({ id: t.id, fault: t.fault })),
      deploys: this.deploys.filter((d) => d.at >= t0 && d.at < t1),
    }, entityIds);
    for (const id of this.incidents.keys()) {
      if (!truth.incidents.some((i) => i.id === id)) throw new RangeError(`${this.spec.name}: incident ${id} has no alert in the window`);
    }
    for (const i of truth.incidents) {
      const d = this.incidents.get(i.id)?.deploy;
      if (d != null && i.deploys.length === 0) throw new RangeError(`${this.spec.name}: incident ${i.id}: causal deploy ${d.service} ${d.version} is not in the capture`);
    }

    const files: Record<string, string> = { 'capture.ndjson': captureText(lines) };
    if (this.spec.topology === undefined) files[`config/${KEEP_FILE}`] = '';
    else files['config/topology.yaml'] = this.spec.topology;
    if (this.slos.length > 0) {
      files['config/slos.yaml'] = 'slos:\n' + this.slos.map((o) => `  - {name: ${o.name}, objective: ${o.objective}, window: 30d, entity: ${o.entity}}\n`).join('');
    }
    files['truth.json'] = renderTruth(truth);
    return { name: this.spec.name, description: this.spec.description, files };
  }

  /** One SLO's samples: the counters at each minute of the window, errors rounded per minute. */
  private sliEmissions(o: SloSpec): Emission[] {
    const out: Emission[] = [];
    const budget = 1 - o.objective / 100;
    let good = 0;
    let total = 0;
    for (let t = this.t0; t < this.t1; t += MIN) {
      const min = (t - this.t0) / MIN;
      const burn = o.segments.find((g) => g.from <= min && min < g.to)?.burn ?? o.baseline;
      const bad = Math.round(o.rpm * budget * burn);
      total += o.rpm;
      good += o.rpm - bad;
      const body = { slo: o.name, at: new Date(t).toISOString(), good, total };
      out.push({ at: t + 20_000, path: '/api/v1/sli', bodyJson: JSON.stringify(body) });
    }
    return out;
  }

  private ticket(id: string, source: 'jira' | 'generic', at: number, incident: string | null, t: {
    title: string; body: string; priority: TicketSpec['priority']; cluster: string; services: readonly string[];
    updates?: ReadonlyArray<{ at: number; status: string }>;
  }): void {
    if (incident !== null && !this.incidents.has(incident)) throw new RangeError(`${this.spec.name}: undeclared incident ${incident}`);
    this.tickets.push({
      id, source, title: t.title, body: t.body, createdAt: this.at(at), priority: t.priority, cluster: t.cluster, services: t.services,
      updates: (t.updates ?? []).map((u) => ({ at: this.at(u.at), status: u.status })), fault: incident,
    });
  }

  private template(source: AlertSource, labels: Record<string, string>, annotations: Record<string, string>, opts: RuleOptions): AlertTemplate {
    const at = opts.annotationsAt;
    return {
      source, group: opts.group ?? `${source}-rules`, forMs: (opts.forMin ?? 0) * MIN, labels, annotations, expr: opts.expr,
      ...(at === undefined ? {} : { annotationsAt: (elapsedMs: number) => at(elapsedMs / MIN) }),
    };
  }
}

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateCaptureConfig } from './capture-config.js';
import { generateCapture } from './capture-generator.js';
import { createTopic, produceCapture } from './ingest-topic.js';
import {
  CHECKPOINT_INTERVAL, configFor, PARTITIONS, perStage, POLL_MS, replayCounts, SESSION_TIMEOUT, sleep, STAGES, type KafkaEnv, type Stage,
} from './kafka-env.js';
import { httpGet, isReady, readApiCounts, startKafkaInstance, type ApiCounts, type KafkaInstance } from './kafka-instance.js';
import { runKill, type KillOptions, type KillRun } from './kafka-recovery.js';
import { startBroker, startRedis, type BenchBroker, type BenchRedis } from './kafka-services.js';
import { writeLines } from './replay.js';
import { readCpuMs, readPeakRss, stopChild } from './spawn-node.js';

/** Options of {@link runKafkaBench}. */
export interface KafkaBenchOptions {
  readonly seed: number;
  readonly hours: number;
  readonly clusters: number;
  /** Instance counts of the throughput runs in the order they run (repeat one for another round), a fresh group and topics each. */
  readonly instances: readonly number[];
  /** The kill -9 runs: lines per second, for how long, when to kill, and whether the killed instance comes back. */
  readonly kill: KillOptions & { readonly restart: readonly boolean[] };
}

/** What an instance's fold stage did to the alert items it read, from its counters. */
export interface FoldCounts {
  /** Alert items it sent on to stage two. */
  readonly forwarded: number;
  /** Alert items it folded: re-sends stage two needs nothing of. */
  readonly folded: number;
  /** Extensions of an alert's end it sent in place of folded re-sends. */
  readonly extensions: number;
}

/** One throughput run: the whole capture in the ingest topic first, then `instances` processes started at once. */
export interface ThroughputRun {
  readonly instances: number;
  /** Producing the capture into the topic (not part of the wall time). */
  readonly produceMs: number;
  /** Start of the processes → every instance ready and showing every fingerprint; null if not within the deadline. */
  readonly wallMs: number | null;
  /** Start of the processes → every instance answering `/readyz` 200 for the first time. */
  readonly firstReadyMs: number | null;
  readonly perInstance: ReadonlyArray<{
    counts: ApiCounts | null; rebalances: Record<Stage, number> | null; fold: FoldCounts | null; peakRssBytes: number | null; cpuMs: number | null;
    /** Log lines at warn level or above, and the first few. */
    warnings: { count: number; first: string[] };
  }>;
}

/** What the Kafka-mode benchmark measured. */
export interface KafkaReport {
  readonly seed: number;
  readonly hours: number;
  readonly clusters: number;
  readonly captureBytes: number;
  readonly requests: number;
  readonly alertsReceived: number;
  /** `node dist/cli.js replay` of the capture with the same config: the yardstick. */
  readonly replay: ApiCounts & { readonly wallMs: number };
  readonly brokerStartMs: number;
  readonly sessionTimeout: string;
  readonly checkpointInterval: string;
  readonly throughput: readonly ThroughputRun[];
  readonly kill: readonly KillRun[];
}

/**
 * The options `npm run bench` uses: the 6-hour estate of three clusters (~120 MiB), two rounds of 1 and 2
 * instances, and kill runs that stream nearly all of it at 200 requests/s for 60 s: about four minutes in all.
 * `--quick` takes one hour of it, one round and a single shorter kill run.
 */
export function kafkaBenchOptions(quick: boolean): KafkaBenchOptions {
  return quick
    ? { seed: 1, hours: 1, clusters: 3, instances: [1, 2], kill: { perSecond: 100, durationMs: 30_000, killAfterMs: 10_000, restart: [false] } }
    : { seed: 1, hours: 6, clusters: 3, instances: [1, 2, 1, 2], kill: { perSecond: 200, durationMs: 60_000, killAfterMs: 20_000, restart: [false, true] } };
}

const CONVERGE_DEADLINE_MS = 180_000;

/**
 * Kafka mode end to end, on a broker and a redis-server started here and stopped at the end (also on failure):
 * (1) throughput of 1 and 2 instances over a capture already in a 6-partition ingest topic with random keys, timed
 * from starting the processes until every instance is ready and its read API shows every alert fingerprint a single
 * `replay` of the same capture shows; (2) recovery from kill -9 of one of two instances fed at a steady rate,
 * watched through the survivor's `/metrics` and the groups' assignments. Constraint: prints figures, asserts none.
 */
export async function runKafkaBench(opts: KafkaBenchOptions, progress: (msg: string) => void): Promise<KafkaReport> {
  const dir = await mkdtemp(join(tmpdir(), 'stormcell-bench-kafka-run-'));
  let broker: BenchBroker | null = null;
  let redis: BenchRedis | null = null;
  try {
    const lines = generateCapture({ seed: opts.seed, hours: opts.hours, clusters: opts.clusters });
    const baseConfig = join(dir, 'config');
    await mkdir(baseConfig);
    for (const [name, text] of Object.entries(generateCaptureConfig({ seed: opts.seed, clusters: opts.clusters }))) await writeFile(join(baseConfig, name), text);
    const file = join(dir, 'capture.ndjson');
    await writeLines(file, lines);
    const replayConfig = await configFor(dir, baseConfig, 'replay');
    const replay = await replayCounts(file, replayConfig, join(dir, 'replay.json'));
    progress(`kafka: replay of the capture: ${replay.requests} requests, ${replay.fingerprints} fingerprints, ${replay.incidents} incidents; starting kafka and redis`);

    const t0 = performance.now();
    [broker, redis] = await Promise.all([startBroker(), startRedis()]);
    const brokerStartMs = performance.now() - t0;
    const env: KafkaEnv = { dir, baseConfig, broker, redis };

    const throughput: ThroughputRun[] = [];
    for (const [i, n] of opts.instances.entries()) {
      progress(`kafka: throughput with ${n} instance${n === 1 ? '' : 's'}`);
      throughput.push(await runThroughput(env, lines, n, i + 1, replay));
    }
    const kill: KillRun[] = [];
    for (const restart of opts.kill.restart) {
      progress(`kafka: kill -9 of one of two instances at ${opts.kill.perSecond} requests/s${restart ? ', restarted at once' : ''}`);
      kill.push(await runKill(env, lines, opts.kill, restart));
    }
    return {
      seed: opts.seed, hours: opts.hours, clusters: opts.clusters, captureBytes: (await stat(file)).size,
      requests: replay.requests, alertsReceived: replay.alertsReceived,
      replay: { incidents: replay.incidents, fingerprints: replay.fingerprints, wallMs: replay.wallMs },
      brokerStartMs, sessionTimeout: SESSION_TIMEOUT, checkpointInterval: CHECKPOINT_INTERVAL, throughput, kill,
    };
  } finally {
    await Promise.all([broker?.stop(), redis?.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

async function runThroughput(env: KafkaEnv, lines: readonly string[], n: number, seed: number, expected: ApiCounts): Promise<ThroughputRun> {
  const group = `bench-t${n}-${randomUUID().slice(0, 8)}`;
  const cfg = await configFor(env.dir, env.baseConfig, group);
  await createTopic(env.broker.brokers, `${group}.ingest`, PARTITIONS);
  const p0 = performance.now();
  await produceCapture(lines, { brokers: env.broker.brokers, topic: `${group}.ingest`, seed });
  const produceMs = performance.now() - p0;

  const t0 = performance.now();
  const started = await Promise.allSettled(Array.from({ length: n }, () => startKafkaInstance(cfg, env.broker.brokers, env.redis.url)));
  const insts = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    let firstReadyMs: number | null = null;
    let wallMs: number | null = null;
    let counts: Array<ApiCounts | null> = [];
    while (performance.now() - t0 < CONVERGE_DEADLINE_MS) {
      assertAlive(insts);
      if ((await Promise.all(insts.map(isReady))).every(Boolean)) {
        firstReadyMs ??= performance.now() - t0;
        counts = await Promise.all(insts.map(readApiCounts));
        const now = performance.now() - t0;
        const ready = (await Promise.all(insts.map(isReady))).every(Boolean);
        if (ready && counts.every((c) => c !== null && c.fingerprints >= expected.fingerprints)) {
          wallMs = now;
          break;
        }
      }
      await sleep(POLL_MS);
    }
    if (wallMs === null) counts = await Promise.all(insts.map(readApiCounts));
    const metrics = await Promise.all(insts.map(readMetrics));
    return {
      instances: n, produceMs, wallMs, firstReadyMs,
      perInstance: insts.map((inst, i) => {
        const text = metrics[i] ?? null;
        return {
          counts: counts[i] ?? null, rebalances: text === null ? null : parseRebalances(text), fold: text === null ? null : parseFold(text),
          peakRssBytes: readPeakRss(inst.pid), cpuMs: readCpuMs(inst.pid), warnings: inst.child.warnings(),
        };
      }),
    };
  } finally {
    await Promise.all(insts.map((inst) => stopChild(inst.child, 30_000)));
  }
}

/** An instance's `/metrics` text, or null if it did not answer; read once, so its counters describe one moment. */
async function readMetrics(inst: KafkaInstance): Promise<string | null> {
  const res = await httpGet(`${inst.url}/metrics`, 5_000);
  return res.status === 200 ? res.text : null;
}

/** `stormcell_kafka_rebalances_total` per stage. */
function parseRebalances(text: string): Record<Stage, number> {
  return perStage((stage) => counterValue(text, 'stormcell_kafka_rebalances_total', `stage="${stage}"`));
}

/** The fold's `stormcell_fold_alert_items_total` by outcome and `stormcell_fold_extensions_total`. */
function parseFold(text: string): FoldCounts {
  return {
    forwarded: counterValue(text, 'stormcell_fold_alert_items_total', 'outcome="forwarded"'),
    folded: counterValue(text, 'stormcell_fold_alert_items_total', 'outcome="folded"'),
    extensions: counterValue(text, 'stormcell_fold_extensions_total'),
  };
}

/**
 * One series of a counter in Prometheus text exposition; `labels` as exposed (`name="value"`, a single label). 0 when
 * the series is missing: prom-client leaves a labelled series out until it is first incremented.
 */
function counterValue(text: string, name: string, labels?: string): number {
  const series = labels === undefined ? name : `${name}\\{${labels}\\}`;
  return Number(new RegExp(`^${series} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

/** The fold's counters added up over a run's instances, or null if one did not answer (a partial sum would mislead). */
function foldTotal(ps: ReadonlyArray<{ fold: FoldCounts | null }>): FoldCounts | null {
  if (ps.some((p) => p.fold === null)) return null;
  const sum = (k: keyof FoldCounts): number => ps.reduce((n, p) => n + (p.fold?.[k] ?? 0), 0);
  return { forwarded: sum('forwarded'), folded: sum('folded'), extensions: sum('extensions') };
}

function assertAlive(insts: readonly KafkaInstance[]): void {
  for (const inst of insts) {
    const p = inst.child.process;
    if (p.exitCode !== null || p.signalCode !== null) throw new Error(`instance ${inst.url} exited (code ${p.exitCode}, signal ${p.signalCode}): ${inst.child.stderrTail()}`);
  }
}

/** The fold's effect on a run: how many alert items reached stage two, of how many it read, and the extensions it sent. */
function foldCell(f: FoldCounts | null): string {
  if (f === null) return 'n/a';
  const total = f.forwarded + f.folded;
  const share = total === 0 ? '–' : `${((f.forwarded * 100) / total).toFixed(1)} %`;
  return `alert items to stage two: ${f.forwarded.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} (${share}), extensions: ${f.extensions.toLocaleString('en-US')}`;
}

/** Adds up instances' warn-or-worse log lines and names the distinct messages among the first few of each. */
function warningSummary(ws: ReadonlyArray<{ count: number; first: string[] }>): { count: number; texts: string[] } {
  const texts = new Set(ws.flatMap((w) => w.first).map(messageOf).map((t) => (t.length > 90 ? `${t.slice(0, 90)}…` : t)));
  return { count: ws.reduce((n, w) => n + w.count, 0), texts: [...texts] };
}

/** A pino line's `msg`, with kafkajs's own message (`text`) when it forwarded one. */
function messageOf(line: string): string {
  try {
    const l = JSON.parse(line) as { msg?: unknown; text?: unknown };
    return `${String(l.msg)}${typeof l.text === 'string' ? `: ${l.text}` : ''}`;
  } catch {
    // spawn-node keeps 400 characters of a line, so a long one is no JSON any more: pick its fields out by hand
    const field = (name: string): string | undefined => new RegExp(`"${name}":"((?:[^"\\\\]|\\\\.)*)`).exec(line)?.[1];
    const msg = field('msg');
    const text = field('text');
    return msg === undefined && text === undefined ? line : `${msg ?? '…'}${text === undefined ? '' : `: ${text}`}`;
  }
}

/** Renders the Kafka figures as Markdown: the yardstick, a throughput table, and a kill -9 table. */
export function formatKafka(r: KafkaReport): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const s = (ms: number | null): string => (ms === null ? 'not within the deadline' : `${(ms / 1000).toFixed(1)} s`);
  const counts = (c: ApiCounts | null): string => (c === null ? 'no answer' : `${n(c.fingerprints)} / ${n(c.incidents)}`);
  // One figure per stage in STAGES order, as the column headers name them.
  const stages = STAGES.join(' / ');
  const perStageCell = (x: Record<Stage, number>): string => STAGES.map((st) => n(x[st])).join(' / ');
  const out = [
    `Capture: \`generateCapture({seed: ${r.seed}, hours: ${r.hours}, clusters: ${r.clusters}})\`, ${(r.captureBytes / 1048576).toFixed(0)} MiB, ${n(r.requests)} requests, ${n(r.alertsReceived)} alert items ` +
      `(incl. re-sends). Yardstick: one \`replay\` with the same config shows ${n(r.replay.fingerprints)} distinct alert fingerprints in ${n(r.replay.incidents)} incidents (${(r.replay.wallMs / 1000).toFixed(1)} s). ` +
      `Broker (Kafka 3.9.1, one KRaft node, \`.ci/kafka.sh run\`) and redis-server run on the same machine, started by the bench (${(r.brokerStartMs / 1000).toFixed(1)} s); ` +
      `instances are \`dist/cli.js serve --kafka --redis\` with \`npm start\`'s node flags, unpinned; topics have ${PARTITIONS} partitions, \`session_timeout: ${r.sessionTimeout}\`, \`checkpoint_interval: ${r.checkpointInterval}\`, a fresh group and topics per run.`,
    '',
    'Throughput: the whole capture is in the ingest topic (random keys) before the instances start; wall time runs from starting the processes until every instance answers `/readyz` 200 and its `GET /api/v1/incidents` shows every fingerprint. ' +
      'The fold column adds up the instances\' `stormcell_fold_alert_items_total` (forwarded of forwarded + folded) and `stormcell_fold_extensions_total` at the end of the run; ' +
      'a fold counts the items it processes, so items a rebalance hands to another instance before their checkpoint count again there.',
    '',
    `| instances | wall time | requests/s | alert items/s | first all-ready | fingerprints / incidents per instance | incidents = replay | rebalances per instance (${stages}) | fold (sum over instances) | peak RSS per instance | CPU per instance | producing the topic (not timed) |`,
    '|---:|---:|---:|---:|---:|---|---|---|---|---|---|---:|',
  ];
  for (const t of r.throughput) {
    const rate = (x: number): string => (t.wallMs === null ? '–' : n((x * 1000) / t.wallMs));
    const same = t.perInstance.every((p) => p.counts?.incidents === r.replay.incidents);
    out.push(
      `| ${t.instances} | ${s(t.wallMs)} | ${rate(r.requests)} | ${rate(r.alertsReceived)} | ${s(t.firstReadyMs)} | ${t.perInstance.map((p) => counts(p.counts)).join(', ')} | ` +
        `${same ? 'yes' : `no (${t.perInstance.map((p) => p.counts?.incidents ?? '?').join(', ')} vs ${r.replay.incidents})`} | ` +
        `${t.perInstance.map((p) => (p.rebalances === null ? 'n/a' : perStageCell(p.rebalances))).join(', ')} | ${foldCell(foldTotal(t.perInstance))} | ` +
        `${t.perInstance.map((p) => (p.peakRssBytes === null ? 'n/a' : `${(p.peakRssBytes / 1048576).toFixed(0)} MiB`)).join(', ')} | ` +
        `${t.perInstance.map((p) => (p.cpuMs === null ? 'n/a' : `${(p.cpuMs / 1000).toFixed(1)} s`)).join(', ')} | ${s(t.produceMs)} |`,
    );
  }
  const warned = r.throughput.map((t, i) => ({ run: i + 1, ...warningSummary(t.perInstance.map((p) => p.warnings)) })).filter((w) => w.count > 0);
  if (warned.length > 0) {
    out.push('');
    out.push(`Warn-or-worse log lines of the instances, per throughput run (in table order): ${warned.map((w) => `run ${w.run}: ${w.count} (first: ${w.texts.map((x) => `"${x}"`).join(', ')})`).join('; ')}.`);
  }
  if (r.kill.length > 0) {
    const k0 = r.kill[0] as KillRun;
    out.push('');
    out.push(
      `Kill -9: two instances consume the capture's first ${n(k0.lines)} lines produced at ${n(k0.perSecond)} requests/s; ${(k0.killAtMs / 1000).toFixed(0)} s in, one is killed with SIGKILL. ` +
        'Times are from the kill: until the group coordinators gave every partition of every stage to live instances, and until every live instance is ready and each partition\'s owner reports ' +
        '`stormcell_kafka_consumer_lag_messages` 0 for it on every stage (polled every 250 ms). Peak lag is the sum over partitions of what the owners report; the committed-offset peak is end offset minus the ' +
        'group\'s committed offset (admin API): it also counts partitions whose owner is dead, and the fold and stage two commit only after a checkpoint, so their figures include up to one checkpoint interval of processed messages.',
    );
    out.push('');
    out.push(`| killed instance | produced at | reassigned after | lag 0 and ready after | peak lag before kill (${stages}) | peak lag after kill | peak committed-offset lag after kill | fingerprints / incidents at the end (replay of the same lines) | end of stream → all shown |`);
    out.push('|---|---:|---:|---:|---|---|---|---|---:|');
    for (const k of r.kill) {
      out.push(
        `| ${k.restart ? 'restarted at once' : 'not restarted'} | ${n(k.achievedPerSecond)}/s | ${s(k.reassignedMs)} | ${s(k.recoveredMs)} | ${perStageCell(k.peakBefore)} | ` +
          `${perStageCell(k.peakAfter)} | ${perStageCell(k.peakCommittedAfter)} | ` +
          `${k.final.map(counts).join(', ')} (${counts(k.expected)}) | ${s(k.convergedMs)} |`,
      );
    }
    const strays = r.kill.flatMap((k) => k.strayLagSeries.map((x) => ({ ...x, restart: k.restart })));
    if (strays.length > 0) {
      out.push('');
      out.push(
        `Lag series still exported for partitions the coordinator had given to another member (stale after a rebalance): ` +
          strays.slice(0, 12).map((x) => `${x.stage} partition ${x.partition} = ${x.value}${x.restart ? ' (restart run)' : ''}`).join(', ') + '.',
      );
    }
  }
  return out.join('\n');
}

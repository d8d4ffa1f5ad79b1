import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { countIncidents, type ApiCounts } from './kafka-instance.js';
import type { BenchBroker, BenchRedis } from './kafka-services.js';
import { repoRoot, spawnNode } from './spawn-node.js';

/**
 * The three consumer groups of Kafka mode, in the order a request passes them: stage one (`<group>.route`, the ingest
 * topic), the fold of alert re-sends (`<group>.fold`, the keyed topic) and stage two (`<group>.correlate`, the events topic).
 */
export const STAGES = ['route', 'fold', 'correlate'] as const;
export type Stage = (typeof STAGES)[number];
/** Partitions of every topic. */
export const PARTITIONS = 6;
/** The production defaults of scale_out (src/config/scale-out-config.ts), spelled out so the report can name them. */
export const SESSION_TIMEOUT = '10s';
export const CHECKPOINT_INTERVAL = '5s';
/** How often the bench polls the instances while it times them. */
export const POLL_MS = 250;

/** What every Kafka-mode run shares: a work dir, the estate's config, and the broker and Redis the bench started. */
export interface KafkaEnv {
  readonly dir: string;
  /** `topology.yaml` and `slos.yaml` of the generated estate. */
  readonly baseConfig: string;
  readonly broker: BenchBroker;
  readonly redis: BenchRedis;
}

/** One value per stage, so adding a stage cannot leave a record short of it. */
export function perStage<T>(f: (stage: Stage) => T): Record<Stage, T> {
  return Object.fromEntries(STAGES.map((stage) => [stage, f(stage)])) as Record<Stage, T>;
}

/** {@link perStage} for values that take a while: asks for every stage's at once, so they describe one moment. */
export async function perStageAsync<T>(f: (stage: Stage) => Promise<T>): Promise<Record<Stage, T>> {
  return Object.fromEntries(await Promise.all(STAGES.map(async (stage) => [stage, await f(stage)] as const))) as Record<Stage, T>;
}

/** The topic each stage consumes, as `configFor` names them for `group`. */
export function stageTopics(group: string): Record<Stage, string> {
  return { route: `${group}.ingest`, fold: `${group}.keyed`, correlate: `${group}.events` };
}

/**
 * A copy of the estate's config with a `stormcell.yaml` naming a group and topics of its own, so runs never share
 * offsets, checkpoints or Redis keys. Constraint: `group` must be new in `dir`.
 */
export async function configFor(dir: string, baseConfig: string, group: string): Promise<string> {
  const cfg = join(dir, `config-${group}`);
  await mkdir(cfg);
  for (const f of ['topology.yaml', 'slos.yaml']) await writeFile(join(cfg, f), await readFile(join(baseConfig, f)));
  await writeFile(
    join(cfg, 'stormcell.yaml'),
    `scale_out:\n  group: ${group}\n  ingest_topic: ${group}.ingest\n  keyed_topic: ${group}.keyed\n  events_topic: ${group}.events\n` +
      `  ingest_partitions: ${PARTITIONS}\n  keyed_partitions: ${PARTITIONS}\n  events_partitions: ${PARTITIONS}\n` +
      `  session_timeout: ${SESSION_TIMEOUT}\n  checkpoint_interval: ${CHECKPOINT_INTERVAL}\n`,
  );
  return cfg;
}

/** The yardstick: one `node dist/cli.js replay` of a capture file, counted like the read API (see countIncidents). */
export async function replayCounts(
  file: string, configDir: string, out: string,
): Promise<ApiCounts & { requests: number; alertsReceived: number; wallMs: number }> {
  const cli = join(repoRoot(), 'dist', 'cli.js');
  const start = performance.now();
  const child = spawnNode([cli, 'replay', file, '--config', configDir, '--out', out], null);
  const code = await new Promise<number | null>((resolve) => child.process.once('exit', (c) => resolve(c)));
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`replay exited ${code}: ${child.stderrTail()}`);
  const doc = JSON.parse(await readFile(out, 'utf8')) as { incidents: unknown; stats: { requests: number; alertsReceived: number } };
  return { ...countIncidents(doc.incidents), requests: doc.stats.requests, alertsReceived: doc.stats.alertsReceived, wallMs };
}

/** Polls `ok` every POLL_MS until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(ok: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await ok())) {
    if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

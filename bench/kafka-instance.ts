import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Stage } from './kafka-env.js';
import { startNodeFlags } from './stormcell-server.js';
import { repoRoot, spawnNode, waitForJsonLine, type BenchChild } from './spawn-node.js';

/** One `node dist/cli.js serve --kafka … --redis …` process. */
export interface KafkaInstance {
  readonly child: BenchChild;
  readonly url: string;
  readonly pid: number;
  /** The client id it uses in Kafka (`stormcell-<hostname>-<pid>`), which names it in the groups' member lists. */
  readonly clientId: string;
}

/** What one instance's `/metrics` says about consumer lag: partition → messages, per stage. */
export type LagReport = Readonly<Record<Stage, ReadonlyMap<number, number>>>;

/**
 * Starts an instance in Kafka mode the way `npm start` starts the server (its node flags), on 127.0.0.1:0 and
 * unpinned (broker, Redis and the instances share the cores), and resolves once it logged `listening in kafka
 * mode`: connected, topics there, all three groups joined. Not necessarily ready (caught up).
 */
export async function startKafkaInstance(configDir: string, brokers: string, redisUrl: string): Promise<KafkaInstance> {
  const cli = join(repoRoot(), 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const args = [...startNodeFlags(), cli, 'serve', '--config', configDir, '--listen', '127.0.0.1:0', '--kafka', brokers, '--redis', redisUrl];
  const child = spawnNode(args, null);
  const pid = child.process.pid;
  if (pid === undefined) throw new Error(`could not spawn ${process.execPath}: ${child.stderrTail()}`);
  const line = await waitForJsonLine<{ port: number; instance: string }>(
    child, 'listening in kafka mode', (l) => l.msg === 'listening in kafka mode' && typeof l.port === 'number', 120_000,
  ).catch((err: unknown) => {
    child.process.kill('SIGKILL');
    throw err;
  });
  return { child, url: `http://127.0.0.1:${line.port}`, pid, clientId: `stormcell-${line.instance}` };
}

/** GET with a deadline; `status` 0 when the instance does not answer (dead, or not listening yet). */
export async function httpGet(url: string, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  } catch {
    return { status: 0, text: '' }; // refused, reset or timed out: the caller polls again
  }
}

/** Whether `GET /readyz` answers 200. */
export async function isReady(inst: KafkaInstance): Promise<boolean> {
  return (await httpGet(`${inst.url}/readyz`, 5_000)).status === 200;
}

/** `stormcell_kafka_consumer_lag_messages` of every stage from the instance's `/metrics`, or null if it did not answer. */
export async function readLag(inst: KafkaInstance): Promise<LagReport | null> {
  const res = await httpGet(`${inst.url}/metrics`, 5_000);
  return res.status === 200 ? parseLag(res.text) : null;
}

/** Parses the lag gauge out of Prometheus text exposition; label order does not matter. */
export function parseLag(text: string): LagReport {
  // Spelled out rather than built from STAGES: kafka-env imports this module, and the type still demands every stage.
  const lag: Record<Stage, Map<number, number>> = { route: new Map(), fold: new Map(), correlate: new Map() };
  for (const m of text.matchAll(/^stormcell_kafka_consumer_lag_messages\{([^}]*)\} (\S+)$/gm)) {
    const labels = new Map([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const partition = Number(labels.get('partition'));
    const stage = labels.get('stage');
    if (stage !== undefined && Object.hasOwn(lag, stage)) lag[stage as Stage].set(partition, Number(m[2]));
  }
  return lag;
}

/** What the read API shows: incidents and the distinct fingerprints of received alerts in them (SLO alerts left out). */
export interface ApiCounts {
  readonly incidents: number;
  readonly fingerprints: number;
}

/** Counts `GET /api/v1/incidents`, or null when the instance did not answer 200. */
export async function readApiCounts(inst: KafkaInstance): Promise<ApiCounts | null> {
  const res = await httpGet(`${inst.url}/api/v1/incidents`, 30_000);
  if (res.status !== 200) return null;
  return countIncidents(JSON.parse(res.text) as unknown);
}

/**
 * Counts incidents and distinct received-alert fingerprints in a list of incidents as the read API and `replay`
 * print them (CONTRACT §5). SLO burn alerts (`origin: "slo"`) are the engine's own, not received, so they are left out.
 */
export function countIncidents(incidents: unknown): ApiCounts {
  if (!Array.isArray(incidents)) throw new Error('expected an array of incidents');
  const seen = new Set<string>();
  for (const inc of incidents as Array<{ alerts?: Array<{ fingerprint: string; origin?: string }> }>) {
    for (const a of inc.alerts ?? []) if (a.origin !== 'slo') seen.add(a.fingerprint);
  }
  return { incidents: incidents.length, fingerprints: seen.size };
}

import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createAlertPool, serializePool, type SerializedAlert } from './alert-pool.js';
import { isMainModule, readCpuMs, spawnNode, stopChild, waitForJsonLine } from './spawn-node.js';

/** A receiver under load. */
export interface LoadTarget {
  readonly name: string;
  /** Base URL, e.g. `http://127.0.0.1:9097`. */
  readonly url: string;
  /** Its pid, to report how busy its core was during each cell. */
  readonly pid?: number;
}

/**
 * What one load-generator process does: warm every target up, then for each batch size run `rounds` rounds that
 * measure each target in turn, so targets compared with each other share whatever else the machine was doing.
 */
export interface LoadSpec {
  readonly targets: readonly LoadTarget[];
  readonly rounds: number;
  /** How many distinct active alerts are re-sent round-robin. */
  readonly active: number;
  /** Alerts per request, one measured cell each, in this order. */
  readonly batches: readonly number[];
  /** Requests in flight at once over keep-alive sockets. */
  readonly concurrency: number;
  /** How long each cell is measured. */
  readonly durationMs: number;
  readonly seed: number;
  /** Batch size of the warm-up, which sends every alert of the pool once before any cell. */
  readonly warmupBatch: number;
}

/** Counts of one phase (warm-up or a measured cell). */
export interface LoadPhase {
  readonly requests: number;
  readonly alerts: number;
  readonly elapsedMs: number;
  /** Responses that were not 2xx, by status; status 0 counts connection errors. */
  readonly non2xx: Readonly<Record<string, number>>;
  /** Up to three response bodies or error messages of non-2xx answers. */
  readonly samples: readonly string[];
}

/** One measured cell of the matrix. */
export interface LoadCell extends LoadPhase {
  readonly target: string;
  readonly round: number;
  readonly batch: number;
  readonly active: number;
  readonly alertsPerSec: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU the receiver process used during the cell, as a percentage of one core (null if unknown). */
  readonly serverCpuPct: number | null;
  /** CPU the load generator used during the cell, as a percentage of one core. */
  readonly loadCpuPct: number;
}

/** The result of one load-generator run. */
export interface LoadReport {
  readonly warmups: Readonly<Record<string, LoadPhase>>;
  readonly cells: readonly LoadCell[];
}

/**
 * Drives the receivers from a separate process pinned to `cpu`, so the generator never competes with a server for
 * its core: a warm-up per receiver (every alert once), then each batch size for `durationMs` per round and
 * receiver, re-sending alerts the way Prometheus does (same labels and startsAt, endsAt = now + 4m).
 */
export async function runLoad(spec: LoadSpec, cpu: number | null): Promise<LoadReport> {
  const child = spawnNode([new URL(import.meta.url).pathname, JSON.stringify(spec)], cpu);
  const timeoutMs = 120_000 + spec.batches.length * spec.rounds * spec.targets.length * (spec.durationMs + 30_000);
  try {
    const line = await waitForJsonLine<{ report: LoadReport }>(child, 'report', (l) => 'report' in l, timeoutMs);
    return line.report;
  } finally {
    await stopChild(child);
  }
}

interface Target {
  readonly name: string;
  readonly pid?: number;
  readonly agent: Agent;
  readonly host: string;
  readonly port: number;
  readonly source: BodySource;
}

interface PostResult {
  readonly status: number;
  readonly detail?: string;
}

function post(t: Target, body: Buffer): Promise<PostResult> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent: t.agent, host: t.host, port: t.port, path: '/api/v2/alerts', method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          res.resume();
          res.on('end', () => resolve({ status }));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, detail: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      },
    );
    req.on('error', (err) => resolve({ status: 0, detail: err.message }));
    req.end(body);
  });
}

/** Builds request bodies round-robin over the pool; endsAt is re-rendered once per second, not per alert. */
class BodySource {
  private cursor = 0;
  private endsAtSecond = -1;
  private endsAtJson = '';

  constructor(private readonly pool: readonly SerializedAlert[]) {}

  next(batch: number): Buffer {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.endsAtSecond) {
      this.endsAtSecond = second;
      this.endsAtJson = JSON.stringify(new Date(second * 1000 + 240_000).toISOString());
    }
    let s = '[';
    for (let i = 0; i < batch; i++) {
      const a = this.pool[this.cursor] as SerializedAlert;
      this.cursor = (this.cursor + 1) % this.pool.length;
      if (i > 0) s += ',';
      s += a.head + this.endsAtJson + a.tail;
    }
    return Buffer.from(s + ']', 'utf8');
  }
}

class Tally {
  requests = 0;
  alerts = 0;
  readonly non2xx: Record<string, number> = {};
  readonly samples: string[] = [];
  readonly latencies: number[] = [];

  record(r: PostResult, alerts: number, latencyMs: number): void {
    this.requests++;
    this.alerts += alerts;
    this.latencies.push(latencyMs);
    if (r.status >= 200 && r.status < 300) return;
    this.non2xx[r.status] = (this.non2xx[r.status] ?? 0) + 1;
    if (this.samples.length < 3) this.samples.push(`${r.status}: ${r.detail ?? ''}`);
  }

  phase(elapsedMs: number): LoadPhase {
    return { requests: this.requests, alerts: this.alerts, elapsedMs, non2xx: this.non2xx, samples: this.samples };
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

async function warmUp(t: Target, spec: LoadSpec): Promise<LoadPhase> {
  // The pool wraps round-robin: after the warm-up the cursor is back at the first alert.
  const tally = new Tally();
  let remaining = spec.active;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (remaining > 0) {
      const n = Math.min(spec.warmupBatch, remaining);
      remaining -= n;
      const t0 = performance.now();
      tally.record(await post(t, t.source.next(n)), n, performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  return tally.phase(performance.now() - start);
}

async function measure(t: Target, spec: LoadSpec, batch: number, round: number): Promise<LoadCell> {
  const tally = new Tally();
  const serverCpu0 = t.pid === undefined ? null : readCpuMs(t.pid);
  const loadCpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + spec.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const body = t.source.next(batch);
      const t0 = performance.now();
      const r = await post(t, body);
      tally.record(r, batch, performance.now() - t0);
      // A dead server answers ECONNREFUSED at once; do not spin the core for the rest of the cell.
      if (r.status === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsedMs = performance.now() - start;
  const serverCpu1 = t.pid === undefined ? null : readCpuMs(t.pid);
  const loadCpu = process.cpuUsage(loadCpu0);
  const sorted = tally.latencies.sort((a, b) => a - b);
  return {
    ...tally.phase(elapsedMs),
    target: t.name,
    round,
    batch,
    active: spec.active,
    alertsPerSec: (tally.alerts * 1000) / elapsedMs,
    requestsPerSec: (tally.requests * 1000) / elapsedMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    serverCpuPct: serverCpu0 === null || serverCpu1 === null ? null : ((serverCpu1 - serverCpu0) * 100) / elapsedMs,
    loadCpuPct: ((loadCpu.user + loadCpu.system) / 1000 / elapsedMs) * 100,
  };
}

async function main(specJson: string): Promise<void> {
  const spec = JSON.parse(specJson) as LoadSpec;
  const pool = serializePool(createAlertPool(spec.active, spec.seed));
  const targets: Target[] = spec.targets.map((t) => {
    const url = new URL(t.url);
    return {
      name: t.name, ...(t.pid === undefined ? {} : { pid: t.pid }),
      agent: new Agent({ keepAlive: true, maxSockets: spec.concurrency }),
      host: url.hostname, port: Number(url.port), source: new BodySource(pool),
    };
  });
  const warmups: Record<string, LoadPhase> = {};
  for (const t of targets) warmups[t.name] = await warmUp(t, spec);
  const cells: LoadCell[] = [];
  for (const batch of spec.batches) {
    for (let round = 0; round < spec.rounds; round++) {
      for (const t of targets) cells.push(await measure(t, spec, batch, round));
    }
  }
  for (const t of targets) t.agent.destroy();
  process.stdout.write(JSON.stringify({ report: { warmups, cells } }) + '\n');
}

if (isMainModule(import.meta.url)) {
  const spec = process.argv[2];
  if (spec === undefined) {
    process.stderr.write('usage: node load.js SPEC_JSON\n');
    process.exit(2);
  }
  await main(spec);
}

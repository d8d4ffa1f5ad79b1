import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { Engine } from '../src/engine/index.js';
import { applyRecord } from '../src/ingest/index.js';
import { fingerprint } from '../src/model/fingerprint.js';
import type { CaptureRecord } from '../src/model/index.js';
import { createAlertPool, serializePool, type SerializedAlert } from './alert-pool.js';
import { isMainModule, spawnNode, stopChild, waitForJsonLine } from './spawn-node.js';

/** What the heap benchmark measured, in bytes. */
export interface HeapReport {
  readonly alerts: number;
  /** Engine heap growth after every alert was received once, per alert. */
  readonly perAlertBytes: number;
  /** Further growth after every alert was re-sent once (as Prometheus does), per alert; ~0 when re-sends fold. */
  readonly perResendBytes: number;
  /** The same pool held as parsed JSON in a Map by fingerprint (what the ceiling receiver keeps), per alert. */
  readonly mapPerAlertBytes: number;
  readonly incidents: number;
  readonly rssBytes: number;
}

/**
 * Measures heap bytes per active alert in a child process started with --expose-gc: the engine built the way the
 * app builds it (loadConfig of an empty config dir, `new Engine(config.engine)`), fed through the same
 * `applyRecord` the WAL replay uses, with realistic alerts (8 labels, 2 annotations) in requests of 64.
 */
export async function runHeapBench(alerts: number, seed: number): Promise<HeapReport> {
  const child = spawnNode(['--expose-gc', new URL(import.meta.url).pathname, String(alerts), String(seed)], 0);
  try {
    const line = await waitForJsonLine<{ heap: HeapReport }>(child, 'heap', (l) => 'heap' in l, 300_000);
    return line.heap;
  } finally {
    await stopChild(child);
  }
}

function gcHeapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  // Two passes: the first may only promote what the second frees (weak maps, finalizers).
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function* requests(pool: readonly SerializedAlert[], at: number): Generator<CaptureRecord> {
  for (let i = 0; i < pool.length; i += 64) {
    const ts = at + i;
    const endsAt = JSON.stringify(new Date(ts + 240_000).toISOString());
    const body = '[' + pool.slice(i, i + 64).map((a) => a.head + endsAt + a.tail).join(',') + ']';
    // Parsed per request, as the receiver does, so the engine keeps its own strings and not the pool's.
    yield { ts, path: '/api/v2/alerts', body: JSON.parse(body) as unknown };
  }
}

async function main(alerts: number, seed: number): Promise<HeapReport> {
  const pool = serializePool(createAlertPool(alerts, seed));
  const start = Date.UTC(2026, 2, 2, 8, 0, 0);

  let map: Map<string, unknown> | null = new Map();
  const mapBase = gcHeapUsed();
  for (const rec of requests(pool, start)) for (const a of rec.body as Array<{ labels: Record<string, string> }>) map.set(fingerprint(a.labels), a);
  const mapPerAlertBytes = (gcHeapUsed() - mapBase) / map.size;
  map = null;

  const dir = await mkdtemp(join(tmpdir(), 'stormcell-heap-'));
  const config = await loadConfig(dir);
  await rm(dir, { recursive: true });
  const engine = new Engine(config.engine);
  let offset = 0;
  const base = gcHeapUsed();
  for (const rec of requests(pool, start)) applyRecord(engine, rec, offset++);
  const afterFirst = gcHeapUsed();
  for (const rec of requests(pool, start + 60_000)) applyRecord(engine, rec, offset++);
  const afterResend = gcHeapUsed();
  const stats = engine.stats();
  if (stats.alerts !== alerts) throw new Error(`engine holds ${stats.alerts} alerts, expected ${alerts}`);
  return {
    alerts,
    perAlertBytes: (afterFirst - base) / alerts,
    perResendBytes: (afterResend - afterFirst) / alerts,
    mapPerAlertBytes,
    incidents: stats.incidents,
    rssBytes: process.memoryUsage().rss,
  };
}

if (isMainModule(import.meta.url)) {
  const report = await main(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 1));
  process.stdout.write(JSON.stringify({ heap: report }) + '\n');
}

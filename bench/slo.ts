import { SloBook, type SloSpec } from '../src/engine/slo/index.js';
import { Rng } from './rng.js';
import { isMainModule, spawnNode, stopChild, waitForJsonLine } from './spawn-node.js';

/** How big a run the SLO benchmark makes. */
export interface SloBenchOptions {
  readonly slos: number;
  /** Minutes of event time; each SLO gets one sample a minute. More than 4320 (3d) fills the minute ring. */
  readonly minutes: number;
  readonly seed: number;
}

/** What the SLO benchmark measured. */
export interface SloBenchReport {
  readonly options: SloBenchOptions;
  readonly samples: number;
  readonly gridPoints: number;
  readonly transitions: number;
  /** Wall time of the whole feed: addSample for every sample plus evaluateUntil on every grid point. */
  readonly wallMs: number;
  /** Part of wallMs spent in evaluateUntil (all SLOs, every window, the alert rules). */
  readonly evaluateMs: number;
  readonly samplesPerSec: number;
  /** heapUsed + arrayBuffers growth after gc with the book alive, per SLO. */
  readonly bytesPerSlo: number;
  readonly heapBytesPerSlo: number;
  readonly arrayBufferBytesPerSlo: number;
  /** The book's own estimate (SloBook.retainedBytes), per SLO. */
  readonly estimatedBytesPerSlo: number;
  readonly rssBytes: number;
}

/**
 * Measures the SLO burn-rate engine in a child process started with --expose-gc (as bench/heap.ts does): `slos` SLOs
 * of period 30d, each receiving one sample a minute for `minutes` of event time, with rules evaluated on the 60 s grid
 * as the engine would. Reports samples/s (wall, evaluation included) and retained bytes per SLO.
 */
export async function runSloBench(opts: SloBenchOptions): Promise<SloBenchReport> {
  const child = spawnNode(['--expose-gc', new URL(import.meta.url).pathname, 'child', JSON.stringify(opts)], 0);
  try {
    const line = await waitForJsonLine<{ slo: SloBenchReport }>(child, 'slo', (l) => 'slo' in l, 600_000);
    return line.slo;
  } finally {
    await stopChild(child);
  }
}

/** Renders the SLO figures as Markdown lines (a table and how to read it). */
export function formatSlo(r: SloBenchReport): string {
  const o = r.options;
  const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
  const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`;
  return [
    `${o.slos.toLocaleString('en-US')} SLOs (period 30d), one sample a minute each for ${(o.minutes / 1440).toFixed(2)} days of event time ` +
      `(${r.samples.toLocaleString('en-US')} samples, ${r.gridPoints.toLocaleString('en-US')} grid points × ${o.slos.toLocaleString('en-US')} SLOs evaluated, ${r.transitions} alert transitions), in one process.`,
    '',
    '| SLOs | samples/s (wall, with evaluation) | of which evaluation | retained / SLO (heap + arrayBuffers after gc) | heap / SLO | arrayBuffers / SLO | book estimate / SLO | RSS |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${o.slos.toLocaleString('en-US')} | ${Math.round(r.samplesPerSec).toLocaleString('en-US')} | ${((r.evaluateMs / r.wallMs) * 100).toFixed(0)} % | ${kib(r.bytesPerSlo)} | ${kib(r.heapBytesPerSlo)} | ${kib(r.arrayBufferBytesPerSlo)} | ${kib(r.estimatedBytesPerSlo)} | ${mib(r.rssBytes)} |`,
  ].join('\n');
}

function gcMemory(): { heap: number; arrayBuffers: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  // Two passes: the first may only promote what the second frees.
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

const MINUTE = 60_000;

function measure(opts: SloBenchOptions): SloBenchReport {
  const rng = new Rng(opts.seed);
  const names = Array.from({ length: opts.slos }, (_, i) => `slo-${i}`);
  const specs: SloSpec[] = names.map((name) => ({ name, objective: 99.9, periodMs: 30 * 1440 * MINUTE, period: '30d' }));
  // Per SLO: traffic per minute, a second within the minute for its sample, counters, and a burn now and then.
  const perMinute = Float64Array.from(names, () => rng.int(100, 5000));
  const second = Uint16Array.from(names, () => rng.int(1, 58));
  const good = new Float64Array(opts.slos);
  const total = new Float64Array(opts.slos);
  const burning = Uint8Array.from(names, () => (rng.next() < 0.01 ? 1 : 0));
  const t0 = Date.UTC(2026, 2, 1);

  const before = gcMemory();
  const book = new SloBook(specs);
  let transitions = 0;
  let evaluateMs = 0;
  const start = performance.now();
  for (let m = 0; m < opts.minutes; m++) {
    const base = t0 + m * MINUTE;
    const e0 = performance.now();
    transitions += book.evaluateUntil(base).length;
    evaluateMs += performance.now() - e0;
    // 1 % of the SLOs burn at 20x for two hours of every day: enough for alerts to fire and resolve.
    const burst = m % 1440 >= 600 && m % 1440 < 720;
    for (let i = 0; i < opts.slos; i++) {
      const n = perMinute[i] as number;
      const bad = burst && burning[i] === 1 ? Math.round(n * 0.02) : Math.round(n * 0.0005);
      total[i] = (total[i] as number) + n;
      good[i] = (good[i] as number) + n - bad;
      book.addSample(names[i] as string, base + (second[i] as number) * 1000, good[i] as number, total[i] as number);
    }
  }
  const e0 = performance.now();
  transitions += book.evaluateUntil(t0 + opts.minutes * MINUTE).length;
  evaluateMs += performance.now() - e0;
  const wallMs = performance.now() - start;
  const after = gcMemory();
  const samples = opts.slos * opts.minutes;
  const report: SloBenchReport = {
    options: opts,
    samples,
    gridPoints: opts.minutes,
    transitions,
    wallMs,
    evaluateMs,
    samplesPerSec: samples / (wallMs / 1000),
    bytesPerSlo: (after.heap + after.arrayBuffers - before.heap - before.arrayBuffers) / opts.slos,
    heapBytesPerSlo: (after.heap - before.heap) / opts.slos,
    arrayBufferBytesPerSlo: (after.arrayBuffers - before.arrayBuffers) / opts.slos,
    estimatedBytesPerSlo: book.retainedBytes() / opts.slos,
    rssBytes: process.memoryUsage().rss,
  };
  // Keeps the book reachable until after the measurement, so gc cannot free it early.
  if (book.docs().length !== opts.slos) throw new Error('the book lost SLOs');
  return report;
}

/** Full run: 10,000 SLOs for 3 days and an hour (the minute ring full). Quick: 1,000 SLOs, same span. */
export function sloBenchOptions(quick: boolean): SloBenchOptions {
  return { slos: quick ? 1_000 : 10_000, minutes: 3 * 1440 + 60, seed: 1 };
}

if (isMainModule(import.meta.url)) {
  if (process.argv[2] === 'child') {
    const opts = JSON.parse(process.argv[3] ?? '{}') as SloBenchOptions;
    process.stdout.write(JSON.stringify({ slo: measure(opts) }) + '\n');
  } else {
    // Stand-alone: `node dist-bench/bench/slo.js [--quick]` prints the Markdown table.
    const report = await runSloBench(sloBenchOptions(process.argv.includes('--quick')));
    process.stdout.write(formatSlo(report) + '\n');
  }
}

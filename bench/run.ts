import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runHeapBench, type HeapReport } from './heap.js';
import { formatIngest, runIngestBench, type IngestReport } from './ingest.js';
import { formatKafka, kafkaBenchOptions, runKafkaBench, type KafkaReport } from './kafka.js';
import { formatReplay, medianWallMs, runReplayBench, type ReplayReport } from './replay.js';
import { formatSlo, runSloBench, sloBenchOptions, type SloBenchReport } from './slo.js';
import { isPinning } from './spawn-node.js';

/**
 * `npm run bench`: ingest against the ceiling, heap per alert, CLI replay, SLOs and Kafka mode (`--only kafka,…`
 * picks sections), one after the other, then a Markdown summary on stdout (progress goes to stderr). Prints figures
 * and targets side by side; never fails on a figure, because wall-clock results depend on the machine and whatever
 * else runs on it.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const only = new Set((values.only ?? 'ingest,heap,replay,slo,kafka').split(','));
  const progress = (msg: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
  };
  const loadBefore = loadavg();
  const t0 = Date.now();

  let ingest: IngestReport | null = null;
  if (only.has('ingest')) {
    const opts = { actives: quick ? [10_000] : [10_000, 100_000], batches: [1, 10, 64], durationMs: quick ? 2_000 : 5_000, rounds: quick ? 1 : 2, concurrency: 16, seed: 1 };
    progress(`ingest: ${opts.actives.join(' and ')} active × batch ${opts.batches.join('/')} × ${opts.rounds} rounds × ${opts.durationMs / 1000} s, ceiling and stormcell alternating`);
    ingest = await runIngestBench(opts);
  }
  // Many Prometheus servers send at once in a real estate; with more requests in flight, group commit fills each
  // fsync and the server stops waiting on the disk. Measured the same way, ceiling beside stormcell.
  let wide: IngestReport | null = null;
  if (only.has('ingest') && !quick) {
    const opts = { actives: [10_000], batches: [10, 64], durationMs: 5_000, rounds: 2, concurrency: 64, seed: 1 };
    progress('ingest: 10000 active × batch 10/64 with 64 requests in flight');
    wide = await runIngestBench(opts);
  }
  let heap: HeapReport | null = null;
  if (only.has('heap')) {
    progress('heap: 100,000 alerts into the engine');
    heap = await runHeapBench(quick ? 20_000 : 100_000, 1);
  }
  let replay: ReplayReport | null = null;
  if (only.has('replay')) {
    progress('replay: generating the 6-hour capture and timing the CLI replay');
    replay = await runReplayBench({ seed: 1, hours: 6, runs: quick ? 1 : 3 });
  }
  let slo: SloBenchReport | null = null;
  if (only.has('slo')) {
    progress('slo: 10,000 SLOs through three days of minute samples');
    slo = await runSloBench(sloBenchOptions(quick));
  }
  let kafka: KafkaReport | null = null;
  if (only.has('kafka')) {
    const opts = kafkaBenchOptions(quick);
    progress(`kafka: a broker and redis-server of its own, ${opts.instances.join(', ')} instances over the ${opts.hours}-hour capture, then kill -9 of one of two`);
    kafka = await runKafkaBench(opts, progress);
  }
  const loadAfter = loadavg();
  progress(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const cpu = cpus();
  const flags = [...(values.only === undefined ? [] : [`--only ${values.only}`]), ...(quick ? ['--quick'] : [])];
  const out: string[] = [];
  out.push('## Benchmarks');
  out.push('');
  out.push(`Command: \`npm run bench${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}\` · node ${process.version} · ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'} · ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM · ` +
    `${isPinning() ? 'server pinned to CPU 0, load generator to CPU 1 (taskset)' : 'no CPU pinning'} · load average ${loadBefore[0]?.toFixed(2)} before, ${loadAfter[0]?.toFixed(2)} after`);
  out.push('');
  out.push('Figures of one run on one machine: they move with whatever else the machine is doing.');
  if (ingest !== null) {
    out.push('');
    out.push('### Ingest (`POST /api/v2/alerts`, Prometheus-style re-sends, 16 requests in flight, keep-alive)');
    out.push('');
    out.push('The ceiling is a bare node:http receiver that parses the JSON array and keeps each alert in a Map by fingerprint; stormcell runs from `dist/cli.js serve` with its WAL fsyncing to disk.');
    out.push('');
    out.push(formatIngest(ingest));
  }
  if (wide !== null) {
    out.push('');
    out.push('### Ingest with 64 requests in flight (many senders)');
    out.push('');
    out.push(formatIngest(wide));
  }
  if (heap !== null) {
    out.push('');
    out.push('### Heap per active alert (engine in-process, `--expose-gc`)');
    out.push('');
    out.push('| alerts | engine heap / alert | growth / alert per re-send | parsed JSON in a Map / alert (for scale) | incidents | RSS |');
    out.push('|---:|---:|---:|---:|---:|---:|');
    out.push(`| ${heap.alerts.toLocaleString('en-US')} | ${Math.round(heap.perAlertBytes)} B | ${Math.round(heap.perResendBytes)} B | ${Math.round(heap.mapPerAlertBytes)} B | ${heap.incidents} | ${(heap.rssBytes / 1048576).toFixed(0)} MiB |`);
  }
  if (replay !== null) {
    out.push('');
    out.push('### Replay (`node dist/cli.js replay CAPTURE --config DIR`, a fresh process per run)');
    out.push('');
    out.push(formatReplay(replay));
  }
  if (slo !== null) {
    out.push('');
    out.push('### SLO burn-rate engine (in-process, --expose-gc)');
    out.push('');
    out.push(formatSlo(slo));
  }
  if (kafka !== null) {
    out.push('');
    out.push(`### Kafka mode (\`node dist-bench/bench/run.js --only kafka${quick ? ' --quick' : ''}\`: \`dist/cli.js serve --kafka BROKERS --redis URL\` instances, a broker and Redis on the same ${cpu.length} cores)`);
    out.push('');
    out.push(formatKafka(kafka));
  }
  out.push('');
  out.push('### Against the targets');
  out.push('');
  out.push('| figure | target | measured |');
  out.push('|---|---|---|');
  if (ingest !== null) {
    const c64 = ingest.cells.find((c) => c.active === 10_000 && c.batch === 64);
    if (c64 !== undefined) out.push(`| ingest, batch 64, 10k active, 16 in flight | ≥ 60 % of the ceiling | ${(c64.ratio * 100).toFixed(0)} % (${Math.round(c64.stormcell.alertsPerSec).toLocaleString('en-US')} vs ${Math.round(c64.ceiling.alertsPerSec).toLocaleString('en-US')} alerts/s) |`);
    const w64 = wide?.cells.find((c) => c.batch === 64);
    if (w64 !== undefined) out.push(`| ingest, batch 64, 10k active, 64 in flight | ≥ 60 % of the ceiling | ${(w64.ratio * 100).toFixed(0)} % (${Math.round(w64.stormcell.alertsPerSec).toLocaleString('en-US')} vs ${Math.round(w64.ceiling.alertsPerSec).toLocaleString('en-US')} alerts/s) |`);
    // Batch 1 is left out: one alert per request is bounded by per-request cost, the ceiling's included.
    for (const c of ingest.cells.filter((x) => x.active === 100_000 && x.batch >= 10)) {
      out.push(`| ingest, batch ${c.batch}, 100k active | ≥ 40,000 alerts/s | ${Math.round(c.stormcell.alertsPerSec).toLocaleString('en-US')} alerts/s (ceiling ${Math.round(c.ceiling.alertsPerSec).toLocaleString('en-US')}) |`);
    }
  }
  if (heap !== null) out.push(`| heap per active alert | ≤ 2,048 B | ${Math.round(heap.perAlertBytes)} B |`);
  if (replay !== null) {
    for (const c of replay.configs) out.push(`| replay of the 6-hour capture, ${c.config} config | < 3 s | ${(medianWallMs(c) / 1000).toFixed(2)} s |`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

await main();

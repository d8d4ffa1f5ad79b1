import { startCeiling, type CeilingServer } from './ceiling.js';
import { runLoad, type LoadCell, type LoadPhase } from './load.js';
import { readPeakRss, stopChild } from './spawn-node.js';
import { directoryBytes, startStormcell, stopStormcell, type StormcellServer } from './stormcell-server.js';

/** The ingest matrix to run. */
export interface IngestOptions {
  readonly actives: readonly number[];
  readonly batches: readonly number[];
  readonly durationMs: number;
  /** Each cell is measured this many times per receiver, alternating receivers; the best round is reported. */
  readonly rounds: number;
  readonly concurrency: number;
  readonly seed: number;
}

/** One cell: stormcell next to the ceiling measured in the same run with the same load. */
export interface IngestCell {
  readonly active: number;
  readonly batch: number;
  /** The best round of each receiver (least disturbed by the rest of the machine). */
  readonly ceiling: LoadCell;
  readonly stormcell: LoadCell;
  /** Every round, for the spread. */
  readonly rounds: readonly LoadCell[];
  /** stormcell alerts/s divided by the ceiling's (best rounds). */
  readonly ratio: number;
}

/** One receiver process run through the batches for one pool size. */
export interface ServerRun {
  readonly target: 'ceiling' | 'stormcell';
  readonly active: number;
  readonly peakRssBytes: number | null;
  readonly warmup: LoadPhase;
  /** Bytes stormcell left in its data dir (WAL + snapshots). */
  readonly dataBytes: number | null;
  readonly warnings: { count: number; first: string[] };
}

/** Everything the ingest benchmark measured. */
export interface IngestReport {
  readonly options: IngestOptions;
  readonly cells: IngestCell[];
  readonly runs: ServerRun[];
}

const SERVER_CPU = 0;
const LOAD_CPU = 1;

/**
 * Measures `/api/v2/alerts` ingest: for each pool size, a ceiling receiver and a fresh stormcell server (durable
 * WAL on disk) run side by side on one core while one load generator on the other core warms both up and then
 * measures them in alternation, so both see the same background noise. Asserts nothing: the caller formats.
 */
export async function runIngestBench(opts: IngestOptions): Promise<IngestReport> {
  const cells: IngestCell[] = [];
  const runs: ServerRun[] = [];
  for (const active of opts.actives) {
    let ceiling: CeilingServer | null = null;
    let server: StormcellServer | null = null;
    try {
      ceiling = await startCeiling(SERVER_CPU);
      server = await startStormcell(SERVER_CPU);
      const report = await runLoad({
        targets: [
          { name: 'ceiling', url: ceiling.url, pid: ceiling.child.process.pid as number },
          { name: 'stormcell', url: server.url, pid: server.child.process.pid as number },
        ],
        rounds: opts.rounds, active, batches: opts.batches, concurrency: opts.concurrency,
        durationMs: opts.durationMs, seed: opts.seed, warmupBatch: 64,
      }, LOAD_CPU);
      runs.push({
        target: 'ceiling', active, peakRssBytes: readPeakRss(ceiling.child.process.pid as number),
        warmup: report.warmups.ceiling as LoadPhase, dataBytes: null, warnings: ceiling.child.warnings(),
      });
      runs.push({
        target: 'stormcell', active, peakRssBytes: readPeakRss(server.child.process.pid as number),
        warmup: report.warmups.stormcell as LoadPhase, dataBytes: await directoryBytes(server.dataDir), warnings: server.child.warnings(),
      });
      for (const batch of opts.batches) {
        const rounds = report.cells.filter((c) => c.batch === batch);
        const best = (target: string): LoadCell =>
          rounds.filter((c) => c.target === target).reduce((a, b) => (b.alertsPerSec > a.alertsPerSec ? b : a));
        const c = best('ceiling');
        const s = best('stormcell');
        cells.push({ active, batch, ceiling: c, stormcell: s, rounds, ratio: s.alertsPerSec / c.alertsPerSec });
      }
    } finally {
      if (ceiling !== null) await stopChild(ceiling.child);
      if (server !== null) await stopStormcell(server);
    }
  }
  return { options: opts, cells, runs };
}

function n0(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function mib(bytes: number | null): string {
  return bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(0)} MiB`;
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(0)} %`;
}

function non2xx(cells: readonly LoadPhase[]): string {
  const total: Record<string, number> = {};
  for (const c of cells) for (const [status, n] of Object.entries(c.non2xx)) total[status] = (total[status] ?? 0) + n;
  const entries = Object.entries(total);
  return entries.length === 0 ? '0' : entries.map(([status, n]) => `${n}×${status === '0' ? 'conn-error' : status}`).join(', ');
}

function spread(rounds: readonly LoadCell[], target: string): string {
  const xs = rounds.filter((c) => c.target === target).map((c) => c.alertsPerSec);
  return `${n0(Math.min(...xs))}–${n0(Math.max(...xs))}`;
}

/** Renders the ingest figures as Markdown tables, with every non-2xx answer and server warning spelled out. */
export function formatIngest(r: IngestReport): string {
  const out: string[] = [];
  out.push(`Best of ${r.options.rounds} alternating rounds of ${r.options.durationMs / 1000} s per receiver and cell; CPU columns are the share of one core used during the best round.`);
  out.push('');
  out.push('| active alerts | batch | ceiling alerts/s | stormcell alerts/s | stormcell / ceiling | stormcell req/s | stormcell p50 / p99 ms | CPU ceiling / stormcell / load | rounds ceiling; stormcell (alerts/s) | non-2xx (all rounds) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const c of r.cells) {
    const s = c.stormcell;
    out.push(`| ${n0(c.active)} | ${c.batch} | ${n0(c.ceiling.alertsPerSec)} | ${n0(s.alertsPerSec)} | ${(c.ratio * 100).toFixed(0)} % | ${n0(s.requestsPerSec)} | ${s.p50Ms.toFixed(1)} / ${s.p99Ms.toFixed(1)} | ${pct(c.ceiling.serverCpuPct)} / ${pct(s.serverCpuPct)} / ${pct(s.loadCpuPct)} | ${spread(c.rounds, 'ceiling')}; ${spread(c.rounds, 'stormcell')} | ${non2xx(c.rounds)} |`);
  }
  out.push('');
  out.push('| receiver | active alerts | peak RSS | warm-up (every alert once, batch 64) | data dir after run | warnings logged |');
  out.push('|---|---:|---:|---|---:|---:|');
  for (const run of r.runs) {
    const w = run.warmup;
    out.push(`| ${run.target} | ${n0(run.active)} | ${mib(run.peakRssBytes)} | ${n0(w.alerts)} alerts in ${(w.elapsedMs / 1000).toFixed(2)} s, non-2xx: ${non2xx([w])} | ${run.dataBytes === null ? '–' : mib(run.dataBytes)} | ${run.warnings.count} |`);
  }
  const samples = [...r.cells.flatMap((c) => c.rounds.flatMap((x) => x.samples)), ...r.runs.flatMap((x) => [...x.warmup.samples, ...x.warnings.first])];
  if (samples.length > 0) {
    out.push('');
    out.push('Non-2xx answers and warnings seen (first few):');
    for (const s of samples.slice(0, 10)) out.push(`- \`${s.replace(/`/g, "'")}\``);
  }
  return out.join('\n');
}

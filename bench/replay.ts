import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateCaptureConfig } from './capture-config.js';
import { generateCapture } from './capture-generator.js';
import { repoRoot, spawnNode, waitForJsonLine } from './spawn-node.js';

/** One timed run of `node dist/cli.js replay`. */
export interface ReplayRun {
  readonly wallMs: number;
  readonly exitCode: number | null;
  readonly maxRssBytes: number | null;
}

/** The runs of one config directory. */
export interface ReplayConfigRuns {
  /** `defaults` (an empty config dir) or `generated` (the estate's topology.yaml and slos.yaml). */
  readonly config: string;
  readonly runs: ReplayRun[];
  /** From the replay document's stats. */
  readonly requests: number;
  readonly alertsReceived: number;
  readonly incidents: number;
  readonly rejected: number;
}

/** What the replay benchmark measured. */
export interface ReplayReport {
  readonly hours: number;
  readonly seed: number;
  readonly captureBytes: number;
  readonly lines: number;
  readonly distinctAlerts: number;
  readonly generateMs: number;
  readonly configs: ReplayConfigRuns[];
}

/**
 * Times the CLI replay of a generated capture (`node dist/cli.js replay FILE --config DIR --out OUT`) `runs` times
 * per config dir, each a fresh process, and reads its peak RSS through a preloaded reporter: once with an empty
 * config dir (every default) and once with the estate's generated topology and SLOs. Constraint: times include
 * node's start-up, as a user running the command would see.
 */
export async function runReplayBench(opts: { seed: number; hours: number; runs: number }): Promise<ReplayReport> {
  const dir = await mkdtemp(join(tmpdir(), 'stormcell-replay-'));
  try {
    const t0 = performance.now();
    const lines = generateCapture({ seed: opts.seed, hours: opts.hours });
    const generateMs = performance.now() - t0;
    const file = join(dir, 'capture.ndjson');
    await writeLines(file, lines);
    const empty = join(dir, 'config-defaults');
    await mkdir(empty);
    const generated = join(dir, 'config-generated');
    await mkdir(generated);
    for (const [name, text] of Object.entries(generateCaptureConfig({ seed: opts.seed }))) await writeFile(join(generated, name), text);
    const configs: ReplayConfigRuns[] = [];
    for (const [config, configDir] of [['defaults', empty], ['generated', generated]] as const) {
      configs.push(await timeReplays(file, configDir, join(dir, `replay-${config}.json`), config, opts.runs));
    }
    return {
      hours: opts.hours, seed: opts.seed, captureBytes: (await stat(file)).size, lines: lines.length,
      distinctAlerts: lines.truth.alerts.length, generateMs, configs,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeReplays(file: string, configDir: string, out: string, config: string, n: number): Promise<ReplayConfigRuns> {
  const cli = join(repoRoot(), 'dist', 'cli.js');
  const reporter = new URL('./rss-reporter.js', import.meta.url).pathname;
  const runs: ReplayRun[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const child = spawnNode(['--import', reporter, cli, 'replay', file, '--config', configDir, '--out', out], 0);
    const exit = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
    const rss = waitForJsonLine<{ maxRssBytes: number }>(child, 'peak RSS', (l) => typeof l.maxRssBytes === 'number', 600_000)
      .then((l) => l.maxRssBytes, () => null);
    const exitCode = await exit;
    runs.push({ wallMs: performance.now() - start, exitCode, maxRssBytes: await rss });
    if (exitCode !== 0) throw new Error(`replay (${config} config) exited ${exitCode}: ${child.stderrTail()}`);
  }
  const doc = JSON.parse(await readFile(out, 'utf8')) as { stats: Record<string, number> };
  return {
    config, runs, requests: doc.stats.requests ?? 0, alertsReceived: doc.stats.alertsReceived ?? 0,
    incidents: doc.stats.incidents ?? 0, rejected: doc.stats.rejected ?? 0,
  };
}

/** Writes capture lines to `file`, one per line, in slices with backpressure (a 6-hour capture is ~100 MB). */
export async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < lines.length; i += 2000) {
    if (!out.write(lines.slice(i, i + 2000).join('\n') + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The median wall time of a config's runs. */
export function medianWallMs(c: ReplayConfigRuns): number {
  return median(c.runs.map((x) => x.wallMs));
}

/** Renders the replay figures as a Markdown table: one row per config, median of its runs. */
export function formatReplay(r: ReplayReport): string {
  const out = [
    `Capture: ${r.hours} h, seed ${r.seed}, ${(r.captureBytes / 1048576).toFixed(0)} MiB, ${r.lines.toLocaleString('en-US')} lines, ${r.distinctAlerts.toLocaleString('en-US')} distinct alerts (generated in ${(r.generateMs / 1000).toFixed(2)} s, not timed below).`,
    '',
    '| config | requests | alert items | incidents | refused | wall time (median) | each run | requests/s | alerts/s | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const c of r.configs) {
    const wall = medianWallMs(c);
    const rss = Math.max(...c.runs.map((x) => x.maxRssBytes ?? 0));
    out.push(`| ${c.config} | ${c.requests.toLocaleString('en-US')} | ${c.alertsReceived.toLocaleString('en-US')} | ${c.incidents} | ${c.rejected} | ${(wall / 1000).toFixed(2)} s | ${c.runs.map((x) => (x.wallMs / 1000).toFixed(2)).join(', ')} | ${Math.round((c.requests * 1000) / wall).toLocaleString('en-US')} | ${Math.round((c.alertsReceived * 1000) / wall).toLocaleString('en-US')} | ${rss > 0 ? (rss / 1048576).toFixed(0) + ' MiB' : 'n/a'} |`);
  }
  return out.join('\n');
}

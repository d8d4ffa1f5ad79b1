import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, spawnNode, stopChild, waitForJsonLine, type BenchChild } from './spawn-node.js';

/** A stormcell server started from the build (`dist/cli.js serve`), with its own temporary config and data dirs. */
export interface StormcellServer {
  readonly child: BenchChild;
  readonly url: string;
  readonly dataDir: string;
  readonly configDir: string;
}

/**
 * Starts `node dist/cli.js serve` on 127.0.0.1:0 with an empty config dir (all defaults) and a data dir on disk,
 * so the WAL fsyncs as in production; resolves once the `listening` log line has come and `/readyz` answers 200.
 * Constraint: needs `npm run build` first; throws with the reason when `dist/cli.js` is missing.
 */
export async function startStormcell(cpu: number | null): Promise<StormcellServer> {
  const cli = join(repoRoot(), 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const base = await mkdtemp(join(tmpdir(), 'stormcell-bench-'));
  const configDir = join(base, 'config');
  const dataDir = join(base, 'data');
  await mkdir(configDir);
  const child = spawnNode([...startNodeFlags(), cli, 'serve', '--config', configDir, '--listen', '127.0.0.1:0', '--data', dataDir], cpu);
  const line = await waitForJsonLine<{ host: string; port: number }>(child, 'listening', (l) => l.msg === 'listening' && typeof l.port === 'number', 30_000);
  const url = `http://127.0.0.1:${line.port}`;
  await waitReady(url, 30_000);
  return { child, url, dataDir, configDir };
}

/**
 * The V8 flags `npm start` runs the server with (package.json `scripts.start`), so the benchmark measures the
 * server as users start it.
 */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { scripts: { start: string } };
  const m = /^node((?: --[a-z0-9-]+(?:=\S+)?)*) dist\/cli\.js /.exec(pkg.scripts.start);
  if (m === null) throw new Error(`package.json scripts.start is not "node [--flags] dist/cli.js …": ${pkg.scripts.start}`);
  return (m[1] ?? '').split(' ').filter((f) => f !== '');
}

/** Stops the server (SIGTERM: it snapshots and closes its log) and deletes its temporary directories. */
export async function stopStormcell(s: StormcellServer): Promise<void> {
  await stopChild(s.child, 60_000);
  await rm(join(s.dataDir, '..'), { recursive: true, force: true });
}

/** Total bytes under a directory (the WAL and snapshots the server wrote). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? await directoryBytes(p) : (await stat(p)).size;
  }
  return total;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await new Promise<number>((resolve) => {
      get(`${url}/readyz`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', () => resolve(0));
    });
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url}/readyz did not answer 200 within ${timeoutMs} ms (last status ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

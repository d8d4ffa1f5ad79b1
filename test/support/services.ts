/**
 * Test support for integration tests against real services (STYLE §F): finding the Prometheus and Alertmanager
 * binaries, deciding whether a suite runs, skips loudly or fails (under CI=true a missing service fails), free
 * ports, temp dirs, and a child-process wrapper that collects output and is always cleaned up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach } from 'vitest';
import { waitFor } from './wait-for.js';

/** True when running under CI (CI=true), where a missing service is a failure, not a skip. */
export const isCI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/** How to get each service on a developer's machine; printed when one is missing. */
const INSTALL_HINTS: Record<string, string> = {
  prometheus: 'apt-get install prometheus (Debian/Ubuntu), or set PROMETHEUS_BIN to a prometheus binary',
  alertmanager:
    'apt-get install prometheus-alertmanager (Debian/Ubuntu), or set ALERTMANAGER_BIN to an alertmanager binary',
  promtool: 'apt-get install prometheus (Debian/Ubuntu; it ships promtool), or set PROMTOOL_BIN to a promtool binary',
  amtool: 'apt-get install prometheus-alertmanager (Debian/Ubuntu; it ships amtool), or set AMTOOL_BIN to an amtool binary',
  kafka:
    'apt-get install openjdk-17-jre-headless maven (Debian/Ubuntu), then .ci/kafka.sh fetch downloads Kafka 3.9.1 ' +
    '(Maven is needed only for that download; set JAVA to a java binary not on PATH)',
  redis: 'apt-get install redis-server (Debian/Ubuntu), or set REDIS_SERVER to a redis-server binary',
  chromium: 'apt-get install chromium (Debian; playwright-core drives it, no browser is downloaded), or set CHROMIUM_BIN to a chromium binary',
};

/**
 * Finds an executable: the path in `envVar` if set (it must exist, else null), otherwise the first of `names`
 * found on PATH or in /usr/bin, /usr/local/bin.
 */
export function findBinary(envVar: string, names: readonly string[]): string | null {
  const fromEnv = process.env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') return isExecutable(fromEnv) ? fromEnv : null;
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), '/usr/bin', '/usr/local/bin'];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Prometheus server binary (Debian: /usr/bin/prometheus), or null when not installed. */
export const prometheusBinary = findBinary('PROMETHEUS_BIN', ['prometheus']);
/** The Alertmanager binary (Debian names it prometheus-alertmanager), or null when not installed. */
export const alertmanagerBinary = findBinary('ALERTMANAGER_BIN', ['alertmanager', 'prometheus-alertmanager']);
/** Debian's Chromium (/usr/bin/chromium) for the console's browser tests, or null when not installed. */
export const chromiumBinary = findBinary('CHROMIUM_BIN', ['chromium', 'chromium-browser']);

/**
 * Decides whether a suite that needs service `name` must be skipped, for `describe.skipIf(needService(…))`.
 * Under CI=true a missing service throws, which fails the test file with a message saying what to install;
 * elsewhere it warns loudly and returns true (skip).
 */
export function needService(name: string, available: boolean): boolean {
  if (available) return false;
  const hint = INSTALL_HINTS[name] ?? `install ${name}`;
  const message = `integration test needs ${name}, which was not found: ${hint}`;
  if (isCI) throw new Error(`${message} (CI=true: a missing service is a failure, not a skip)`);
  console.warn(`\n!!! SKIPPING: ${message}\n`);
  return true;
}

/**
 * A port that was free a moment ago: binds a server to port 0 on 127.0.0.1 and closes it. For binaries that
 * cannot report the port they picked themselves (Prometheus, Alertmanager); a race with another process is
 * possible but rare, and shows up as the service failing to start with "address already in use".
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`unexpected server address ${String(address)}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Creates a unique temp dir; pair it with `rm` in cleanup (see `ManagedProcess.stop` / `Cleanup`). */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `stormcell-it-${prefix}-`));
}

/** Removes a temp dir made by `makeTempDir`, ignoring a dir that is already gone. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Anything a test must stop, whatever the outcome: processes, temp dirs, load generators. */
export interface Stoppable {
  /** A short name for failure reports. */
  readonly name: string;
  stop(): Promise<void>;
  /** Output worth printing when the test failed (e.g. the process's stdout/stderr tail). */
  diagnostics?(): string;
}

const MAX_OUTPUT_CHARS = 2_000_000;

/** Children still running, killed with SIGKILL if the test worker exits without cleaning up (e.g. on a crash). */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

/**
 * A child process with its output collected (for failure messages) and its exit observable. `stop()` sends
 * SIGTERM, escalates to SIGKILL after a grace period, and resolves once the process is gone.
 */
export class ManagedProcess implements Stoppable {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly lineListeners = new Set<(line: string) => void>();
  private partial = '';

  constructor(
    readonly name: string,
    command: string,
    readonly args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    liveChildren.add(this.child);
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.onOutput(chunk, 'stdout'));
    this.child.stderr?.on('data', (chunk: string) => this.onOutput(chunk, 'stderr'));
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.append(`[spawn error] ${err.message}\n`);
        this.exitInfo ??= { code: null, signal: null };
        liveChildren.delete(this.child);
        resolve(this.exitInfo);
      });
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        liveChildren.delete(this.child);
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The exit code/signal once the process ended, else null. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | null {
    return this.exitInfo;
  }

  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string {
    return this.out;
  }

  /** The last `maxChars` of the output, for failure messages. */
  tail(maxChars = 6_000): string {
    return this.out.length <= maxChars ? this.out : '…' + this.out.slice(-maxChars);
  }

  diagnostics(): string {
    const status = this.exitInfo
      ? `exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal})`
      : `running (pid ${this.pid})`;
    return `--- ${this.name}: ${status}; ${this.args.join(' ')}\n${this.tail()}`;
  }

  /** Calls `listener` for every complete stdout line from now on; returns a function that unsubscribes. */
  onLine(listener: (line: string) => void): () => void {
    this.lineListeners.add(listener);
    return () => this.lineListeners.delete(listener);
  }

  /** Sends a signal (SIGKILL for a crash) and resolves when the process has exited. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.exitInfo === null) this.child.kill(signal);
    await this.exited;
  }

  async stop(graceMs = 5_000): Promise<void> {
    if (this.exitInfo !== null) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.append(`[test harness] no exit ${graceMs} ms after SIGTERM; sending SIGKILL\n`);
      await this.kill('SIGKILL');
    }
  }

  private onOutput(chunk: string, stream: 'stdout' | 'stderr'): void {
    this.append(chunk);
    if (stream === 'stderr') return;
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) for (const listener of this.lineListeners) listener(line);
  }

  private append(text: string): void {
    this.out += text;
    if (this.out.length > MAX_OUTPUT_CHARS) this.out = this.out.slice(-MAX_OUTPUT_CHARS / 2);
  }
}

/**
 * Collects what a test file started and stops all of it after each test, even when the test failed, printing
 * each item's diagnostics on failure. Call once per test file (it registers an `afterEach`).
 */
export function useCleanup(): <T extends Stoppable>(item: T) => T {
  const items: Stoppable[] = [];
  afterEach(async (context) => {
    const failed = context.task.result?.state === 'fail';
    const toStop = items.splice(0).reverse();
    if (failed) {
      for (const item of toStop) {
        const text = item.diagnostics?.();
        if (text !== undefined && text !== '') console.error(`[${context.task.name}] ${text}`);
      }
    }
    // In reverse order of registration, one at a time: a process stops before the temp dir it writes to goes.
    const errors: string[] = [];
    for (const item of toStop) {
      try {
        await item.stop();
      } catch (err) {
        errors.push(`${item.name}: ${String(err)}`);
      }
    }
    if (errors.length > 0) throw new Error(`cleanup failed: ${errors.join('; ')}`);
  });
  return (item) => {
    items.push(item);
    return item;
  };
}

/** A temp dir as a `Stoppable`, removed at cleanup. */
export function tempDirCleanup(dir: string): Stoppable & { readonly dir: string } {
  return { name: `temp dir ${dir}`, dir, stop: () => removeDir(dir) };
}

/**
 * Sums the counters of a Prometheus-format /metrics page whose lines match `pattern` (group 1: the name, group 2:
 * the value), by name: a service's own view of what it sent, the clue when nothing arrives.
 */
export async function sumCounters(url: string, pattern: RegExp): Promise<Record<string, number>> {
  const { text } = await httpGet(`${url}/metrics`);
  const stats: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = pattern.exec(line);
    if (match !== null) stats[match[1] as string] = (stats[match[1] as string] ?? 0) + Number(match[2]);
  }
  return stats;
}

/** GETs a URL and returns status and text, or throws on a network error. Small and dependency-free. */
export async function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, text: await response.text() };
}

/** POSTs JSON and returns status and text, or throws on a network error. */
export async function httpPostJson(
  url: string,
  body: unknown,
  timeoutMs = 10_000,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * Starts a binary that listens on a port we choose (Prometheus, Alertmanager): picks a free port, spawns, and
 * polls `GET http://127.0.0.1:<port><readyPath>` until 200. If the process dies before it is ready (usually a lost
 * race for the port), it retries with a new port, up to three times, then throws with the output.
 */
export async function startReadyService(options: {
  name: string;
  binary: string;
  args: (port: number) => string[];
  readyPath: string;
  timeoutMs?: number;
  cwd?: string;
}): Promise<{ process: ManagedProcess; port: number }> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = new ManagedProcess(options.name, options.binary, options.args(port), { cwd: options.cwd });
    try {
      await waitFor(
        async () => {
          const { status, text } = await httpGet(`http://127.0.0.1:${port}${options.readyPath}`, 2_000);
          if (status !== 200) throw new Error(`GET ${options.readyPath} answered ${status}: ${text.slice(0, 200)}`);
          return true;
        },
        {
          what: `${options.name} on 127.0.0.1:${port} to answer 200 on ${options.readyPath}`,
          timeoutMs: options.timeoutMs ?? 30_000,
          intervalMs: 100,
          abortIf: () =>
            child.exit === null ? undefined : `${options.name} exited (code ${child.exit.code}, signal ${child.exit.signal})`,
        },
      );
      return { process: child, port };
    } catch (err) {
      const diedEarly = child.exit !== null;
      await child.stop();
      failures.push(`attempt ${attempt}: ${err instanceof Error ? err.message : String(err)}\n${child.tail(3_000)}`);
      if (!diedEarly || !/address already in use/i.test(child.output())) break;
    }
  }
  throw new Error(`could not start ${options.name} (${options.binary}):\n${failures.join('\n')}`);
}

/**
 * The real stormcell server as a child process (`node dist/cli.js serve …`) for integration tests: port 0, a
 * temp data dir, readiness via the `listening` log line and `GET /readyz`, crash (`kill('SIGKILL')`) and restart on
 * the same data dir, and the read API of CONTRACT §8. Also runs `replay` (CONTRACT §5).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManagedProcess, httpGet, httpPostJson, makeTempDir, removeDir, type Stoppable } from './services.js';
import { waitFor } from './wait-for.js';

/** The repository root (this file is test/support/stormcell-process.ts). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI; `npm test` builds it first (`pretest`). */
export const cliPath = join(repoRoot, 'dist', 'cli.js');

/** An alert as the read API and replay print it (CONTRACT §5). */
export interface ApiAlert {
  fingerprint: string;
  labels: Record<string, string>;
}

/** An incident as the read API and replay print it (CONTRACT §5); only the fields the tests read are typed. */
export interface ApiIncident {
  id: string;
  title: string;
  severity: string;
  status: 'open' | 'resolved';
  openedAt: string;
  resolvedAt: string | null;
  alerts: ApiAlert[];
  [more: string]: unknown;
}

/** The replay document of CONTRACT §5; only the fields the tests read are typed. */
export interface ReplayDocument {
  incidents: ApiIncident[];
  stats: { requests: number; alerts: number; incidents: number };
  [more: string]: unknown;
}

/** Options of `startStormcell`. Unset dirs are fresh temp dirs, removed at `stop()`. */
export interface StormcellOptions {
  /** An existing config dir. Mutually exclusive with `configFiles`. */
  configDir?: string;
  /** Files written into a fresh temp config dir, e.g. `{'stormcell.yaml': 'resolve_timeout: 5m\n'}`. */
  configFiles?: Record<string, string>;
  /** An existing data dir (kept at stop); default a fresh temp dir. */
  dataDir?: string;
  /** Passes `--record FILE`: the server writes its traffic as a capture (CONTRACT §2). */
  recordFile?: string;
  /** How long to wait for the listening line and `/readyz` (recovery of a large data dir takes time). */
  readyTimeoutMs?: number;
  /** Kafka mode: `--kafka BROKERS --redis URL` instead of `--data` (no data dir is made). */
  kafka?: { brokers: string; redisUrl: string };
  /** Wait for `/readyz` as well as the listening line (default true). */
  waitReady?: boolean;
}

function assertBuilt(): void {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} does not exist: run \`npm run build\` first (\`npm test\` does it in pretest)`);
  }
}

/**
 * One stormcell server across restarts: the same config and data dir, a new process (and port) per generation.
 * `url` is the current generation's base URL.
 */
export class StormcellServer implements Stoppable {
  readonly name = 'stormcell';
  private readonly generations: ManagedProcess[] = [];
  private current: { process: ManagedProcess; host: string; port: number } | null = null;

  private constructor(
    readonly configDir: string,
    readonly dataDir: string,
    private readonly ownedDirs: readonly string[],
    private readonly readyTimeoutMs: number,
    private readonly kafka: StormcellOptions['kafka'],
    private readonly waitReady: boolean,
  ) {}

  /** Creates the dirs and starts the first generation; on failure everything created is removed again. */
  static async start(options: StormcellOptions = {}): Promise<StormcellServer> {
    assertBuilt();
    if (options.configDir !== undefined && options.configFiles !== undefined) {
      throw new Error('pass configDir or configFiles, not both');
    }
    const owned: string[] = [];
    let configDir = options.configDir;
    if (configDir === undefined) {
      configDir = await makeTempDir('config');
      owned.push(configDir);
      for (const [file, text] of Object.entries(options.configFiles ?? {})) {
        await writeFile(join(configDir, file), text);
      }
    }
    let dataDir = options.dataDir ?? (options.kafka === undefined ? undefined : '');
    if (dataDir === undefined) {
      dataDir = await makeTempDir('data');
      owned.push(dataDir);
    }
    const server = new StormcellServer(configDir, dataDir, owned, options.readyTimeoutMs ?? 30_000, options.kafka, options.waitReady ?? true);
    try {
      await server.spawnGeneration(options.recordFile);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** The base URL of the running generation, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return `http://${this.hostPort}`;
  }

  /** `host:port` of the running generation, for configs that take a target (Prometheus `alertmanagers`). */
  get hostPort(): string {
    if (this.current === null) throw new Error('stormcell is not running');
    const host = this.current.host.includes(':') ? `[${this.current.host}]` : this.current.host;
    return `${host}:${this.current.port}`;
  }

  /** The running generation's process (for its pid, exit status and output). */
  get process(): ManagedProcess {
    if (this.current === null) throw new Error('stormcell is not running');
    return this.current.process;
  }

  /** Sends `signal` to the running generation and waits until it has exited (SIGKILL = crash). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const current = this.current;
    this.current = null;
    if (current !== null) await current.process.kill(signal);
  }

  /**
   * Starts a new generation on the same config and data dir (a new port), after stopping the running one
   * gracefully if there is one. Pass `recordFile` to record this generation's traffic too.
   */
  async restart(options: { recordFile?: string } = {}): Promise<void> {
    if (this.current !== null) {
      const running = this.current.process;
      this.current = null;
      await running.stop();
    }
    await this.spawnGeneration(options.recordFile);
  }

  /**
   * Stops every generation still alive (SIGTERM, then SIGKILL: also one whose `kill` a failed test left hanging)
   * and removes the temp dirs this object created, once nothing can write to them any more.
   */
  async stop(): Promise<void> {
    this.current = null;
    for (const generation of this.generations) await generation.stop();
    for (const dir of this.ownedDirs) await removeDir(dir);
  }

  /** The output of every generation, newest last. */
  diagnostics(): string {
    return this.generations.map((g, i) => `[generation ${i + 1}] ${g.diagnostics()}`).join('\n');
  }

  /** `GET /api/v1/incidents[?status=…]`; throws unless 200. */
  async incidents(status?: 'open' | 'resolved'): Promise<ApiIncident[]> {
    const query = status === undefined ? '' : `?status=${status}`;
    const { status: code, text } = await httpGet(`${this.url}/api/v1/incidents${query}`);
    if (code !== 200) throw new Error(`GET /api/v1/incidents${query} answered ${code}: ${text.slice(0, 500)}`);
    const body: unknown = JSON.parse(text);
    if (!Array.isArray(body)) throw new Error(`GET /api/v1/incidents did not return an array: ${text.slice(0, 500)}`);
    return body as ApiIncident[];
  }

  /** `GET /api/v1/incidents/{id}`; throws unless 200. */
  async incident(id: string): Promise<ApiIncident & { timeline: unknown[] }> {
    const path = `/api/v1/incidents/${encodeURIComponent(id)}`;
    const { status, text } = await httpGet(`${this.url}${path}`);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as ApiIncident & { timeline: unknown[] };
  }

  /** POSTs JSON to a receiver path; returns status and body text (no throw on 4xx/5xx; throws on network errors). */
  async post(path: string, body: unknown, timeoutMs?: number): Promise<{ status: number; text: string }> {
    return httpPostJson(`${this.url}${path}`, body, timeoutMs);
  }

  private async spawnGeneration(recordFile: string | undefined): Promise<void> {
    const args = [cliPath, 'serve', '--config', this.configDir, '--listen', '127.0.0.1:0'];
    if (this.kafka === undefined) args.push('--data', this.dataDir);
    else args.push('--kafka', this.kafka.brokers, '--redis', this.kafka.redisUrl);
    if (recordFile !== undefined) args.push('--record', recordFile);
    const child = new ManagedProcess(`stormcell#${this.generations.length + 1}`, process.execPath, args, {
      cwd: repoRoot,
    });
    this.generations.push(child);
    let listening: { host: string; port: number } | null = null;
    const unsubscribe = child.onLine((line) => {
      if (listening !== null || !line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line) as { msg?: unknown; host?: unknown; port?: unknown };
        if ((entry.msg === 'listening' || entry.msg === 'listening in kafka mode') && typeof entry.port === 'number') {
          listening = { host: typeof entry.host === 'string' ? entry.host : '127.0.0.1', port: entry.port };
        }
      } catch {
        // Not JSON (e.g. a stack trace line): only the listening line matters here.
      }
    });
    const exitedReason = (): string | undefined =>
      child.exit === null
        ? undefined
        : `stormcell exited (code ${child.exit.code}, signal ${child.exit.signal}); output:\n${child.tail()}`;
    try {
      const address = await waitFor(() => listening, {
        what: `stormcell's "listening" log line (${args.join(' ')})`,
        timeoutMs: this.readyTimeoutMs,
        intervalMs: 25,
        abortIf: exitedReason,
      });
      const base = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
      if (this.waitReady) await waitFor(
        async () => {
          const { status, text } = await httpGet(`${base}/readyz`, 2_000);
          if (status !== 200) throw new Error(`GET /readyz answered ${status}: ${text.slice(0, 200)}`);
          return true;
        },
        { what: `GET ${base}/readyz to answer 200`, timeoutMs: this.readyTimeoutMs, intervalMs: 50, abortIf: exitedReason },
      );
      this.current = { process: child, host: address.host, port: address.port };
    } catch (err) {
      await child.stop();
      throw new Error(`${String(err instanceof Error ? err.message : err)}\n--- stormcell output:\n${child.tail()}`, {
        cause: err,
      });
    } finally {
      unsubscribe();
    }
  }
}

/** Starts a stormcell server; register it with `useCleanup()` so it is stopped after the test. */
export function startStormcell(options: StormcellOptions = {}): Promise<StormcellServer> {
  return StormcellServer.start(options);
}

/**
 * Runs `node dist/cli.js replay CAPTURE --config DIR --out FILE` and returns the parsed document; throws with
 * stderr when the exit status is not 0.
 */
export async function runReplay(capture: string, configDir: string, outFile: string): Promise<ReplayDocument> {
  assertBuilt();
  const child = new ManagedProcess(
    'stormcell replay',
    process.execPath,
    [cliPath, 'replay', capture, '--config', configDir, '--out', outFile],
    { cwd: repoRoot },
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 60_000);
  });
  const outcome = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    await child.kill('SIGKILL');
    throw new Error(`replay of ${capture} did not finish within 60 s; output:\n${child.tail()}`);
  }
  if (outcome.code !== 0) {
    throw new Error(`replay of ${capture} exited with code ${outcome.code} (signal ${outcome.signal}):\n${child.tail()}`);
  }
  return JSON.parse(await readFile(outFile, 'utf8')) as ReplayDocument;
}

/** Every fingerprint of every incident, with the ids of the incidents that hold it (to check "exactly one"). */
export function incidentsByFingerprint(incidents: readonly ApiIncident[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const incident of incidents) {
    for (const alert of incident.alerts) {
      const ids = map.get(alert.fingerprint);
      if (ids === undefined) map.set(alert.fingerprint, [incident.id]);
      else ids.push(incident.id);
    }
  }
  return map;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './spawn-node.js';

/**
 * A broker or redis-server the Kafka benchmark started for itself, in a temp dir of its own, on free loopback ports.
 * Constraint: `stop()` always ends the process and removes the dir; the process is also SIGKILLed if the bench
 * exits without calling it (a crash), so no JVM outlives a failed run.
 */
export interface BenchService {
  readonly name: string;
  readonly dir: string;
  readonly pid: number | undefined;
  /** The last few KiB of the service's output, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

/** A running single-node KRaft broker (`.ci/kafka.sh run`). */
export interface BenchBroker extends BenchService {
  /** `127.0.0.1:<port>`, the PLAINTEXT listener. */
  readonly brokers: string;
}

/** A running redis-server without persistence. */
export interface BenchRedis extends BenchService {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts Kafka 3.9.1 through `.ci/kafka.sh run DIR PORT CTRL_PORT` (the jars must have been fetched: `.ci/kafka.sh
 * fetch`) and resolves once it logged "Kafka Server started". The script execs java, so the child is the JVM.
 */
export async function startBroker(timeoutMs = 90_000): Promise<BenchBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'stormcell-bench-kafka-'));
  const port = await freePort();
  const ctrl = await freePort();
  const script = join(repoRoot(), '.ci', 'kafka.sh');
  const svc = spawnService('kafka', 'bash', [script, 'run', dir, String(port), String(ctrl)], dir);
  try {
    await svc.waitFor(() => svc.tail().includes('Kafka Server started'), `kafka on 127.0.0.1:${port} to log "Kafka Server started"`, timeoutMs);
  } catch (err) {
    await svc.stop();
    throw err;
  }
  return { ...svc, brokers: `127.0.0.1:${port}` };
}

/**
 * Starts `redis-server` on a free port with nothing persisted (`--save '' --appendonly no`), in a temp dir, and
 * resolves once it answers PING. Never the shared Redis on 6379.
 */
export async function startRedis(timeoutMs = 15_000): Promise<BenchRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'stormcell-bench-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no'];
  const svc = spawnService('redis', 'redis-server', args, dir);
  try {
    await svc.waitFor(() => ping(port), `redis-server on 127.0.0.1:${port} to answer PING`, timeoutMs);
  } catch (err) {
    await svc.stop();
    throw err;
  }
  return { ...svc, url: `redis://127.0.0.1:${port}` };
}

interface SpawnedService extends BenchService {
  waitFor(ok: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void>;
}

function spawnService(name: string, cmd: string, args: readonly string[], dir: string): SpawnedService {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) => {
    const done = (why: string): void => {
      exit ??= why;
      live.delete(child);
      resolve();
    };
    child.once('error', (err) => done(`spawn error: ${err.message}`));
    child.once('exit', (code, signal) => done(`exited (code ${code}, signal ${signal})`));
  });
  const append = (chunk: Buffer): void => {
    out = (out + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const tail = (): string => out.slice(-4_096);
  return {
    name,
    dir,
    pid: child.pid,
    tail,
    async waitFor(ok, what, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (await ok()) return;
        if (exit !== null) throw new Error(`${name} ${exit} before ${what}; output:\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; output:\n${tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      if (exit === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** A port that was free a moment ago (bind to 0, close); for binaries that cannot report the port they picked. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`unexpected address ${String(address)}`))));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

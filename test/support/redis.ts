/**
 * A real Redis for integration tests: our own `redis-server` on a free loopback port and a fresh dir, with the
 * append-only file fsynced on every write, so a test can SIGKILL and restart it and see what a production Redis
 * with `appendonly yes` keeps. The shared Redis on 127.0.0.1:6379 is never restarted by tests.
 */
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { findBinary, freePort, makeTempDir, ManagedProcess, removeDir } from './services.js';
import { waitFor } from './wait-for.js';

export const redisBinary = findBinary('REDIS_SERVER', ['redis-server']);
/** Whether `startRedis()` can work here, for `describe.skipIf(needService('redis', redisAvailable))`. */
export const redisAvailable = redisBinary !== null && existsSync(redisBinary);

/** A redis-server whose dir outlives `kill9()`/`stop()`, so `restart()` loads its append-only file again. */
export class RedisServer {
  readonly name = 'redis';
  private child: ManagedProcess | null = null;

  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** `redis://127.0.0.1:<port>`, the same across restarts. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.child !== null && this.child.exit === null) throw new Error(`redis on ${this.port} is already running`);
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes'];
    args.push('--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--protected-mode', 'no');
    const child = new ManagedProcess('redis', redisBinary ?? 'redis-server', args);
    this.child = child;
    try {
      await waitFor(() => ping(this.port), {
        what: `redis-server on 127.0.0.1:${this.port} to answer PING`,
        timeoutMs: 15_000,
        intervalMs: 50,
        abortIf: () => (child.exit === null ? undefined : `redis-server exited (code ${child.exit.code})`),
      });
    } catch (err) {
      await child.stop();
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${child.tail(3_000)}`, { cause: err });
    }
  }

  /** A crash: SIGKILL. With `appendfsync always`, every acknowledged write is in the append-only file. */
  async kill9(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.stop(10_000);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its dir: once, in afterAll. */
  async dispose(): Promise<void> {
    await this.stop();
    await removeDir(this.dir);
  }

  diagnostics(): string {
    return this.child?.diagnostics() ?? `redis on ${this.port}: never started`;
  }
}

/** Starts a fresh redis-server on a free port and a new temp dir (three tries if a port race is lost). */
export async function startRedis(): Promise<RedisServer> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const server = new RedisServer(await makeTempDir('redis'), await freePort());
    try {
      await server.start();
      return server;
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
      await server.dispose();
    }
  }
  throw new Error(`could not start redis-server:\n${failures.join('\n')}`);
}

/** True once the server answers PING with +PONG. */
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

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Whether `taskset` exists, so server and load can each get a core of their own instead of sharing both. */
const hasTaskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

/** A spawned node child whose stdout and stderr are always drained (a full pipe would stall a logging server). */
export interface BenchChild {
  readonly process: ChildProcess;
  /** The last few KiB of stderr, for error messages. */
  stderrTail(): string;
  /** pino log lines at warn level or above seen on stdout or stderr (count, and the first few). */
  warnings(): { count: number; first: string[] };
}

/**
 * Spawns `node ...args`, pinned to one CPU when the machine has at least two and `taskset` exists.
 * Constraint: taskset execs node in place, so `process.pid` is the node process whose /proc status we read.
 */
export function spawnNode(args: readonly string[], cpu: number | null, opts: { cwd?: string } = {}): BenchChild {
  const pin = cpu !== null && isPinning();
  const cmd = pin ? 'taskset' : process.execPath;
  const argv = pin ? ['-c', String(cpu), process.execPath, ...args] : [...args];
  const child = spawn(cmd, argv, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const warnings = { count: 0, first: [] as string[] };
  const scan = (): ((chunk: Buffer) => void) => {
    let partial = '';
    return (chunk) => {
      const text = partial + chunk.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        // pino levels: 40 warn, 50 error, 60 fatal.
        if (/^\{"level":[456]\d,/.test(line)) {
          warnings.count++;
          if (warnings.first.length < 3) warnings.first.push(line.slice(0, 400));
        }
      }
    };
  };
  const onErr = scan();
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
    onErr(chunk);
  });
  child.stdout?.on('data', scan());
  return { process: child, stderrTail: () => tail, warnings: () => warnings };
}

/** True when children are pinned to CPUs (printed with the machine facts). */
export function isPinning(): boolean {
  return hasTaskset && availableParallelism() >= 2;
}

/** The peak resident set size (VmHWM) of a live process in bytes, or null where /proc is not there. */
export function readPeakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return m === null ? null : Number(m[1]) * 1024;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Resolves with the first line of the child's stdout or stderr that is a JSON object accepted by `accept`; rejects
 * if the child exits first. Both streams are watched because a logger may write to either.
 */
export function waitForJsonLine<T extends object>(
  bench: BenchChild,
  what: string,
  accept: (line: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<T> {
  const child = bench.process;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${what} line within ${timeoutMs} ms; stderr: ${bench.stderrTail()}`)), timeoutMs);
    const lineReader = (): ((chunk: Buffer) => void) => {
      let buf = '';
      return (chunk) => {
        buf += chunk.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const parsed = parseObject(line);
          if (parsed !== null && accept(parsed)) {
            done(null, parsed as T);
            return;
          }
        }
      };
    };
    const onOut = lineReader();
    const onErr = lineReader();
    const onExit = (code: number | null, signal: string | null): void =>
      done(new Error(`child exited (code ${code}, signal ${signal}) before its ${what} line; stderr: ${bench.stderrTail()}`));
    const done = (err: Error | null, value?: T): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      if (err === null) resolve(value as T);
      else reject(err);
    };
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.on('exit', onExit);
  });
}

function parseObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null; // plain text output: not a line we wait for
  }
}

/** Sends SIGTERM and waits for the exit, then SIGKILL if it lingers: a bench never leaves a server behind. */
export async function stopChild(bench: BenchChild, graceMs = 10_000): Promise<void> {
  const child = bench.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** True when the module at `moduleUrl` is the script node was started with (the child-process entry of a bench). */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false; // argv[1] is not a file (e.g. `node -e`): not a bench entry
  }
}

const clockTicksPerSec = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * CPU time (user + system) a process has used so far, in milliseconds, or null where /proc is not there.
 * Sampled around a measured cell it tells whether the server or the load generator was the one saturated.
 */
export function readCpuMs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  // The command name may hold spaces and parentheses; fields after the last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicksPerSec;
}

/**
 * The repository root (the nearest directory above this module with a package.json), where `dist/cli.js` lives.
 * Found by walking up because this module runs both from `bench/` (tests) and from `dist-bench/bench/`.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

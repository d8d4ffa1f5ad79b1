import { spawnSync } from 'node:child_process';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;

/** Runs the built CLI (`npm test` builds first) and returns its exit status and output. */
export function runCli(args: string[], opts: { input?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: opts.input, maxBuffer: 256 * 1024 * 1024 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

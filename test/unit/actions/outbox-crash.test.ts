/**
 * Kills a real process with SIGKILL while one of its notifications is in flight, then reopens its outbox and checks
 * that every notification reaches the remote and none that was answered 200 is sent again.
 *
 * What this shows and what not (as test/unit/log/wal-crash.test.ts says of the WAL): SIGKILL stops the process, not
 * the kernel, so written bytes reach the file; it exercises resuming from the records of a writer stopped at an
 * arbitrary point of its delivery loop. It cannot show that fdatasync precedes an acknowledgement (that ordering is in
 * the code). The child runs the outbox transpiled from src/ (its four files import nothing else from src/ but types), so no build is
 * needed and the test never runs stale code.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, type Action } from '../../../src/actions/index.js';
import { RecordingServer, silentLogger } from './support.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const SOURCES = ['outbox.ts', 'outbox-state.ts', 'outbox-file.ts', 'circuit-breaker.ts'];

async function transpileOutbox(into: string): Promise<void> {
  await fs.writeFile(path.join(into, 'package.json'), '{"type":"module"}');
  for (const name of SOURCES) {
    const source = await fs.readFile(path.join(repo, 'src/actions', name), 'utf8');
    const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 }, fileName: name });
    await fs.writeFile(path.join(into, name.replace(/\.ts$/, '.js')), out.outputText);
  }
}

let work: string;
let server: RecordingServer;
beforeEach(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'stormcell-outbox-crash-'));
});
afterEach(async () => {
  await server.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe('Outbox under kill -9', () => {
  it('does not send again after a crash mid-delivery what was answered before it, and resumes the rest', async () => {
    const COUNT = 12;
    const KILL_AT = 5; // the 6th request is in flight when the child dies
    const built = path.join(work, 'built');
    const dir = path.join(work, 'outbox');
    await fs.mkdir(built);
    await transpileOutbox(built);

    let child: ReturnType<typeof spawn> | undefined;
    let crashed = false;
    server = await new RecordingServer((_req, i) => {
      if (crashed) return { status: 200 };
      if (i < KILL_AT) return { status: 200 };
      crashed = true;
      child?.kill('SIGKILL');
      return 'hang';
    }).start();

    child = spawn(process.execPath, [path.join(import.meta.dirname, 'outbox-crash-child.mjs'), built, dir, server.url, String(COUNT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child?.on('exit', (c, s) => resolve([c, s])));
    expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
    const answeredBeforeCrash = server.requests.slice(0, KILL_AT).map((r) => r.headers['idempotency-key']);
    const inFlightAtCrash = server.requests[KILL_AT]!.headers['idempotency-key'];
    expect(server.requests).toHaveLength(KILL_AT + 1);

    const action: Action = {
      async send(n, signal) {
        const res = await fetch(server.url, { method: 'POST', headers: { 'Idempotency-Key': n.idempotencyKey }, body: '{}', signal });
        await res.text();
        return res.ok ? { status: 'sent' } : { status: 'retryable', error: new Error(`HTTP ${res.status}`) };
      },
      async close() {},
    };
    const outbox = await Outbox.open(dir, { actions: () => action, logger: silentLogger, now: Date.now });
    try {
      await outbox.whenIdle();
      const after = server.requests.slice(KILL_AT + 1).map((r) => r.headers['idempotency-key']);
      const all = Array.from({ length: COUNT }, (_, i) => `inc-${String(i).padStart(3, '0')}:1:r:webhook/0`);
      expect(new Set([...answeredBeforeCrash, ...after])).toEqual(new Set(all)); // everything delivered
      for (const key of answeredBeforeCrash) expect(after).not.toContain(key); // nothing answered 200 went out again
      expect(after).toContain(inFlightAtCrash); // the unanswered one went out again, with the same key
      expect(after).toHaveLength(COUNT - KILL_AT);
      expect(outbox.pending()).toEqual([]);
    } finally {
      await outbox.close();
    }
  });
});

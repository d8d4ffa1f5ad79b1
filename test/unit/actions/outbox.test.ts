import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox, type Action, type Notification, type OutboxOptions, type SendResult } from '../../../src/actions/index.js';
import { webhook } from '../../../src/actions/webhook/index.js';
import { deps, incident, ManualTimers, notification, RecordingServer, silentLogger } from './support.js';

/** An Action that answers what its script says per call; 'hang' never answers (it ignores its signal). */
class ScriptedAction implements Action {
  readonly calls: Notification[] = [];
  readonly signals: AbortSignal[] = [];
  constructor(public script: (n: Notification, call: number) => SendResult | 'hang' | 'throw' = () => ({ status: 'sent' })) {}
  send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    this.calls.push(n);
    this.signals.push(signal);
    const r = this.script(n, this.calls.length - 1);
    if (r === 'hang') return new Promise(() => {});
    if (r === 'throw') throw new TypeError("Cannot read properties of undefined (reading 'id')");
    return Promise.resolve(r);
  }
  async close(): Promise<void> {}
}

const retryable = (retryAfterMs?: number): SendResult =>
  retryAfterMs === undefined ? { status: 'retryable', error: new Error('HTTP 503') } : { status: 'retryable', error: new Error('HTTP 429'), retryAfterMs };

let dir: string;
let timers: ManualTimers;
const opened: Outbox[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stormcell-outbox-'));
  timers = new ManualTimers();
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  await fs.rm(dir, { recursive: true, force: true });
});

async function open(action: Action | undefined, extra: Partial<OutboxOptions> = {}): Promise<Outbox> {
  const o = await Outbox.open(dir, {
    actions: () => action,
    logger: silentLogger,
    now: () => timers.now,
    random: () => 0.5,
    setTimer: timers.set,
    clearTimer: timers.clear,
    ...extra,
  });
  opened.push(o);
  return o;
}

/** Moves time forward by `ms`, stopping at every timer on the way and letting the attempts it starts finish. */
async function step(o: Outbox, ms: number): Promise<void> {
  const target = timers.now + ms;
  await o.whenIdle();
  for (;;) {
    const next = timers.next();
    if (next === undefined || next > target) break;
    timers.advance(next - timers.now);
    await o.whenIdle();
  }
  timers.advance(target - timers.now);
  await o.whenIdle();
}

const n = (id: string, overrides: Partial<Notification> = {}) => notification({ incident: incident({ id }), ...overrides });

describe('Outbox', () => {
  it('delivers once after 503 three times then 200, with backoff and the same Idempotency-Key', async () => {
    const server = await new RecordingServer((_r, i) => (i < 3 ? { status: 503, body: 'unavailable' } : { status: 200 })).start();
    try {
      const action = webhook.create(webhook.parseConfig({ url: `${server.url}/hook` }, 'at'), deps());
      const o = await open(action);
      const start = timers.now;
      expect(await o.enqueue([notification()])).toEqual({ enqueued: 1, duplicates: 0 });
      await o.whenIdle();
      expect(server.requests).toHaveLength(1);
      // Full jitter with random 0.5: 500 ms, 1 s, 2 s after attempts 1, 2, 3.
      expect(o.pending()[0]).toMatchObject({ attempts: 1, nextAt: start + 500 });
      await step(o, 499);
      expect(server.requests).toHaveLength(1);
      await step(o, 1);
      expect(server.requests).toHaveLength(2);
      await step(o, 1000);
      expect(server.requests).toHaveLength(3);
      await step(o, 2000);
      expect(server.requests).toHaveLength(4);
      await step(o, 3_600_000);
      expect(server.requests).toHaveLength(4);
      expect(new Set(server.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['inc-20260301-0001:1:team-checkout:webhook/0']));
      expect(o.pending()).toEqual([]);
      expect(o.history('inc-20260301-0001').map((h) => [h.at - start, h.attempt, h.result])).toEqual([
        [0, 1, 'retryable'],
        [500, 2, 'retryable'],
        [1500, 3, 'retryable'],
        [3500, 4, 'sent'],
      ]);
      expect(o.history('inc-20260301-0001')[0]).toMatchObject({ receiver: 'team-checkout', integration: 'webhook/0', key: 'inc-20260301-0001:1:team-checkout:webhook/0' });
      expect(o.history('inc-20260301-0001')[0]!.error).toContain('HTTP 503: unavailable');
      expect(o.stats().integrations).toEqual([
        { receiver: 'team-checkout', integration: 'webhook/0', sent: 1, failed: 0, retried: 3, deadLettered: 0, pending: 0, breaker: 'closed' },
      ]);
      await o.close();
      const again = await open(action);
      await step(again, 3_600_000);
      expect(server.requests).toHaveLength(4);
    } finally {
      await server.close();
    }
  });

  it('waits exactly the Retry-After a 429 asks for', async () => {
    const server = await new RecordingServer((_r, i) => (i === 0 ? { status: 429, headers: { 'Retry-After': '30' } } : { status: 200 })).start();
    try {
      const o = await open(webhook.create(webhook.parseConfig({ url: server.url }, 'at'), deps(() => timers.now)));
      await o.enqueue([notification()]);
      await o.whenIdle();
      expect(o.pending()[0]!.nextAt).toBe(timers.now + 30_000);
      await step(o, 29_999);
      expect(server.requests).toHaveLength(1);
      await step(o, 1);
      expect(server.requests).toHaveLength(2);
      expect(o.pending()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('has persisted a notification before its first send', async () => {
    const seenOnDisk: boolean[] = [];
    const action = new ScriptedAction((notif) => {
      seenOnDisk.push(readFileSync(path.join(dir, 'outbox.log'), 'utf8').includes(JSON.stringify(notif.idempotencyKey)));
      return { status: 'sent' };
    });
    const o = await open(action);
    await o.enqueue([n('a'), n('b')]);
    await o.whenIdle();
    expect(seenOnDisk).toEqual([true, true]);
  });

  it('opens the breaker after consecutive retryable failures and recovers through one probe', async () => {
    let healthy = false;
    const action = new ScriptedAction(() => (healthy ? { status: 'sent' } : retryable()));
    const o = await open(action, { breaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    await o.enqueue([n('a'), n('b'), n('c')]);
    await o.whenIdle();
    expect(action.calls).toHaveLength(3);
    expect(o.stats().integrations[0]!.breaker).toBe('open');
    await step(o, 59_999); // every backoff (≤ 500 ms) is long over, but the breaker holds them
    expect(action.calls).toHaveLength(3);
    // After the cooldown exactly one probe goes out; it fails and the breaker opens for another cooldown.
    await step(o, 1);
    expect(action.calls).toHaveLength(4);
    expect(o.stats().integrations[0]!.breaker).toBe('open');
    await step(o, 59_999);
    expect(action.calls).toHaveLength(4);
    healthy = true;
    await step(o, 1);
    expect(action.calls).toHaveLength(7); // the probe succeeded, closed the breaker, and the other two followed
    expect(o.stats().integrations[0]).toMatchObject({ breaker: 'closed', sent: 3, pending: 0, retried: 4 });
  });

  it('keeps one receiver integration open while another still delivers', async () => {
    const action = new ScriptedAction((notif) => (notif.receiver === 'down' ? retryable() : { status: 'sent' }));
    const o = await open(action, { breaker: { failureThreshold: 1, cooldownMs: 60_000 } });
    await o.enqueue([n('a', { receiver: 'down', idempotencyKey: 'k1' }), n('b', { receiver: 'down', idempotencyKey: 'k2' })]);
    await o.whenIdle();
    await o.enqueue([n('c', { receiver: 'up', idempotencyKey: 'k3' })]);
    await o.whenIdle();
    expect(o.stats().integrations.map((s) => [s.receiver, s.breaker, s.sent])).toEqual([
      ['down', 'open', 0],
      ['up', 'closed', 1],
    ]);
  });

  it('resumes after a crash without sending again what was recorded sent', async () => {
    const first = new ScriptedAction((notif) => (notif.incident.id === 'b' ? 'hang' : { status: 'sent' }));
    const crashed = await open(first, { maxInFlight: 1 });
    await crashed.enqueue([n('a')]);
    await crashed.whenIdle();
    await crashed.enqueue([n('b'), n('c')]); // b hangs in flight; c waits behind the in-flight limit
    expect(first.calls.map((c) => c.incident.id)).toEqual(['a', 'b']);
    opened.splice(opened.indexOf(crashed), 1); // the process "dies": no close, nothing more recorded

    const second = new ScriptedAction();
    const resumed = await open(second);
    await resumed.whenIdle();
    expect(second.calls.map((c) => c.incident.id).sort()).toEqual(['b', 'c']); // b again, at least once, same key
    expect(second.calls.find((c) => c.incident.id === 'b')!.idempotencyKey).toBe(first.calls[1]!.idempotencyKey);
    expect(await resumed.enqueue([n('a'), n('b'), n('c')])).toEqual({ enqueued: 0, duplicates: 3 });
    await resumed.close();

    const third = new ScriptedAction();
    const later = await open(third);
    await step(later, 3_600_000);
    expect(third.calls).toEqual([]);
  });

  it('dead-letters a non-retryable answer at once and keeps it across reopen', async () => {
    const server = await new RecordingServer(() => ({ status: 400, body: 'bad payload' })).start();
    try {
      const action = webhook.create(webhook.parseConfig({ url: server.url }, 'at'), deps());
      const o = await open(action);
      await o.enqueue([notification()]);
      await step(o, 3_600_000);
      expect(server.requests).toHaveLength(1);
      const dead = o.deadLetters();
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ key: 'inc-20260301-0001:1:team-checkout:webhook/0', reason: 'failed', attempts: 1, incidentId: 'inc-20260301-0001' });
      expect(dead[0]!.error).toContain('HTTP 400: bad payload');
      expect(dead[0]!.notification).toEqual(JSON.parse(JSON.stringify(notification())));
      expect(o.stats()).toMatchObject({ deadLetters: 1, pending: 0 });
      await o.close();
      const again = await open(action);
      await step(again, 3_600_000);
      expect(server.requests).toHaveLength(1);
      expect(again.deadLetters()).toEqual(dead);
    } finally {
      await server.close();
    }
  });

  it('dead-letters after maxAttempts retryable failures', async () => {
    const action = new ScriptedAction(() => retryable());
    const o = await open(action, { maxAttempts: 3, breaker: { failureThreshold: 100, cooldownMs: 1 } });
    await o.enqueue([n('a')]);
    await step(o, 3_600_000);
    expect(action.calls).toHaveLength(3);
    expect(o.deadLetters()[0]).toMatchObject({ reason: 'exhausted', attempts: 3, error: 'HTTP 503' });
    expect(o.history('a').map((h) => h.result)).toEqual(['retryable', 'retryable', 'exhausted']);
  });

  it('never retries an action that throws (a bug) and dead-letters it', async () => {
    const action = new ScriptedAction(() => 'throw');
    const o = await open(action);
    await o.enqueue([n('a')]);
    await step(o, 3_600_000);
    expect(action.calls).toHaveLength(1);
    expect(o.deadLetters()[0]).toMatchObject({ reason: 'bug', error: "Cannot read properties of undefined (reading 'id')" });
  });

  it('dead-letters a notification for an integration the config no longer has', async () => {
    const o = await open(undefined);
    await o.enqueue([n('a')]);
    await o.whenIdle();
    expect(o.deadLetters()[0]).toMatchObject({ reason: 'no_action', error: 'no integration webhook/0 in receiver team-checkout' });
  });

  it('aborts an attempt at its timeout and retries it', async () => {
    const action = new ScriptedAction((_n, call) => (call === 0 ? 'hang' : { status: 'sent' }));
    const o = await open(action, { timeoutMs: 5000 });
    await o.enqueue([n('a')]);
    expect(action.calls).toHaveLength(1);
    timers.advance(4999);
    expect(action.signals[0]!.aborted).toBe(false);
    timers.advance(1);
    expect(action.signals[0]!.aborted).toBe(true);
    await o.whenIdle();
    expect(o.history('a')[0]).toMatchObject({ result: 'retryable', error: 'attempt timed out after 5000 ms' });
    await step(o, 500);
    expect(action.calls).toHaveLength(2);
    expect(o.pending()).toEqual([]);
  });

  it('ignores a key enqueued again, whether concurrently, later, or after it was sent', async () => {
    const action = new ScriptedAction();
    const o = await open(action);
    const [r1, r2] = await Promise.all([o.enqueue([n('a')]), o.enqueue([n('a'), n('a')])]);
    expect([r1, r2]).toEqual([
      { enqueued: 1, duplicates: 0 },
      { enqueued: 0, duplicates: 2 },
    ]);
    await o.whenIdle();
    expect(await o.enqueue([n('a')])).toEqual({ enqueued: 0, duplicates: 1 });
    await step(o, 60_000);
    expect(action.calls).toHaveLength(1);
  });

  it('sends one lane in order and hands a later send the ref an earlier one returned', async () => {
    const action = new ScriptedAction((notif, call) => (call === 0 ? retryable() : notif.status === 'firing' ? { status: 'sent', ref: 'annotation-7' } : { status: 'sent' }));
    const o = await open(action);
    const firing = n('a', { idempotencyKey: 'a:1', integration: 'grafana/0' });
    const resolved = n('a', { idempotencyKey: 'a:2', integration: 'grafana/0', status: 'resolved', version: 2 });
    await o.enqueue([firing, resolved]);
    await o.whenIdle();
    expect(action.calls.map((c) => c.idempotencyKey)).toEqual(['a:1']); // the resolve waits behind the retrying firing
    await step(o, 500);
    expect(action.calls.map((c) => [c.idempotencyKey, c.previousRef])).toEqual([
      ['a:1', undefined],
      ['a:1', undefined],
      ['a:2', 'annotation-7'],
    ]);
    expect(o.lastRef('a', 'team-checkout', 'grafana/0')).toBe('annotation-7');
    expect(o.lastRef('a', 'team-checkout', 'webhook/0')).toBeUndefined();
  });

  it('compacts the file and keeps pending, sent, refs, history and dead letters', async () => {
    let down = false;
    const action = new ScriptedAction((notif) => (down ? retryable() : notif.incident.id === 'dead' ? { status: 'failed', error: new Error('HTTP 404') } : { status: 'sent', ref: `ref-${notif.incident.id}` }));
    const o = await open(action, { compactMinBytes: 0, breaker: { failureThreshold: 1000, cooldownMs: 1 } });
    for (let i = 0; i < 30; i++) {
      await o.enqueue([n(`i${i}`)]);
      await o.whenIdle();
    }
    await o.enqueue([n('dead')]);
    await o.whenIdle();
    down = true;
    await o.enqueue([n('later')]);
    await o.whenIdle();
    const stats = o.stats();
    expect(stats.compactions).toBeGreaterThan(0);
    const text = await fs.readFile(path.join(dir, 'outbox.log'), 'utf8');
    expect(Buffer.byteLength(text)).toBe(stats.fileBytes);
    expect(text.startsWith('{"t":"entry"')).toBe(true); // rewritten as live state, not the original appends
    const history = o.history('i7');
    const dead = o.deadLetters();
    await o.close();

    down = false;
    const resumed = new ScriptedAction();
    const again = await open(resumed);
    await step(again, 500); // its retry was due 500 ms after the failed attempt
    expect(resumed.calls.map((c) => c.incident.id)).toEqual(['later']);
    expect(again.lastRef('i7', 'team-checkout', 'webhook/0')).toBe('ref-i7');
    expect(again.history('i7')).toEqual(history);
    expect(again.deadLetters()).toEqual(dead);
    expect(await again.enqueue([n('i0'), n('i29'), n('dead')])).toEqual({ enqueued: 0, duplicates: 3 });
  });

  it('cuts a torn last line after a crash and keeps everything before it', async () => {
    const o = await open(new ScriptedAction(() => retryable()), { breaker: { failureThreshold: 1, cooldownMs: 3_600_000 } });
    await o.enqueue([n('a')]);
    await o.close();
    await fs.appendFile(path.join(dir, 'outbox.log'), '{"t":"enq","at":1,"n":{"recei');
    const action = new ScriptedAction();
    const again = await open(action);
    await again.whenIdle();
    expect(action.calls.map((c) => c.incident.id)).toEqual(['a']);
    expect((await fs.readFile(path.join(dir, 'outbox.log'), 'utf8')).endsWith('\n')).toBe(true);
  });

  it('refuses to open a file corrupt before its last line', async () => {
    await fs.writeFile(path.join(dir, 'outbox.log'), 'garbage\n{"t":"enq"}\n');
    await expect(open(new ScriptedAction())).rejects.toThrow(/outbox\.log line 1 is corrupt/);
  });

  it('forgets sent entries and their keys after the retention', async () => {
    const action = new ScriptedAction();
    const o = await open(action, { retentionMs: 3_600_000 });
    await o.enqueue([n('a')]);
    await o.whenIdle();
    await step(o, 3_600_000 + 60_001);
    await o.enqueue([n('b')]); // a write after the prune interval prunes
    await o.whenIdle();
    expect(o.history('a')).toEqual([]);
    expect(o.stats().entries).toBe(1);
    expect(await o.enqueue([n('a')])).toEqual({ enqueued: 1, duplicates: 0 });
  });

  it('leaves an attempt under way at close pending for the next open', async () => {
    const hanging = new ScriptedAction(() => 'hang');
    const o = await open(hanging);
    await o.enqueue([n('a')]);
    opened.splice(opened.indexOf(o), 1);
    await o.close();
    expect(hanging.signals[0]!.aborted).toBe(true);
    expect(o.history('a')).toEqual([]);
    const action = new ScriptedAction();
    const again = await open(action);
    await again.whenIdle();
    expect(action.calls).toHaveLength(1);
  });
});

/**
 * The notification stage's state in a real Redis (scale-out): the outbox's record list as the next owner of a
 * partition opens it, across a kill -9 of redis-server, and silences shared by instances. One private redis-server
 * (append-only, fsync always) for the file; a unique key prefix per test.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS, configKey, createRegistry, Outbox, type Action, type RecordStore } from '../../src/actions/index.js';
import { webhook } from '../../src/actions/webhook/index.js';
import { handleSilences } from '../../src/api/index.js';
import type { IncidentDoc } from '../../src/model/index.js';
import { NotifyStage } from '../../src/notify/index.js';
import { parseRoutingConfig } from '../../src/route/index.js';
import { createRedisRecordStore, RedisSilenceSync } from '../../src/scaleout/redis-notify-store.js';
import { deps, incident, notification, RecordingServer, silentLogger } from '../unit/actions/support.js';
import { startRedis, redisAvailable, type RedisServer } from '../support/redis.js';
import { needService, useCleanup } from '../support/services.js';
import { waitFor } from '../support/wait-for.js';

/** routing.yaml: every incident to one webhook, Alertmanager timing. */
function routingTo(url: string) {
  const registry = createRegistry(BUILTIN_PLUGINS);
  return parseRoutingConfig(
    { route: { receiver: 'team', group_wait: '30s', group_interval: '1m', repeat_interval: '4h' }, receivers: [{ name: 'team', webhook_configs: [{ url: `${url}/hook` }] }] },
    'routing.yaml',
    (type, raw, path) => registry.parseIntegration(configKey(type), raw, path),
  );
}

/** An open incident whose alerts all carry `service`, so routing and silences see that label. */
function checkoutIncident(id: string, service: string): IncidentDoc {
  return incident({ id, alerts: [{ fingerprint: `fp-${id}`, labels: { alertname: 'HighErrorRate', service } }] });
}

/** The engine's side, as a partition's engine would show its incidents. */
function view(docs: ReadonlyMap<string, IncidentDoc>) {
  const open = () => [...docs.values()].filter((d) => d.status === 'open');
  return { incident: (id: string) => docs.get(id), openIncidents: open, openIncidentIds: () => open().map((d) => d.id), foldTarget: () => null };
}

describe.skipIf(needService('redis', redisAvailable))('notification state in a real Redis', () => {
  let server: RedisServer;
  let seq = 0;
  let prefix = '';
  const cleanup = useCleanup();

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  /** A new connection, as a new owner (another instance) would have; disconnected after the test. */
  function client(options: { maxRetriesPerRequest?: number } = {}): Redis {
    const redis = new Redis(server.url, options);
    const errors: string[] = [];
    redis.on('error', (err: Error) => errors.push(err.message)); // kept for diagnostics; ioredis logs them otherwise
    cleanup({ name: 'redis client', stop: async () => redis.disconnect(), diagnostics: () => `${errors.slice(-5).join('\n')}\n${server.diagnostics()}` });
    return redis;
  }

  /** A key no other test uses. */
  function key(name: string): string {
    prefix = `t${++seq}-${Date.now()}:`;
    return `${prefix}${name}`;
  }

  async function opened(store: RecordStore): Promise<unknown[]> {
    const { records, truncatedBytes } = await store.open();
    expect(truncatedBytes).toBe(0);
    return records;
  }

  it('keeps every appended record, in order, for a new store object opened on the key', async () => {
    const k = key('outbox:0');
    const first = createRedisRecordStore(client(), k);
    expect(await opened(first)).toEqual([]);
    await Promise.all([first.append({ i: 1 }), first.append({ i: 2 }), first.append({ i: 3 })]);
    await first.append({ i: 4, text: 'ü' });
    expect(first.size).toBe(['{"i":1}', '{"i":2}', '{"i":3}', '{"i":4,"text":"ü"}'].reduce((s, t) => s + Buffer.byteLength(t) + 1, 0));
    await first.close();

    const next = createRedisRecordStore(client(), k);
    expect(await opened(next)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }, { i: 4, text: 'ü' }]);
    expect(next.size).toBe(first.size);
  });

  it('fences a previous owner: once another instance took the partition\'s epoch, its appends and rewrites are refused and the list keeps the new owner\'s records', async () => {
    const admin = client();
    const list = key('outbox:3');
    const epoch = `${prefix}epoch:3`;
    await admin.set(epoch, '1');
    const old = createRedisRecordStore(client(), list, { key: epoch, epoch: 1 });
    await opened(old);
    await Promise.all([old.append({ i: 1 }), old.append({ i: 2 })]);
    await old.rewrite([{ i: 1 }, { i: 2 }, { i: 3 }]);

    expect(await admin.incr(epoch)).toBe(2); // the new owner claims the partition
    const next = createRedisRecordStore(client(), list, { key: epoch, epoch: 2 });
    expect(await opened(next)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
    await expect(old.append({ i: 'late' })).rejects.toThrow(/outbox store .*outbox:3: append to the Redis list failed: another instance owns it now \(epoch 1 is stale\)/);
    expect(old.failed).not.toBeNull();
    await next.append({ i: 4 });
    await next.rewrite([{ i: 3 }, { i: 4 }]);
    expect((await admin.lrange(list, 0, -1)).map((t) => JSON.parse(t) as unknown)).toEqual([{ i: 3 }, { i: 4 }]);

    // A store opened with the stale epoch cannot rewrite either, and a lost epoch key (Redis lost it) is taken back.
    const stale = createRedisRecordStore(client(), list, { key: epoch, epoch: 1 });
    await opened(stale);
    await expect(stale.rewrite([])).rejects.toThrow(/epoch 1 is stale/);
    await admin.del(epoch);
    await next.append({ i: 5 });
    expect(await admin.get(epoch)).toBe('2');
    expect(await admin.llen(list)).toBe(3);
  });

  it('sends appends made while a write is under way together, in one RPUSH', async () => {
    const admin = client();
    const store = createRedisRecordStore(client(), key('outbox:0'));
    await opened(store);
    await admin.config('RESETSTAT');
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.append({ i })));
    const stats = await admin.info('commandstats');
    const calls = Number(/cmdstat_rpush:calls=(\d+)/.exec(stats)?.[1]);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2); // the first append alone, the 99 queued behind it in one go
    expect(await admin.llen(store.location)).toBe(100);
  });

  it('rewrites atomically (a reader sees the old list or the new one) and puts later appends after it', async () => {
    const k = key('outbox:0');
    const reader = client();
    const store = createRedisRecordStore(client(), k);
    await opened(store);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append({ old: i })));
    const compacted = Array.from({ length: 5_000 }, (_, i) => ({ live: i, pad: 'x'.repeat(50) }));
    const seen = new Set<number>();
    let done = false;
    const watching = (async () => {
      while (!done) seen.add(await reader.llen(k));
    })();
    const rewritten = store.rewrite(compacted);
    const after = store.append({ after: 1 });
    await Promise.all([rewritten, after]);
    done = true;
    await watching;
    // The rewrite's five RPUSHes of 1000 would show 1000, 2000, … to a reader if they were not one transaction.
    expect([...seen].filter((n) => n !== 10 && n !== 5_000 && n !== 5_001)).toEqual([]);
    const records = await opened(createRedisRecordStore(client(), k));
    expect(records).toHaveLength(5_001);
    expect(records[0]).toEqual(compacted[0]);
    expect(records.at(-1)).toEqual({ after: 1 });
    expect(store.size).toBe(records.reduce((s: number, r) => s + Buffer.byteLength(JSON.stringify(r)) + 1, 0));
  });

  it('refuses to open a list with a record that is not JSON, naming the key and the index', async () => {
    const k = key('outbox:3');
    await client().rpush(k, '{"t":"enq"}', '{"t":"sent"', '{"t":"retry"}');
    await expect(createRedisRecordStore(client(), k).open()).rejects.toThrow(`outbox store ${k}: record 1 is corrupt (not JSON)`);
  });

  // The app's client gives up on a request after two reconnect attempts; ioredis's default retries it (resending
  // what was unanswered, which may land twice). Either way, what was acknowledged is there after the restart.
  it.each([
    ['the default client', {}, (redis: Redis) => redis.status === 'reconnecting'],
    ['a client giving up after two retries', { maxRetriesPerRequest: 2 }, (_redis: Redis, store: RecordStore) => store.failed !== null],
  ])('keeps every acknowledged append across a kill -9 and restart of redis-server (%s)', async (_name, options, isDown) => {
    const k = key('outbox:0');
    const redis = client(options);
    const store = createRedisRecordStore(redis, k);
    await opened(store);
    const acked: number[] = [];
    const refused: unknown[] = [];
    const writes: Promise<void>[] = [];
    let i = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        for (let j = 0; j < 5; j++) {
          const n = i++;
          writes.push(store.append({ n }).then(() => void acked.push(n), (err: unknown) => void refused.push(err)));
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await waitFor(() => acked.length >= 200, { what: '200 acknowledged appends' });
    await server.kill9();
    const ackedAtKill = acked.length;
    try {
      await waitFor(() => isDown(redis, store), { what: 'the client to notice the outage' });
    } finally {
      await server.restart(); // also when the wait failed: the other tests need the server
    }
    writing = false;
    await writer;
    await Promise.all(writes);
    expect(ackedAtKill).toBeGreaterThanOrEqual(200);
    expect(acked.length + refused.length).toBe(writes.length); // every append was answered, one way or the other

    const records = (await opened(createRedisRecordStore(client(), k))) as Array<{ n: number }>;
    const firstAt = new Map<number, number>();
    records.forEach((r, at) => firstAt.has(r.n) || firstAt.set(r.n, at));
    expect(acked.filter((n) => !firstAt.has(n))).toEqual([]); // nothing acknowledged is lost
    const order = [...firstAt.keys()];
    expect(order).toEqual([...order].sort((a, b) => a - b)); // and the log's order is the appends' order
  });

  it('puts the store in a failed state after a failed write, until it is opened again', async () => {
    const k = key('outbox:0');
    const admin = client();
    const store = createRedisRecordStore(client(), k);
    await opened(store);
    await store.append({ n: 1 });
    await admin.del(k);
    await admin.set(k, 'not a list'); // RPUSH now fails with WRONGTYPE
    await expect(store.append({ n: 2 })).rejects.toThrow(`outbox store ${k}: append to the Redis list failed: WRONGTYPE`);
    expect(store.failed?.message).toContain(k);
    await admin.del(k);
    await expect(store.append({ n: 3 })).rejects.toBe(store.failed); // Redis is fine again; the store stays failed
    await expect(store.rewrite([{ n: 4 }])).rejects.toBe(store.failed);
    expect(await admin.exists(k)).toBe(0);
    expect(await opened(store)).toEqual([]);
    await store.append({ n: 5 });
    expect(await admin.lrange(k, 0, -1)).toEqual(['{"n":5}']);
  });

  it('does not send again on the next owner what the previous one sent, and sends what it left pending', async () => {
    const k = key('outbox:7');
    const sent = notification({ incident: incident({ id: 'inc-sent' }) });
    const pending = notification({ incident: incident({ id: 'inc-pending' }) });
    let crashed = false;
    const hook = await receiver((req) => (req.headers['idempotency-key'] === pending.idempotencyKey && !crashed ? 'hang' : { status: 200 }));
    const action: Action = webhook.create(webhook.parseConfig({ url: `${hook.url}/hook` }, 'at'), deps(Date.now));
    const opts = { actions: () => action, logger: silentLogger, now: Date.now };

    // The first owner: one notification answered 200, the other still in flight when its instance dies.
    const admin = client();
    const firstRedis = client();
    const first = await Outbox.open(createRedisRecordStore(firstRedis, k), opts);
    await first.enqueue([sent, pending]);
    await waitFor(() => hook.requests.length === 2 && first.enqueued().find((e) => e.key === sent.idempotencyKey)?.state === 'sent', { what: 'one sent, one in flight' });
    await waitFor(async () => (await admin.lrange(k, 0, -1)).some((r) => r.includes('"t":"sent"')), { what: 'the sent record in Redis' });
    firstRedis.disconnect(); // the crash: nothing more reaches Redis from the first owner
    crashed = true;
    cleanup({ name: 'first owner', stop: () => first.close() });

    const next = await Outbox.open(createRedisRecordStore(client(), k), opts);
    cleanup({ name: 'next owner', stop: () => next.close() });
    await waitFor(() => next.enqueued().every((e) => e.state === 'sent'), { what: 'the pending notification sent by the next owner' });
    expect(await next.enqueue([sent])).toEqual({ enqueued: 0, duplicates: 1 });
    await next.whenIdle();
    const keys = hook.requests.map((r) => r.headers['idempotency-key']);
    expect(keys.filter((x) => x === sent.idempotencyKey)).toHaveLength(1);
    expect(keys.filter((x) => x === pending.idempotencyKey)).toHaveLength(2); // the one cut off, and the resend
  });

  it('shows silences made through one instance to another within one sync, and keeps concurrent changes of both', async () => {
    key('');
    let now = Date.parse('2026-03-01T10:00:00Z');
    const a = await RedisSilenceSync.open(client(), { prefix, now: () => now });
    const b = await RedisSilenceSync.open(client(), { prefix, now: () => now });
    let heard = 0;
    b.onChange(() => heard++);
    const post = (sync: RedisSilenceSync, service: string) =>
      handleSilences(sync.silenceModel(), 'POST', '/api/v1/silences', async () => ({ matchers: `service="${service}"`, endsAt: '2026-03-01T12:00:00Z', createdBy: 'ops', comment: 'maintenance' }));

    const created = await post(a, 'checkout');
    const id = (created?.body as { silenceID: string }).silenceID;
    expect(b.silencer.get(id)).toBeUndefined();
    expect(await b.sync()).toBe(true);
    expect(b.silencer.silencing({ service: 'checkout' }, now)).toEqual([id]);
    expect(heard).toBe(1);
    expect(await b.sync()).toBe(false); // at most one read a second
    now += 1_000;
    expect(await b.sync()).toBe(false); // read, nothing new

    // Both instances change the silences before either saw the other's change: b adds one and expires a's, then a
    // (still holding a's silence as active) adds one. All three changes survive.
    const onB = await post(b, 'search');
    await handleSilences(b.silenceModel(), 'DELETE', `/api/v1/silences/${id}`, async () => null);
    const onA = await post(a, 'payments');
    now += 1_000;
    await Promise.all([a.sync(), b.sync()]);
    for (const s of [a, b]) {
      expect(s.silencer.list(now).map((x) => [x.matchers[0]?.value, x.state]).sort()).toEqual([['checkout', 'expired'], ['payments', 'active'], ['search', 'active']]);
      expect(s.silencer.get((onA?.body as { silenceID: string }).silenceID)).toBeDefined();
      expect(s.silencer.get((onB?.body as { silenceID: string }).silenceID)).toBeDefined();
    }
    const third = await RedisSilenceSync.open(client(), { prefix, now: () => now });
    expect(third.silencer.list(now)).toEqual(a.silencer.list(now));
  });

  it('has the next owner of a partition rebuild what receivers were told: no repeat, and the resolve still goes out', async () => {
    const k = key('outbox:2');
    let now = Date.parse('2026-03-01T10:00:00Z');
    const hook = await receiver(() => ({ status: 200 }));
    const docs = new Map([['inc-2', checkoutIncident('inc-2', 'checkout')]]);
    const open = async (redis: Redis) => NotifyStage.open({
      routing: routingTo(hook.url), incidents: view(docs), logger: silentLogger, now: () => now, externalURL: 'http://stormcell.test',
      stores: { outbox: createRedisRecordStore(redis, k), silences: await RedisSilenceSync.open(redis, { prefix, now: () => now }) },
    });

    const owner = await open(client());
    cleanup({ name: 'first owner', stop: () => owner.close() });
    await owner.observe([{ id: 'inc-2', change: 'opened' }]);
    now += 31_000; // group_wait
    await owner.tick();
    await waitFor(() => owner.stats()?.integrations[0]?.sent === 1, { what: 'the firing notification sent' });
    await owner.close(); // a rebalance hands partition 2 over

    const next = await open(client());
    cleanup({ name: 'next owner', stop: () => next.close() });
    await next.observe([{ id: 'inc-2', change: 'updated' }]);
    now += 31_000;
    await next.tick();
    expect(next.stats()?.pending).toBe(0); // a tick has queued what it decided by the time it resolves
    expect(next.timeline('inc-2').filter((t) => t.type === 'notification-queued')).toEqual([]);
    expect(hook.requests).toHaveLength(1);

    docs.set('inc-2', { ...checkoutIncident('inc-2', 'checkout'), status: 'resolved', resolvedAt: '2026-03-01T10:01:00.000Z' });
    await next.observe([{ id: 'inc-2', change: 'resolved' }]);
    await next.tick();
    await waitFor(() => hook.requests.length === 2, { what: 'the resolved notification' });
    expect(hook.requests.map((r) => (r.json as { status: string }).status)).toEqual(['firing', 'resolved']);
  });

  it("mutes on every partition of another instance a silence made through one instance's API, after one sync", async () => {
    key('');
    let now = Date.parse('2026-03-01T10:00:00Z');
    const hook = await receiver(() => ({ status: 200 }));
    const a = await RedisSilenceSync.open(client(), { prefix, now: () => now });
    const redisB = client();
    const b = await RedisSilenceSync.open(redisB, { prefix, now: () => now });
    // Each partition's engine holds its own incidents: checkout-1 on partition 1, checkout-2 and payments-2 on 2.
    const incidentsOf = (ids: string[]) => new Map(ids.map((id) => [id, checkoutIncident(id, id.split('-')[0] as string)]));
    const partitions = [incidentsOf(['checkout-1']), incidentsOf(['checkout-2', 'payments-2'])];
    const stages = await Promise.all(partitions.map(async (docs, p) => {
      const stage = await NotifyStage.open({
        routing: routingTo(hook.url), incidents: view(docs), logger: silentLogger, now: () => now, externalURL: 'http://stormcell.test',
        stores: { outbox: createRedisRecordStore(redisB, `${prefix}outbox:${p + 1}`), silences: b },
      });
      cleanup({ name: `stage ${p + 1}`, stop: () => stage.close() });
      return stage;
    }));
    const created = await handleSilences(a.silenceModel(), 'POST', '/api/v1/silences', async () => ({ matchers: 'service="checkout"', endsAt: '2026-03-01T12:00:00Z', createdBy: 'ops', comment: 'deploy' }));
    expect(await b.sync()).toBe(true);

    await stages[0]?.observe([{ id: 'checkout-1', change: 'opened' }]);
    await stages[1]?.observe([{ id: 'checkout-2', change: 'opened' }, { id: 'payments-2', change: 'opened' }]);
    now += 31_000;
    await Promise.all(stages.map((s) => s.tick()));
    expect(stages.map((s) => s.stats()?.entries)).toEqual([0, 1]); // notifications queued, per partition
    await waitFor(() => hook.requests.length === 1, { what: 'the one unsilenced notification' });
    expect((hook.requests[0]?.json as { incident: { id: string } }).incident.id).toBe('payments-2');
    expect(stages[0]?.timeline('checkout-1').map((t) => t.type)).toEqual(['notification-muted']);
    expect(stages[1]?.timeline('checkout-2').map((t) => t.type)).toEqual(['notification-muted']);

    // Expired through a's API: the sync that loads it has every partition look at its open incidents again at once,
    // not only at the next 15-second review.
    await handleSilences(a.silenceModel(), 'DELETE', `/api/v1/silences/${(created?.body as { silenceID: string }).silenceID}`, async () => null);
    now += 1_000;
    expect(await b.sync()).toBe(true);
    await Promise.all(stages.map((s) => s.tick()));
    await waitFor(() => hook.requests.length === 3, { what: 'the notifications the silence held back' });
    expect(hook.requests.map((r) => (r.json as { incident: { id: string } }).incident.id).sort()).toEqual(['checkout-1', 'checkout-2', 'payments-2']);
  });

  /** A webhook receiver on port 0, closed after the test. */
  async function receiver(reply: ConstructorParameters<typeof RecordingServer>[0]): Promise<RecordingServer> {
    const hook = await new RecordingServer(reply).start();
    cleanup({ name: 'webhook receiver', stop: () => hook.close() });
    return hook;
  }
});

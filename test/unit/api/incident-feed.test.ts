import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IncidentFeed, toIncidentSummary, type IncidentFeedOptions } from '../../../src/api/index.js';
import type { IncidentDoc } from '../../../src/model/index.js';
import { openEventStream, type EventStream } from '../../support/event-stream.js';
import { waitFor } from '../../support/wait-for.js';

function doc(id: string, openedAt: string, more: Partial<IncidentDoc> = {}): IncidentDoc {
  return {
    id,
    title: `title of ${id}`,
    severity: 'sev2',
    status: 'open',
    openedAt,
    resolvedAt: null,
    alerts: [
      { fingerprint: 'a', labels: { alertname: 'A', cluster: 'eu-1' } },
      { fingerprint: 'b', labels: { alertname: 'B', cluster: 'us-1' } },
      { fingerprint: 'c', labels: { alertname: 'C', cluster: 'eu-1' } },
    ],
    tickets: ['SUP-1'],
    suspectedDeploys: [{ service: 'checkout', version: 'v2', at: openedAt, score: 0.8, reason: 'r' }],
    rootCause: { entity: 'svc/checkout', score: 0.9 },
    ...more,
  };
}

let servers: Server[] = [];
let feeds: IncidentFeed[] = [];
let streams: EventStream[] = [];
afterEach(async () => {
  for (const s of streams) s.close();
  for (const f of feeds) f.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  servers = [];
  feeds = [];
  streams = [];
});

/** A feed over `docs` behind a server on port 0; `reads` counts single-incident renders. */
async function serve(docs: Map<string, IncidentDoc>, opts: Partial<IncidentFeedOptions> = {}) {
  const reads = { count: 0 };
  const feed = new IncidentFeed({
    source: { incidents: () => [...docs.values()], incident: (id) => (reads.count++, docs.get(id)) },
    logger: pino({ level: 'silent' }),
    flushMs: 5,
    ...opts,
  });
  const server = createServer((req, res) => feed.attach(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  feeds.push(feed);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/events`;
  const open = async () => {
    const s = await openEventStream(url);
    streams.push(s);
    return s;
  };
  return { feed, reads, open };
}

describe('toIncidentSummary', () => {
  it('keeps what the list shows: counts, sorted distinct clusters, the top suspect, who acknowledged', () => {
    expect(toIncidentSummary(doc('inc-1', '2026-03-01T10:00:00.000Z', { acknowledged: { by: 'sre', at: '2026-03-01T10:01:00.000Z' } }))).toEqual({
      id: 'inc-1',
      title: 'title of inc-1',
      severity: 'sev2',
      status: 'open',
      openedAt: '2026-03-01T10:00:00.000Z',
      resolvedAt: null,
      alertCount: 3,
      clusters: ['eu-1', 'us-1'],
      rootCause: { entity: 'svc/checkout', score: 0.9 },
      tickets: 1,
      topSuspect: { service: 'checkout', version: 'v2', score: 0.8 },
      acknowledged: { by: 'sre', at: '2026-03-01T10:01:00.000Z' },
    });
  });
});

describe('IncidentFeed', () => {
  it('starts each client with a snapshot, newest first, as an event stream', async () => {
    const docs = new Map([['inc-old', doc('inc-old', '2026-03-01T09:00:00.000Z')], ['inc-new', doc('inc-new', '2026-03-01T10:00:00.000Z')]]);
    const { open } = await serve(docs);
    const s = await open();
    expect(s.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.response.headers['cache-control']).toBe('no-cache, no-transform');
    const snap = await s.next((e) => e.event === 'snapshot', 'the snapshot');
    expect((JSON.parse(snap.data) as { incidents: Array<{ id: string }> }).incidents.map((i) => i.id)).toEqual(['inc-new', 'inc-old']);
  });

  it('sends each changed incident once per flush, and a removal for one that is gone', async () => {
    const docs = new Map([['inc-1', doc('inc-1', '2026-03-01T10:00:00.000Z')], ['inc-2', doc('inc-2', '2026-03-01T10:00:00.000Z')]]);
    const { feed, reads, open } = await serve(docs, { flushMs: 30 });
    const s = await open();
    await s.next((e) => e.event === 'snapshot', 'the snapshot');
    docs.set('inc-1', doc('inc-1', '2026-03-01T10:00:00.000Z', { status: 'resolved' }));
    docs.delete('inc-2');
    feed.changed([{ id: 'inc-1', change: 'updated' }, { id: 'inc-1', change: 'resolved' }, { id: 'inc-2', change: 'merged' }]);
    await s.next((e) => e.event === 'removed', 'the removal');
    expect(s.events.slice(1).map((e) => [e.event, JSON.parse(e.data)])).toEqual([
      ['incident', { change: 'resolved', incident: toIncidentSummary(docs.get('inc-1')!) }],
      ['removed', { id: 'inc-2', change: 'merged' }],
    ]);
    expect(reads.count).toBe(2);
  });

  it('renders nothing while nobody listens', async () => {
    const docs = new Map([['inc-1', doc('inc-1', '2026-03-01T10:00:00.000Z')]]);
    const { feed, reads } = await serve(docs);
    feed.changed([{ id: 'inc-1', change: 'updated' }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(reads.count).toBe(0);
  });

  it('keeps an idle stream alive with comment lines', async () => {
    const { open } = await serve(new Map(), { heartbeatMs: 10 });
    const s = await open();
    await waitFor(() => s.comments.includes('heartbeat'), { what: 'a heartbeat comment', timeoutMs: 2_000 });
  });

  it('drops a client that does not read while its buffer grows, and keeps serving the others', async () => {
    const big = 'x'.repeat(256 * 1024);
    const docs = new Map([['inc-1', doc('inc-1', '2026-03-01T10:00:00.000Z', { title: big })]]);
    const { feed, open } = await serve(docs, { maxBufferedBytes: 64 * 1024, flushMs: 1 });
    const slow = await open();
    slow.response.pause(); // reads nothing more: the kernel buffers fill, then the server's
    const fast = await open();
    await fast.next((e) => e.event === 'snapshot', 'the snapshot');
    expect(feed.clientCount()).toBe(2);
    for (let i = 0; i < 200 && feed.clientCount() === 2; i++) {
      feed.changed([{ id: 'inc-1', change: 'updated' }]);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(feed.clientCount()).toBe(1);
    const seen = fast.events.length;
    feed.changed([{ id: 'inc-1', change: 'updated' }]);
    await fast.next((e) => e.event === 'incident', 'an event after the drop', seen);
  });

  it('ends every stream when it closes', async () => {
    const { feed, open } = await serve(new Map());
    const s = await open();
    await s.next((e) => e.event === 'snapshot', 'the snapshot');
    feed.close();
    await s.ended;
    expect(feed.clientCount()).toBe(0);
  });
});

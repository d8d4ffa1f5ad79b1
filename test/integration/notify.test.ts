/**
 * Issue #5's acceptance: routing.yaml in Alertmanager syntax with a webhook receiver pointed at a local server that
 * answers 503 three times first. A storm of 30 alerts for one service produces one incident notification, delivered
 * despite the 503s; no firing notification repeats after kill -9 and restart; resolving the alerts produces exactly
 * one resolved notification for the incident.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useCleanup } from '../support/services.js';
import { startStormcell } from '../support/stormcell-process.js';
import { waitFor } from '../support/wait-for.js';

interface Received {
  readonly at: number;
  readonly status: number;
  readonly idempotencyKey: string | undefined;
  readonly body: { status: string; groupKey: string; alerts: unknown[]; incident: { id: string; status: string } };
}

/** A webhook receiver that answers 503 to its first `failFirst` requests, then 200, and keeps everything it got. */
async function startReceiver(failFirst: number): Promise<{ url: string; received: Received[]; stop(): Promise<void>; name: string }> {
  const received: Received[] = [];
  let seen = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen++;
      const status = seen <= failFirst ? 503 : 200;
      received.push({
        at: Date.now(),
        status,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      });
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'busy');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: 'webhook receiver',
    url: `http://127.0.0.1:${port}/hook`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function storm(run: string, endsAt: string): unknown[] {
  const startsAt = new Date(Date.now() - 20_000).toISOString();
  return Array.from({ length: 30 }, (_, i) => ({
    labels: { alertname: i % 3 === 0 ? 'HighErrorRate' : 'KubePodCrashLooping', service: 'checkout', pod: `checkout-7d9f8b6c5d-${String(i).padStart(5, 'x')}`, cluster: 'eu-1', namespace: 'shop', severity: 'critical', run },
    startsAt,
    endsAt,
  }));
}

describe('notifications through the outbox (issue #5 acceptance)', () => {
  const cleanup = useCleanup();

  it('delivers one notification for a storm despite 503s, repeats nothing after kill -9, and resolves once', async () => {
    const hook = cleanup(await startReceiver(3));
    const server = cleanup(await startStormcell({
      configFiles: {
        'topology.yaml': 'entities:\n  - {id: svc/checkout, kind: service, labels: {service: checkout}}\n',
        'routing.yaml': [
          'route:',
          '  receiver: team-web',
          '  group_by: [service]',
          '  group_wait: 1s',
          '  group_interval: 2s',
          '  repeat_interval: 4h',
          'receivers:',
          '  - name: team-web',
          '    webhook_configs:',
          `      - url: ${hook.url}`,
          '',
        ].join('\n'),
      },
    }));
    const run = `n${Date.now()}`;
    const far = new Date(Date.now() + 3_600_000).toISOString();
    const posted = await server.post('/api/v2/alerts', storm(run, far));
    expect(posted.status).toBe(200);

    // One incident; its firing notification arrives after three 503s (the outbox's backoff), exactly once.
    const delivered = await waitFor(() => {
      const ok = hook.received.filter((r) => r.status === 200);
      return ok.length >= 1 ? ok : undefined;
    }, { what: 'the firing notification delivered', timeoutMs: 45_000 });
    const incidents = await server.incidents();
    expect(incidents).toHaveLength(1);
    const id = incidents[0]!.id;
    expect(hook.received.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 503]);
    expect(new Set(hook.received.map((r) => r.idempotencyKey))).toEqual(new Set([`${id}:1:team-web:webhook/0`]));
    expect(delivered[0]!.body).toMatchObject({ status: 'firing', groupKey: id, incident: { id, status: 'open' } });
    expect(delivered[0]!.body.alerts).toHaveLength(30);

    // The storm goes on (Prometheus re-sends); more firing notifications would be repeats of the same state.
    await server.post('/api/v2/alerts', storm(run, far));
    await new Promise((r) => setTimeout(r, 3_000));
    await server.kill('SIGKILL');
    await server.restart();
    await server.post('/api/v2/alerts', storm(run, far));
    await new Promise((r) => setTimeout(r, 4_000)); // > group_wait + group_interval after the restart
    expect(hook.received.filter((r) => r.status === 200 && r.body.status === 'firing')).toHaveLength(1);

    // Resolving every alert: exactly one resolved notification, promptly.
    const past = new Date(Date.now() - 1_000).toISOString();
    await server.post('/api/v2/alerts', storm(run, past));
    const resolved = await waitFor(() => {
      const r = hook.received.filter((x) => x.status === 200 && x.body.status === 'resolved');
      return r.length >= 1 ? r : undefined;
    }, { what: 'the resolved notification', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(hook.received.filter((x) => x.status === 200 && x.body.status === 'resolved')).toHaveLength(1);
    expect(resolved[0]!.idempotencyKey).toBe(`${id}:2:team-web:webhook/0`);

    // The timeline tells the story: queued, three failed attempts, delivered; then the resolve.
    const withTimeline = await server.incident(id);
    const lines = (withTimeline.timeline as Array<{ type: string; message: string }>).filter((t) => t.type.startsWith('notification'));
    expect(lines.filter((t) => t.message.includes('failed, will retry'))).toHaveLength(3);
    expect(lines.filter((t) => / attempt \d+: sent/.test(t.message))).toHaveLength(2);
  }, 120_000);
});

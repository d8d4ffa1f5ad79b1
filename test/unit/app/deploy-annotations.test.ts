import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';
import { waitFor } from '../../support/wait-for.js';

let apps: EmbeddedApp[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  for (const c of closers.splice(0)) await c();
  apps = [];
});

describe('Grafana deploy annotations', () => {
  it('marks a deploy received on /webhook/deploys/generic on Grafana, once', async () => {
    const got: Array<{ path: string; body: { time: number; tags: string[]; text: string } }> = [];
    const grafana = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof got)[number]['body'] });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"message":"Annotation added","id":7}');
      });
    });
    await new Promise<void>((r) => grafana.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => grafana.close(() => r())));
    const port = (grafana.address() as AddressInfo).port;
    const a = await startEmbeddedApp({
      'routing.yaml': `route: {receiver: dashboards}\nreceivers:\n  - name: dashboards\n    grafana_configs:\n      - {url: "http://127.0.0.1:${port}/", api_key: glsa_x}\n`,
    });
    apps.push(a);
    const deploy = { service: 'checkout', version: 'v2.8.0', previousVersion: 'v2.7.4', at: '2026-03-01T09:58:00Z', cluster: 'eu-1' };
    expect((await a.post('/webhook/deploys/generic', deploy)).status).toBe(200);
    await waitFor(() => got.length >= 1, { what: 'the deploy annotation', timeoutMs: 5_000, intervalMs: 20 });
    expect(got[0]).toEqual({
      path: '/api/annotations',
      body: { time: Date.parse('2026-03-01T09:58:00Z'), tags: ['stormcell', 'deploy', 'checkout', 'eu-1', 'succeeded'], text: 'Deploy of checkout v2.8.0 (from v2.7.4): succeeded' },
    });
    await a.post('/webhook/deploys/generic', deploy); // the same deploy reported twice
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toHaveLength(1);
  });
});

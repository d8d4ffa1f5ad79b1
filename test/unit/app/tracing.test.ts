/**
 * Spans along a request's path (issue #7): receive → log → engine, children of the sender's `traceparent`, and the
 * notification's send, recorded by a minimal SDK registered through `@opentelemetry/api` (no SDK dependency).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';
import { registerRecordingTracer, type RecordedSpan } from '../../support/recording-tracer.js';
import { waitFor } from '../../support/wait-for.js';

describe('tracing', () => {
  let sdk: ReturnType<typeof registerRecordingTracer>;
  let hook: Server;
  let app: EmbeddedApp;

  beforeAll(async () => {
    sdk = registerRecordingTracer();
    hook = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const routing = `route:\n  receiver: team\n  group_wait: 0s\nreceivers:\n  - name: team\n    webhook_configs:\n      - url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/\n`;
    app = await startEmbeddedApp({ 'routing.yaml': routing });
  });

  afterAll(async () => {
    await app?.cleanup();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    sdk.stop();
  });

  it('a request is a receive span under the sender\'s trace, with its log append and engine apply as children; the page is a send span', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const senderSpan = '00f067aa0ba902b7';
    const res = await fetch(`${app.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${senderSpan}-01` },
      body: JSON.stringify([{ labels: { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1' } }]),
    });
    expect(res.status).toBe(200);
    const byName = (name: string): RecordedSpan[] => sdk.spans.filter((s) => s.name === name && s.traceId === traceId);
    const [receive] = byName('stormcell.receive');
    expect(receive).toMatchObject({ parentSpanId: senderSpan, ended: true, attributes: { 'http.route': '/api/v2/alerts', 'http.response.status_code': 200 } });
    expect(byName('stormcell.log.append')).toMatchObject([{ parentSpanId: receive!.spanId, ended: true }]);
    expect(byName('stormcell.engine.apply')).toMatchObject([{ parentSpanId: receive!.spanId, ended: true, attributes: { 'stormcell.events': 1 } }]);

    const send = await waitFor(() => sdk.spans.find((s) => s.name === 'stormcell.notify.send' && s.ended), { what: 'the notification send span', timeoutMs: 20_000 });
    expect(send.attributes).toMatchObject({ 'stormcell.receiver': 'team', 'stormcell.integration': 'webhook/0', 'stormcell.result': 'sent' });
  });
});

import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/model/index.js';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stormcell-cli-'));
const config = join(dir, 'config');
mkdirSync(config);
writeFileSync(
  join(config, 'topology.yaml'),
  'entities:\n  - {id: svc/checkout, kind: service, labels: {service: checkout}}\n  - {id: db/orders, kind: datastore, labels: {service: orders-db}}\nrelations:\n  - {from: svc/checkout, to: db/orders, type: uses}\n',
);

function line(ts: string, path: string, body: unknown): string {
  return JSON.stringify({ ts, path, body });
}
const CAPTURE = [
  line('2026-03-01T10:00:00Z', '/webhook/deploys/generic', { service: 'checkout', version: 'v42', at: '2026-03-01T09:58:00Z' }),
  line('2026-03-01T10:01:00Z', '/api/v2/alerts', [{ labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' } }]),
  line('2026-03-01T10:01:05Z', '/api/v2/alerts', [{ labels: { alertname: 'PostgresTooManyConnections', service: 'orders-db', severity: 'warning' } }]),
  line('2026-03-01T10:01:10Z', '/api/v2/alerts', [{ labels: { alertname: 'HighLatency', service: 'checkout', severity: 'warning' } }]),
  line('2026-03-01T10:01:30Z', '/webhook/tickets/generic', { id: 'SUP-7', title: 'cannot check out', createdAt: '2026-03-01T10:01:30Z', services: ['checkout'] }),
  line('2026-03-01T10:02:00Z', '/api/v2/alerts', [{ labels: {} }]),
  line('2026-03-01T10:09:00Z', '/api/v2/alerts', [{ labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, endsAt: '2026-03-01T10:08:00Z' }]),
].join('\n') + '\n';
const capture = join(dir, 'capture.ndjson');
writeFileSync(capture, CAPTURE);

describe('stormcell replay', () => {
  it('writes the CONTRACT §5 document, identical byte for byte on two runs', () => {
    const a = runCli(['replay', capture, '--config', config]);
    const b = runCli(['replay', capture, '--config', config]);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout);
    expect(doc.stats).toMatchObject({ requests: 6, alerts: 3, incidents: 1, rejected: 1 });
    expect(doc.slos).toEqual([]);
    expect(doc.incidents).toHaveLength(1);
    const [inc] = doc.incidents;
    expect(inc).toMatchObject({
      severity: 'sev1',
      // No alert was re-sent: each resolves 5m (resolve_timeout) after it arrived, the last at 10:06:10.
      status: 'resolved',
      openedAt: '2026-03-01T10:01:00.000Z',
      resolvedAt: '2026-03-01T10:06:10.000Z',
      tickets: ['SUP-7'],
      // The checkout deploy 3m before is the best suspect, so its service is the cause, though orders-db is upstream.
      rootCause: { entity: 'svc/checkout' },
    });
    expect(inc.alerts.map((x: any) => x.fingerprint)).toEqual([
      fingerprint({ alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }),
      fingerprint({ alertname: 'PostgresTooManyConnections', service: 'orders-db', severity: 'warning' }),
      fingerprint({ alertname: 'HighLatency', service: 'checkout', severity: 'warning' }),
    ]);
    expect(inc.suspectedDeploys).toMatchObject([{ service: 'checkout', version: 'v42', at: '2026-03-01T09:58:00.000Z' }]);
    expect(a.stderr).toMatch(/capture\.ndjson:6: request refused as the server would refuse it: alerts\[0\]\.labels: /);
  });

  it('--out writes the document to a file', () => {
    const out = join(dir, 'out.json');
    const r = runCli(['replay', capture, '--config', config, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).stats.requests).toBe(6);
  });

  it.each([
    ['a line that is not JSON', 'not json\n', /^stormcell: .*bad1\.ndjson:1: not JSON: /],
    ['an unknown path', line('2026-03-01T10:00:00Z', '/api/v1/alerts', []) + '\n', /^stormcell: .*bad2\.ndjson:1: path: expected a receiver path such as \/api\/v2\/alerts, got "\/api\/v1\/alerts"$/],
    ['a bad ts', line('yesterday', '/api/v2/alerts', []) + '\n', /^stormcell: .*bad3\.ndjson:1: ts: expected an RFC 3339 time, got "yesterday"$/],
  ])('exits 2 with one line for %s', (_what, text, message) => {
    const n = _what === 'a line that is not JSON' ? 1 : _what === 'an unknown path' ? 2 : 3;
    const f = join(dir, `bad${n}.ndjson`);
    writeFileSync(f, text);
    const r = runCli(['replay', f, '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it('exits 2 with one line for a missing capture, bad config or bad arguments', () => {
    const missing = runCli(['replay', join(dir, 'nope.ndjson'), '--config', config]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^stormcell: .*nope\.ndjson: no such file\n$/);
    const badDir = join(dir, 'badconf');
    mkdirSync(badDir);
    writeFileSync(join(badDir, 'stormcell.yaml'), 'resolve_timeout: soon\n');
    const bad = runCli(['replay', capture, '--config', badDir]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('stormcell: stormcell.yaml: resolve_timeout: expected a duration like 30s, got "soon"\n');
    expect(runCli(['replay', capture]).status).toBe(2);
    expect(runCli(['frobnicate']).status).toBe(2);
    expect(runCli(['replay', capture, '--config', config, '--bogus']).stderr).toMatch(/^stormcell: Unknown option '--bogus'/);
  });
});

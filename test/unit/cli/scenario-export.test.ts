import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioCommand } from '../../../src/cli/scenario.js';
import { loadConfig } from '../../../src/config/index.js';
import { runEval } from '../../../src/eval/index.js';
import { createWal } from '../../../src/log/index.js';
import type { IncidentDoc } from '../../../src/model/index.js';
import { replayCapture } from '../../../src/replay.js';

/**
 * `stormcell scenario export` in-process, against a read API serving what a replay of the same traffic made: the
 * config copy keeps a k-means model working, and a WAL whose front snapshots truncated is refused with a reason.
 */
const REPO = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'stormcell-scenario-export-'));
const config = join(dir, 'config');
mkdirSync(config);
mkdirSync(join(dir, 'models'));
copyFileSync(join(REPO, 'pipelines', 'kmeans.yaml'), join(config, 'pipeline.yaml'));
copyFileSync(join(REPO, 'models', 'kmeans.json'), join(dir, 'models', 'kmeans.json'));
writeFileSync(join(config, 'topology.yaml'), 'entities:\n  - {id: svc/checkout, kind: service, labels: {service: checkout}}\n');
writeFileSync(join(config, 'routing.yaml'), 'route:\n  receiver: x\nreceivers:\n  - name: x\n');

const line = (ts: string, labels: Record<string, string>): string => JSON.stringify({ ts, path: '/api/v2/alerts', body: [{ labels }] });
const LINES = [
  line('2026-03-01T08:00:00.000Z', { alertname: 'Watchdog' }),
  line('2026-03-01T10:00:00.000Z', { alertname: 'HighErrorRate', service: 'checkout' }),
  line('2026-03-01T10:00:10.000Z', { alertname: 'HighLatency', service: 'checkout' }),
  line('2026-03-01T10:00:20.000Z', { alertname: 'HighErrorRate', service: 'checkout' }),
];
const capture = join(dir, 'capture.ndjson');
writeFileSync(capture, LINES.join('\n') + '\n');

let server: Server;
let url = '';
let target: IncidentDoc;

beforeAll(async () => {
  const doc = await replayCapture(capture, await loadConfig(config), () => undefined);
  target = doc.incidents.find((i) => i.alerts.length === 2) as IncidentDoc;
  server = createServer((req, res) => {
    const body = req.url === '/api/v1/incidents' ? doc.incidents
      : req.url === `/api/v1/incidents/${target.id}` ? { ...target, timeline: [] } : null;
    res.writeHead(body === null ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const NOW = () => Date.parse('2026-03-02T00:00:00Z');

describe('stormcell scenario export', () => {
  it('copies the config with its k-means model beside the pipeline, leaves routing.yaml behind, and eval scores it', async () => {
    const corpus = join(dir, 'corpus');
    const out = join(corpus, 'exported');
    expect(await scenarioCommand(['export', target.id, '--url', url, '--capture', capture, '--config', config, '--out', out, '--margin', '5m'], NOW)).toBe(0);
    // The Watchdog two hours earlier is outside the window.
    expect(readFileSync(join(out, 'capture.ndjson'), 'utf8')).toBe(LINES.slice(1).join('\n') + '\n');
    const pipeline = readFileSync(join(out, 'config', 'pipeline.yaml'), 'utf8');
    expect(pipeline).toContain('model: kmeans.json');
    expect(pipeline).toContain('# The default pipeline plus k-means');
    expect(readFileSync(join(out, 'config', 'kmeans.json'))).toEqual(readFileSync(join(dir, 'models', 'kmeans.json')));
    expect(existsSync(join(out, 'config', 'routing.yaml'))).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('## Review truth.json before committing');
    expect(JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8'))).toEqual({
      incidents: [{ id: target.id, alerts: target.alerts.map((a) => a.fingerprint).sort(), rootCause: 'svc/checkout' }],
    });
    writeFileSync(join(corpus, 'thresholds.yaml'), 'corpus:\n  pairwiseF1: 1.0\n');
    const result = await runEval({ dir: corpus });
    expect(result.exitCode).toBe(0);
    expect(result.scenarios[0]?.ours.scores).toMatchObject({ pairwiseF1: 1, rootCauseTop1: 1 });
  });

  it('refuses a WAL whose front, inside the window, snapshots truncated away', async () => {
    const data = join(dir, 'data');
    const wal = createWal({ dir: join(data, 'wal'), segmentBytes: 64 });
    await wal.open();
    for (const l of LINES) await wal.append([Buffer.from(l)]);
    await wal.truncateBefore(2); // drops the segments of offsets 0 and 1: the incident's first alert
    await wal.close();
    await expect(scenarioCommand(['export', target.id, '--url', url, '--data', data, '--config', config, '--out', join(dir, 'from-wal')], NOW))
      .rejects.toThrow(/the WAL of .* no longer holds the start of the window \(2026-03-01T09:50:00\.000Z\): snapshots truncated it and its oldest entry \(offset 2, 2026-03-01T10:00:10\.000Z\) is later/);
    expect(existsSync(join(dir, 'from-wal'))).toBe(false);
  });

  it.each([
    { args: ['--capture', 'x', '--data', 'y'], message: /one of --capture FILE .* or --data DIR/ },
    { args: ['--capture', 'x'], message: /needs --config DIR/ },
    { args: ['--capture', 'x', '--config', config, '--out', dir], message: /--out .*: not empty/ },
    { args: ['--capture', 'x', '--config', config, '--out', join(dir, 'm'), '--margin', 'soon'], message: /--margin: expected a duration like 10m, got "soon"/ },
  ])('refuses $args with a one-line reason', async ({ args, message }) => {
    await expect(scenarioCommand(['export', 'inc-x', '--url', url, ...args], NOW)).rejects.toThrow(message);
  });
});

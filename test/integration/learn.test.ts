/**
 * Issue #7's "learn" acceptance: a storm sent over HTTP to a real server (recording its traffic) becomes an
 * incident; `stormcell postmortem ID --url` renders its postmortem, and `stormcell scenario export ID` turns its
 * traffic into an eval scenario, from the `--record` capture and from the data dir's WAL alike, which
 * `stormcell eval` replays to the same incident (pairwise F1 1.0).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/model/index.js';
import { runCli } from '../support/cli.js';
import { makeTempDir, tempDirCleanup, useCleanup } from '../support/services.js';
import { startStormcell } from '../support/stormcell-process.js';
import { waitFor } from '../support/wait-for.js';

/** A webhook receiver that answers 200 and counts what it got. */
async function startReceiver(): Promise<{ url: string; received: unknown[]; stop(): Promise<void>; name: string }> {
  const received: unknown[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { name: 'webhook receiver', url: `http://127.0.0.1:${port}/hook`, received, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

const TOPOLOGY = `entities:
  - {id: svc/frontend, kind: service, labels: {service: frontend}}
  - {id: svc/checkout, kind: service, labels: {service: checkout}}
  - {id: svc/search, kind: service, labels: {service: search}}
relations:
  - {from: svc/frontend, to: svc/checkout, type: calls}
`;
const SLOS = 'slos:\n  - {name: checkout-availability, objective: 99.9, window: 30d, entity: svc/checkout}\n';
const iso = (ms: number): string => new Date(ms).toISOString();

describe('postmortem and regression scenario of a live incident (issue #7)', () => {
  const cleanup = useCleanup();

  it('renders the postmortem and exports a scenario that eval replays to the same incident', async () => {
    const work = cleanup(tempDirCleanup(await makeTempDir('learn'))).dir;
    const hook = cleanup(await startReceiver());
    const recordFile = join(work, 'record.ndjson');
    const server = cleanup(await startStormcell({
      recordFile,
      configFiles: {
        'topology.yaml': TOPOLOGY,
        'slos.yaml': SLOS,
        'routing.yaml': `route:\n  receiver: oncall\n  group_wait: 1s\n  group_interval: 2s\nreceivers:\n  - name: oncall\n    webhook_configs:\n      - url: ${hook.url}\n`,
      },
    }));
    const run = `r${Date.now()}`;
    const t0 = Date.now();

    // A bad checkout release, then its storm: errors, a crash loop, its caller's latency; a ticket and the
    // SLO's counters (5 % errors for the last hour: 50× the budget); elsewhere, an unrelated disk alert.
    expect((await server.post('/webhook/deploys/generic', { service: 'checkout', version: 'v2.4.0', previousVersion: 'v2.3.9', at: iso(t0 - 90_000) })).status).toBe(200);
    const labels = [
      { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1', severity: 'critical', run },
      ...[1, 2, 3].map((i) => ({ alertname: 'KubePodCrashLooping', service: 'checkout', pod: `checkout-7d9f-${i}`, cluster: 'eu-1', severity: 'warning', run })),
      { alertname: 'HighLatency', service: 'frontend', cluster: 'eu-1', severity: 'warning', run },
    ];
    const storm = labels.map((l) => ({ labels: l, startsAt: iso(t0 - 60_000) }));
    expect((await server.post('/api/v2/alerts', storm)).status).toBe(200);
    const disk = { alertname: 'NodeFilesystemAlmostFull', service: 'search', cluster: 'us-1', severity: 'warning', run };
    expect((await server.post('/api/v2/alerts', [{ labels: disk, startsAt: iso(t0 - 30_000) }])).status).toBe(200);
    expect((await server.post('/webhook/tickets/generic', { id: 'OPS-7', title: 'Checkout fails with error 500', body: 'customers cannot pay at checkout', createdAt: iso(t0), services: ['checkout'] })).status).toBe(200);
    const minute = Math.floor(t0 / 60_000) * 60_000;
    const sli = Array.from({ length: 61 }, (_, i) => ({ slo: 'checkout-availability', at: iso(minute - (60 - i) * 60_000), good: 950 * i, total: 1000 * i }));
    expect((await server.post('/api/v1/sli', sli)).status).toBe(200);

    const checkoutFp = fingerprint(labels[0]!);
    const incident = await waitFor(async () => {
      const inc = (await server.incidents()).find((i) => i.alerts.some((a) => a.fingerprint === checkoutFp));
      return inc !== undefined && inc.alerts.filter((a) => a.origin === undefined).length === labels.length ? inc : undefined;
    }, { what: 'one incident holding the storm' });
    const id = incident.id;
    await waitFor(() => hook.received.length > 0, { what: 'the first notification delivered', timeoutMs: 30_000 });
    expect((await server.post('/api/v1/acknowledgements', { incident: id, by: 'oncall-alice', comment: 'rolling back' })).status).toBe(200);
    expect((await server.post('/webhook/deploys/generic', { service: 'checkout', version: 'v2.4.0', previousVersion: 'v2.3.9', at: iso(Date.now()), status: 'rolled_back' })).status).toBe(200);
    await waitFor(async () => (await server.incident(id)).timeline.some((t) => (t as { type: string }).type === 'deploy-rolled-back'), { what: 'the rollback on the timeline' });

    // The postmortem, from the running server.
    const pmFile = join(work, 'postmortem.md');
    const pm = runCli(['postmortem', id, '--url', server.url, '--out', pmFile]);
    expect(pm.stderr).toBe('');
    expect(pm.status).toBe(0);
    const md = await readFile(pmFile, 'utf8');
    expect([...md.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(['Summary', 'Impact', 'Detection', 'Mitigation', 'Suspected cause and evidence', 'Timeline', 'Action items']);
    expect(md).toContain(`incident \`${id}\``);
    expect(md).toContain('**Alerts:** 5 received (3 alertnames: `HighErrorRate`, `HighLatency`, `KubePodCrashLooping`)');
    expect(md).toContain('| Acknowledged by | oncall-alice at ');
    expect(md).toMatch(/\*\*First notification:\*\* firing notification 1 to oncall webhook\/0, attempt 1: sent/);
    expect(md).toMatch(/\*\*Rollback:\*\* checkout v2\.4\.0 rolled back at /);
    expect(md).toMatch(/\| checkout \| v2\.4\.0 \| [^|]+ \| \d\.\d\d \| /);
    expect(md).toContain('`OPS-7`: Checkout fails with error 500');
    expect(md).toMatch(/^\| checkout-availability \| 99\.9 % \| page 1h\/5m /m);
    expect(md).toMatch(/^- \[ \] Which check in the rollout of checkout v2\.4\.0 /m);
    const toStdout = runCli(['postmortem', id, '--url', server.url]);
    expect(toStdout.status).toBe(0);
    expect(toStdout.stdout.split('\n')[0]).toBe(md.split('\n')[0]);

    // The scenario, from the --record capture, scored by eval in a corpus of its own.
    const corpus = join(work, 'corpus');
    const exported = join(corpus, 'storm');
    const ex = runCli(['scenario', 'export', id, '--url', server.url, '--capture', recordFile, '--config', server.configDir, '--out', exported]);
    expect(ex.stderr).toBe('');
    expect(ex.status).toBe(0);
    expect(ex.stdout).toContain(`scenario ${exported}: `);
    const truth = JSON.parse(await readFile(join(exported, 'truth.json'), 'utf8')) as { incidents: Array<{ id: string; alerts: string[]; rootCause?: string; deploys?: unknown[]; tickets?: string[] }> };
    expect(truth.incidents[0]).toMatchObject({ id, alerts: labels.map((l) => fingerprint(l)).sort(), tickets: ['OPS-7'], deploys: [{ service: 'checkout', version: 'v2.4.0' }] });
    expect(truth.incidents.slice(1).map((i) => i.alerts)).toEqual([[fingerprint(disk)]]);
    expect(await readFile(join(exported, 'config', 'topology.yaml'), 'utf8')).toBe(TOPOLOGY);
    await expect(readFile(join(exported, 'config', 'routing.yaml'))).rejects.toThrow(/ENOENT/);
    await writeFile(join(corpus, 'thresholds.yaml'), 'corpus:\n  pairwiseF1: 1.0\n  ari: 1.0\nscenario:\n  pairwiseF1: 1.0\n');
    const ev = runCli(['eval', corpus, '--json']);
    expect(ev.stderr).toBe('');
    expect(ev.status).toBe(0);
    const scored = JSON.parse(ev.stdout) as { scenarios: Array<{ name: string; ours: { scores: Record<string, number | null> } }> };
    expect(scored.scenarios.map((s) => s.name)).toEqual(['storm']);
    expect(scored.scenarios[0]!.ours.scores).toMatchObject({ pairwiseF1: 1, ari: 1, ticketLinkAccuracy: 1, deployPrecision: 1, deployRecall: 1 });

    // The same export from the data dir's WAL, while the server runs: the same requests, the same truth.
    const fromWal = join(work, 'from-wal');
    const exWal = runCli(['scenario', 'export', id, '--url', server.url, '--data', server.dataDir, '--config', server.configDir, '--out', fromWal]);
    expect(exWal.stderr).toBe('');
    expect(exWal.status).toBe(0);
    expect(await readFile(join(fromWal, 'capture.ndjson'), 'utf8')).toBe(await readFile(join(exported, 'capture.ndjson'), 'utf8'));
    expect(await readFile(join(fromWal, 'truth.json'), 'utf8')).toBe(await readFile(join(exported, 'truth.json'), 'utf8'));
  });
});

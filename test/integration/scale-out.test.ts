/**
 * Kafka mode (issue #6) with the real services: a Kafka 3.9.1 broker (KRaft) and a redis-server of our own, and
 * stormcell instances as separate processes, so that kill -9 is a real crash. The traffic is a held-out six-hour
 * estate of three clusters that no corpus scenario uses (seed 71), published to `stormcell.ingest` with random
 * keys; the yardstick is one `replay` of the same capture.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGeneratedScenario } from '../../bench/scenario-generated.js';
import { loadConfig } from '../../src/config/index.js';
import { parseTruth, type Truth } from '../../src/eval/index.js';
import { scoreIncidents, scoresOf, scoringFrame } from '../../src/eval/score.js';
import type { IncidentDoc } from '../../src/model/index.js';
import { replayCapture } from '../../src/replay.js';
import { createTopic, produceCapture } from '../support/ingest-topic.js';
import { kafkaAvailable, startKafka, type KafkaBroker } from '../support/kafka.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { httpGet, httpPostJson, makeTempDir, needService, removeDir, useCleanup } from '../support/services.js';
import { startStormcell, type StormcellServer } from '../support/stormcell-process.js';
import { waitFor } from '../support/wait-for.js';

const needed = [needService('kafka', kafkaAvailable), needService('redis', redisAvailable)].some(Boolean);

describe.skipIf(needed)('Kafka mode with a real broker and a real Redis', () => {
  let broker: KafkaBroker;
  let redis: RedisServer;
  let dir: string;
  let lines: string[];
  let truth: Truth;
  let single: { incidents: IncidentDoc[]; f1: number; slos: string[] };
  const cleanup = useCleanup();

  beforeAll(async () => {
    [broker, redis] = await Promise.all([startKafka(), startRedis()]);
    dir = await makeTempDir('scale-out');
    const scenario = renderGeneratedScenario({
      name: 'scale-out-6h',
      description: 'held out: three clusters over six hours, the default faults spread across them',
      topology: true,
      options: { noise: 0.2, replicaScale: 0.6, unrelatedTickets: 3, seed: 71, hours: 6, clusters: ['eu-3', 'us-3', 'ap-3'], start: '2026-04-07T06:00:00.000Z' },
    });
    for (const [name, text] of Object.entries(scenario.files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    lines = (await readFile(join(dir, 'capture.ndjson'), 'utf8')).split('\n').filter((l) => l !== '');
    truth = parseTruth(JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8')), 'truth.json');
    const doc = await replayCapture(join(dir, 'capture.ndjson'), await loadConfig(join(dir, 'config')), () => undefined);
    single = { incidents: doc.incidents, f1: f1Of(doc.incidents), slos: doc.slos.map((d) => d.name).sort() };
  }, 240_000);

  afterAll(async () => {
    await broker?.dispose();
    await redis?.dispose();
    if (dir !== undefined) await removeDir(dir);
  });

  function f1Of(incidents: readonly IncidentDoc[]): number {
    const frame = scoringFrame(incidents, truth, 'truth.json');
    return scoresOf(scoreIncidents(frame, incidents, truth)).pairwiseF1;
  }

  /** A config dir for one test: the estate's topology and SLOs, and a group and topics of its own. */
  async function configFor(group: string, extra = ''): Promise<string> {
    const cfg = join(dir, `config-${group}`);
    await mkdir(cfg, { recursive: true });
    for (const f of ['topology.yaml', 'slos.yaml']) await writeFile(join(cfg, f), await readFile(join(dir, 'config', f)));
    await writeFile(
      join(cfg, 'stormcell.yaml'),
      `scale_out:\n  group: ${group}\n  ingest_topic: ${group}.ingest\n  events_topic: ${group}.events\n  session_timeout: 6s\n  checkpoint_interval: 1s\n${extra}`,
    );
    return cfg;
  }

  async function instance(configDir: string): Promise<StormcellServer> {
    return cleanup(await startStormcell({ configDir, kafka: { brokers: broker.brokers, redisUrl: redis.url }, waitReady: false, readyTimeoutMs: 60_000 }));
  }

  /** Waits until every instance is ready and shows the same incidents, covering `alerts` fingerprints. */
  async function converged(servers: readonly StormcellServer[], alerts: number): Promise<IncidentDoc[]> {
    return waitFor(
      async () => {
        const lists: IncidentDoc[][] = [];
        for (const s of servers) {
          const ready = await httpGet(`${s.url}/readyz`);
          if (ready.status !== 200) throw new Error(`${s.url} not ready: ${ready.text}`);
          lists.push((await s.incidents()) as unknown as IncidentDoc[]);
        }
        const seen = new Set(lists[0]?.flatMap((i) => i.alerts.map((a) => a.fingerprint)));
        if (seen.size < alerts) throw new Error(`${seen.size} of ${alerts} alerts in incidents so far`);
        const ids = lists.map((l) => l.map((i) => `${i.id}:${i.alerts.length}:${i.status}`).sort().join(','));
        if (new Set(ids).size !== 1) throw new Error('instances disagree on the incidents');
        return lists[0] as IncidentDoc[];
      },
      { what: 'every instance to show every alert in the same incidents', timeoutMs: 180_000, intervalMs: 1_000 },
    );
  }

  function receivedFingerprints(incidents: readonly IncidentDoc[]): Map<string, number> {
    const count = new Map<string, number>();
    for (const inc of incidents) for (const a of inc.alerts) if (a.origin !== 'slo') count.set(a.fingerprint, (count.get(a.fingerprint) ?? 0) + 1);
    return count;
  }

  it('three instances, random keys over six partitions, one killed with kill -9 mid-stream: the incidents of one replay', async () => {
    const group = `accept-${randomUUID().slice(0, 6)}`;
    const cfg = await configFor(group);
    await createTopic(broker.brokers, `${group}.ingest`, 6);
    const servers = [await instance(cfg), await instance(cfg), await instance(cfg)];
    let killed = false;
    await produceCapture(lines, {
      brokers: broker.brokers,
      topic: `${group}.ingest`,
      batch: 50,
      seed: 7,
      onProgress: async (sent) => {
        if (!killed && sent >= lines.length / 3) {
          killed = true;
          await (servers[1] as StormcellServer).kill('SIGKILL');
        }
      },
    });
    expect(killed).toBe(true);
    await (servers[1] as StormcellServer).restart();

    const expected = receivedFingerprints(single.incidents);
    const incidents = await converged(servers, expected.size);
    const got = receivedFingerprints(incidents);
    expect([...got.values()].filter((n) => n !== 1)).toEqual([]); // every alert in exactly one incident
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    const f1 = f1Of(incidents);
    expect(Math.abs(f1 - single.f1)).toBeLessThanOrEqual(0.01);
    expect(single.f1).toBeGreaterThan(0.9);

    const metrics = (await httpGet(`${(servers[0] as StormcellServer).url}/metrics`)).text;
    expect(metrics).toMatch(/stormcell_kafka_rebalances_total\{stage="correlate"\} [1-9]/);
    expect(metrics).toMatch(/stormcell_kafka_consumer_lag_messages\{stage="correlate",partition="\d+"\} 0/);
    expect(metrics).toMatch(/stormcell_checkpoint_age_seconds\{partition="\d+"\} /);
    expect(metrics).toMatch(/stormcell_kafka_consumer_lag_messages\{stage="fold",partition="\d+"\} 0/);
    // Stage one folded the re-sends: across the instances (counters restart with the killed one), most alert
    // items stayed in the fold.
    let folded = 0;
    let forwarded = 0;
    for (const s of servers) {
      const text = (await httpGet(`${s.url}/metrics`)).text;
      folded += Number(/^stormcell_fold_alert_items_total\{outcome="folded"\} (\S+)$/m.exec(text)?.[1] ?? 0);
      forwarded += Number(/^stormcell_fold_alert_items_total\{outcome="forwarded"\} (\S+)$/m.exec(text)?.[1] ?? 0);
    }
    expect(forwarded).toBeGreaterThan(0);
    expect(folded).toBeGreaterThan(forwarded * 2);
    // Any instance serves any incident with its timeline, whichever instance owns its partition.
    const one = incidents[incidents.length - 1] as IncidentDoc;
    for (const s of servers) expect((await s.incident(one.id)).timeline.length).toBeGreaterThan(0);
    // The SLOs are counted in the fold and their burns placed by stage two: the same burn alerts as one replay, and
    // every instance lists every SLO.
    const burns = (list: readonly IncidentDoc[]): string[] => list.flatMap((i) => i.alerts.filter((a) => a.origin === 'slo').map((a) => `${a.fingerprint} ${i.alerts.length}`)).sort();
    expect(burns(incidents)).toEqual(burns(single.incidents));
    expect(single.slos.length).toBeGreaterThan(0);
    for (const s of servers) {
      const slos = JSON.parse((await httpGet(`${s.url}/api/v1/slos`)).text) as Array<{ name: string }>;
      expect(slos.map((d) => d.name).sort()).toEqual(single.slos);
    }
  }, 300_000);

  it('a broker crash and a Redis crash mid-stream change nothing', async () => {
    const group = `faults-${randomUUID().slice(0, 6)}`;
    const cfg = await configFor(group);
    await createTopic(broker.brokers, `${group}.ingest`, 6);
    const servers = [await instance(cfg), await instance(cfg)];
    const third = Math.ceil(lines.length / 3);
    await produceCapture(lines.slice(0, third), { brokers: broker.brokers, topic: `${group}.ingest`, seed: 11 });
    await broker.kill9();
    await broker.start();
    await produceCapture(lines.slice(third, 2 * third), { brokers: broker.brokers, topic: `${group}.ingest`, seed: 12 });
    await redis.kill9();
    await redis.start();
    await produceCapture(lines.slice(2 * third), { brokers: broker.brokers, topic: `${group}.ingest`, seed: 13 });

    const expected = receivedFingerprints(single.incidents);
    const incidents = await converged(servers, expected.size);
    const got = receivedFingerprints(incidents);
    expect([...got.values()].filter((n) => n !== 1)).toEqual([]);
    expect(got.size).toBe(expected.size);
    expect(Math.abs(f1Of(incidents) - single.f1)).toBeLessThanOrEqual(0.01);
  }, 300_000);

  it('HTTP receivers write to Kafka: a storm posted to one instance is an incident on both; bad ingest messages are counted and skipped', async () => {
    const group = `http-${randomUUID().slice(0, 6)}`;
    const cfg = await configFor(group);
    const [a, b] = [await instance(cfg), await instance(cfg)];
    await waitFor(async () => (await httpGet(`${a.url}/readyz`)).status === 200 && (await httpGet(`${b.url}/readyz`)).status === 200, {
      what: 'both instances ready',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const bad = await a.post('/api/v2/alerts', [{ labels: {} }]);
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/labels/);
    // Something that is no capture line, from another system: refused, counted, and nothing after it is lost.
    await produceCapture(['not a capture line', '{"ts":"x","path":"/api/v2/alerts","body":[]}'], { brokers: broker.brokers, topic: `${group}.ingest` });
    const storm = Array.from({ length: 12 }, (_, i) => ({
      labels: { alertname: 'KubePodCrashLooping', cluster: 'eu-3', namespace: 'shop', pod: `checkout-${i}`, service: 'checkout', severity: 'critical' },
    }));
    const ok = await a.post('/api/v2/alerts', storm);
    expect(ok.status).toBe(200);
    const seen = await waitFor(
      async () => {
        const list = await b.incidents();
        const inc = list.find((i) => i.alerts.some((al) => al.labels['pod'] === 'checkout-0'));
        if (inc === undefined || inc.alerts.length < 12) throw new Error('storm not folded yet');
        return inc;
      },
      { what: 'the storm as one incident on the other instance', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(seen.alerts).toHaveLength(12);
    const metrics = await waitFor(
      async () => {
        let text = '';
        for (const s of [a, b]) text += (await httpGet(`${s.url}/metrics`)).text;
        const n = [...text.matchAll(/stormcell_ingest_topic_rejected_total\{reason="capture_line"\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
        if (n < 2) throw new Error(`${n} rejections counted`);
        return n;
      },
      { what: 'both bad ingest messages counted', timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(metrics).toBe(2);
  }, 180_000);

  it('notifications: one page per incident state across kill -9 of every instance, and a silence made on one instance mutes on all', async () => {
    const got: Array<{ key: string | undefined; status: string; service: string }> = [];
    const hook: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status: string; commonLabels: Record<string, string> };
        got.push({ key: req.headers['idempotency-key'] as string | undefined, status: body.status, service: body.commonLabels['service'] ?? '' });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    cleanup({ name: 'webhook receiver', stop: () => new Promise<void>((resolve) => hook.close(() => resolve())) });
    const group = `notify-${randomUUID().slice(0, 6)}`;
    const cfg = await configFor(group);
    await writeFile(join(cfg, 'routing.yaml'), [
      'route:',
      '  receiver: team',
      '  group_wait: 1s',
      '  group_interval: 2s',
      '  repeat_interval: 4h',
      'receivers:',
      '  - name: team',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      '',
    ].join('\n'));
    const servers = [await instance(cfg), await instance(cfg)];
    const allReady = (): Promise<unknown> => waitFor(async () => {
      for (const s of servers) if ((await httpGet(`${s.url}/readyz`)).status !== 200) return false;
      return true;
    }, { what: 'every instance ready', timeoutMs: 60_000, intervalMs: 250 });
    await allReady();
    const far = new Date(Date.now() + 3_600_000).toISOString();
    // Two services in two clusters: two incidents, on whichever partitions their domains hash to.
    const stormOf = (service: string, endsAt: string): unknown[] => Array.from({ length: 10 }, (_, i) => ({
      labels: { alertname: 'KubePodCrashLooping', cluster: service === 'checkout' ? 'eu-3' : 'us-3', namespace: 'shop', service, pod: `${service}-${i}`, severity: 'critical' },
      startsAt: new Date(Date.now() - 10_000).toISOString(),
      endsAt,
    }));
    expect((await (servers[0] as StormcellServer).post('/api/v2/alerts', stormOf('checkout', far))).status).toBe(200);
    await waitFor(() => got.some((g) => g.status === 'firing'), { what: 'the firing page', timeoutMs: 60_000, intervalMs: 100 });

    // Every instance dies, so whichever owned the incident's partition did; the new owners must know it was paged.
    for (const s of servers) await s.kill('SIGKILL');
    for (const s of servers) await s.restart();
    await allReady();
    await (servers[1] as StormcellServer).post('/api/v2/alerts', stormOf('checkout', far)); // Prometheus re-sends
    await new Promise((r) => setTimeout(r, 5_000)); // > group_wait + group_interval
    expect(got.filter((g) => g.status === 'firing')).toHaveLength(1);

    // A silence made on instance 0 mutes an incident whose partition any instance may own.
    const silence = await httpPostJson(`${(servers[0] as StormcellServer).url}/api/v1/silences`, {
      matchers: [{ name: 'service', value: 'payments', isRegex: false }],
      startsAt: new Date(Date.now() - 1_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'test',
      comment: 'maintenance',
    });
    expect(silence.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500)); // every instance reads silences at least once a second
    await (servers[1] as StormcellServer).post('/api/v2/alerts', stormOf('payments', far));
    await waitFor(async () => (await (servers[0] as StormcellServer).incidents()).some((i) => i.alerts.some((a) => a.labels['service'] === 'payments')), {
      what: 'the payments incident', timeoutMs: 30_000, intervalMs: 250,
    });
    await new Promise((r) => setTimeout(r, 4_000));
    expect(got.filter((g) => g.service !== 'checkout')).toEqual([]);

    // Resolving the paged incident: exactly one resolve.
    await (servers[0] as StormcellServer).post('/api/v2/alerts', stormOf('checkout', new Date(Date.now() - 1_000).toISOString()));
    await waitFor(() => got.some((g) => g.status === 'resolved'), { what: 'the resolve', timeoutMs: 30_000, intervalMs: 100 });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(got.map((g) => g.status)).toEqual(['firing', 'resolved']);
    expect(new Set(got.map((g) => g.key)).size).toBe(2);
  }, 240_000);
});

/**
 * CONTRACT §9: a request that got a 2xx is never lost. The real server is killed with SIGKILL while requests are in
 * flight and restarted on the same data dir; every acknowledged alert must be in exactly one incident, and the
 * recovered incidents must equal a replay of the capture the first process recorded.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceFingerprint } from '../support/alertmanager.js';
import { makeTempDir, tempDirCleanup, useCleanup } from '../support/services.js';
import {
  incidentsByFingerprint,
  runReplay,
  startStormcell,
  type ApiIncident,
  type StormcellServer,
} from '../support/stormcell-process.js';

/** An alert that stays firing for the whole test on both clocks (the server's wall clock and replay's). */
function probeAlert(run: string, i: number): { labels: Record<string, string>; startsAt: string; endsAt: string } {
  const now = Date.now();
  return {
    labels: {
      alertname: i % 2 === 0 ? 'DurabilityProbe' : 'DurabilityProbeLatency',
      run,
      // Alerts bound to no topology entity group by cluster and namespace (the default): twelve groups.
      cluster: `eu-${i % 3}`,
      namespace: `ns-${i % 4}`,
      service: `svc-${i % 12}`,
      instance: `host-${i}.eu-1:9100`,
      severity: i % 5 === 0 ? 'critical' : 'warning',
    },
    startsAt: new Date(now - 30_000).toISOString(),
    endsAt: new Date(now + 2 * 3_600_000).toISOString(),
  };
}

/**
 * Sends batches of fresh alerts from `workers` concurrent loops until stopped or out of work, recording the
 * fingerprints of every 2xx. Network errors (the server was killed) count as unacknowledged, never as lost.
 */
class Load {
  readonly acked = new Set<string>();
  readonly statuses: number[] = [];
  networkErrors = 0;
  inFlight = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly batches: Array<Array<ReturnType<typeof probeAlert>>>,
    workers: number,
    private readonly onAck: (load: Load) => void = () => {},
  ) {
    this.done = Promise.all(Array.from({ length: workers }, () => this.work())).then(() => undefined);
  }

  /** Stops starting new requests (those in flight still finish or fail). */
  halt(): void {
    this.stopped = true;
  }

  /** Resolves once every worker has ended. */
  finished(): Promise<void> {
    return this.done;
  }

  private async work(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const batch = this.batches.shift();
      if (batch === undefined) return;
      this.inFlight++;
      try {
        const response = await fetch(`${this.url}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
          signal: AbortSignal.timeout(15_000),
        });
        await response.text();
        this.statuses.push(response.status);
        if (response.status >= 200 && response.status < 300) {
          for (const alert of batch) this.acked.add(referenceFingerprint(alert.labels));
          this.inFlight--;
          this.onAck(this);
          continue;
        }
      } catch {
        this.networkErrors++;
      }
      this.inFlight--;
    }
  }
}

function batchesOf(run: string, from: number, count: number, size: number): Array<Array<ReturnType<typeof probeAlert>>> {
  const batches: Array<Array<ReturnType<typeof probeAlert>>> = [];
  for (let i = from; i < from + count; i += size) {
    batches.push(Array.from({ length: Math.min(size, from + count - i) }, (_, k) => probeAlert(run, i + k)));
  }
  return batches;
}

/**
 * Incidents reduced to what must survive a crash: id, status and the set of alert fingerprints, leaving out the
 * alerts in `without` (and incidents left with none).
 */
function essence(
  incidents: readonly ApiIncident[],
  without: ReadonlySet<string> = new Set(),
): Array<{ id: string; status: string; alerts: string[] }> {
  return incidents
    .map((i) => ({
      id: i.id,
      status: i.status,
      alerts: i.alerts.map((a) => a.fingerprint).filter((fp) => !without.has(fp)).sort(),
    }))
    .filter((i) => i.alerts.length > 0)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Asserts every fingerprint (acknowledged or not) is in exactly one incident and every acknowledged one is there. */
function expectEachAckedExactlyOnce(incidents: readonly ApiIncident[], acked: ReadonlySet<string>): void {
  const byFingerprint = incidentsByFingerprint(incidents);
  const lost = [...acked].filter((fp) => !byFingerprint.has(fp));
  expect(lost, `${lost.length} of ${acked.size} acknowledged alerts lost`).toEqual([]);
  const duplicated = [...byFingerprint].filter(([, ids]) => ids.length !== 1);
  expect(duplicated, 'alerts in more than one incident').toEqual([]);
}

function expectNoServerErrors(load: Load): void {
  const bad = load.statuses.filter((s) => s < 200 || s >= 300);
  expect(bad, 'HTTP statuses other than 2xx (valid alerts)').toEqual([]);
}

/** The fingerprints of every alert in a capture file (CONTRACT §2); throws on a line that is not JSON. */
async function capturedFingerprints(capture: string): Promise<Set<string>> {
  const text = await readFile(capture, 'utf8');
  const fingerprints = new Set<string>();
  text
    .split('\n')
    .filter((line) => line !== '')
    .forEach((line, n) => {
      let record: { path?: unknown; body?: unknown };
      try {
        record = JSON.parse(line) as { path?: unknown; body?: unknown };
      } catch (err) {
        throw new Error(`capture line ${n + 1} is not JSON (${String(err)}): ${line.slice(0, 200)}`);
      }
      if (record.path !== '/api/v2/alerts' || !Array.isArray(record.body)) return;
      for (const alert of record.body as Array<{ labels: Record<string, string> }>) {
        fingerprints.add(referenceFingerprint(alert.labels));
      }
    });
  return fingerprints;
}

describe('durability: kill -9 and restart', () => {
  const track = useCleanup();

  it('keeps every acknowledged alert across kill -9 mid-flight and recovers what a replay of the capture gives', async () => {
    const captureDir = track(tempDirCleanup(await makeTempDir('capture'))).dir;
    const capture = join(captureDir, 'traffic.ndjson');
    const stormcell: StormcellServer = track(await startStormcell({ recordFile: capture }));
    const run = `durability-${process.pid}-${Date.now()}`;
    const acked = new Set<string>();
    const ack = (batch: ReadonlyArray<ReturnType<typeof probeAlert>>): void => {
      for (const alert of batch) acked.add(referenceFingerprint(alert.labels));
    };

    // Alerts 0-99: ten requests of ten, one after the other.
    for (const batch of batchesOf(run, 0, 100, 10)) {
      const { status, text } = await stormcell.post('/api/v2/alerts', batch);
      expect(status, text).toBeGreaterThanOrEqual(200);
      expect(status, text).toBeLessThan(300);
      ack(batch);
    }
    // Six alerts of a group of their own, fired and then resolved: incidents of both statuses must survive.
    const retired = Array.from({ length: 6 }, (_, k) => {
      const alert = probeAlert(run, 1_000 + k);
      return { ...alert, labels: { ...alert.labels, cluster: 'eu-retired', namespace: 'retired' } };
    });
    for (const body of [retired, retired.map((a) => ({ ...a, endsAt: new Date(Date.now() - 1_000).toISOString() }))]) {
      const { status, text } = await stormcell.post('/api/v2/alerts', body);
      expect(status, text).toBeGreaterThanOrEqual(200);
      expect(status, text).toBeLessThan(300);
      ack(body);
    }

    // Alerts 100-199: ten requests of ten, all at once.
    const concurrentBatches = batchesOf(run, 100, 100, 10);
    const responses = await Promise.all(concurrentBatches.map((b) => stormcell.post('/api/v2/alerts', b)));
    responses.forEach((r, i) => {
      expect(r.status, r.text).toBeGreaterThanOrEqual(200);
      expect(r.status, r.text).toBeLessThan(300);
      ack(concurrentBatches[i] ?? []);
    });

    // Alerts 200-299: eight looping clients; kill -9 after 25 of them are acknowledged, the others mid-request.
    let inFlightAtKill = -1;
    let killed: Promise<void> | undefined;
    const load = new Load(stormcell.url, batchesOf(run, 200, 100, 5), 8, (l) => {
      if (killed !== undefined || l.acked.size < 25) return;
      inFlightAtKill = l.inFlight;
      l.halt();
      killed = stormcell.kill('SIGKILL');
    });
    await load.finished();
    expect(killed, 'the server was killed while the load ran').toBeDefined();
    await killed;
    expectNoServerErrors(load);
    expect(inFlightAtKill, 'requests in flight when the server was killed').toBeGreaterThanOrEqual(1);
    for (const fp of load.acked) acked.add(fp);

    await stormcell.restart();
    // Ready means recovered (CONTRACT §8 /readyz): no polling for the incidents to appear.
    const recovered = await stormcell.incidents();
    expectEachAckedExactlyOnce(recovered, acked);
    expect(new Set(recovered.map((i) => i.status)), 'statuses among the recovered incidents').toEqual(
      new Set(['open', 'resolved']),
    );

    // The capture holds everything acknowledged, and replaying it gives the recovered incidents.
    const captured = await capturedFingerprints(capture);
    const notCaptured = [...acked].filter((fp) => !captured.has(fp));
    expect(notCaptured, 'acknowledged alerts missing from the --record capture').toEqual([]);
    const replayed = await runReplay(capture, stormcell.configDir, join(captureDir, 'replay.json'));
    expectEachAckedExactlyOnce(replayed.incidents, acked);

    // The log may end with requests that became durable but were never answered (the kill landed between fsync and
    // the response, before the recorder saw them): they are in the recovered state and not in the capture. They
    // are the last entries, so they can only add alerts; anything else must be exactly as the replay has it.
    const replayedFingerprints = new Set(incidentsByFingerprint(replayed.incidents).keys());
    const unrecorded = [...incidentsByFingerprint(recovered).keys()].filter((fp) => !replayedFingerprints.has(fp));
    expect(
      unrecorded.filter((fp) => acked.has(fp)),
      'acknowledged alerts in the recovered state that a replay of the capture lacks',
    ).toEqual([]);
    expect(essence(recovered, new Set(unrecorded))).toEqual(essence(replayed.incidents));
  });

  it('never loses an acknowledged alert over three kill -9 cycles under continuous load', async () => {
    const stormcell = track(await startStormcell());
    const run = `durability-cycles-${process.pid}-${Date.now()}`;
    const acked = new Set<string>();
    let previous: ApiIncident[] = [];
    let next = 0;
    for (let cycle = 1; cycle <= 3; cycle++) {
      // More work than the cycle can finish: the kill always lands while the clients are busy.
      const batches = batchesOf(run, next, 2_000, 4);
      next += 2_000;
      let killed: Promise<void> | undefined;
      let inFlightAtKill = -1;
      const load = new Load(stormcell.url, batches, 4, (l) => {
        if (killed !== undefined || l.acked.size < 60) return;
        inFlightAtKill = l.inFlight;
        l.halt();
        killed = stormcell.kill('SIGKILL');
      });
      await load.finished();
      expect(killed, `cycle ${cycle}: the server was killed while the load ran`).toBeDefined();
      await killed;
      expectNoServerErrors(load);
      expect(inFlightAtKill, `cycle ${cycle}: requests in flight at the kill`).toBeGreaterThanOrEqual(1);
      for (const fp of load.acked) acked.add(fp);

      await stormcell.restart();
      const recovered = await stormcell.incidents();
      expectEachAckedExactlyOnce(recovered, acked);
      // What the last recovery showed is still there, under the same ids: new alerts may only have joined.
      const now = new Map(recovered.map((i) => [i.id, new Set(i.alerts.map((a) => a.fingerprint))]));
      const changed = previous.filter((i) => {
        const alerts = now.get(i.id);
        return alerts === undefined || i.alerts.some((a) => !alerts.has(a.fingerprint));
      });
      expect(changed.map((i) => i.id), `cycle ${cycle}: incidents lost or shrunk since the previous recovery`).toEqual([]);
      previous = recovered;
    }
    expect(acked.size).toBeGreaterThanOrEqual(180);
  });
});

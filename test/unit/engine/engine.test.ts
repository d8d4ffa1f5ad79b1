import { describe, expect, it } from 'vitest';
import { Engine, DEFAULT_ENGINE_OPTIONS, type EngineState } from '../../../src/engine/index.js';
import type { Topology } from '../../../src/model/index.js';
import { alert, at, deploy, engineWith, groups, push, ticket } from '../../support/engine-dsl.js';

const TOPOLOGY: Topology = {
  entities: [
    { id: 'svc/frontend', kind: 'service', labels: { service: 'frontend' } },
    { id: 'svc/checkout', kind: 'service', labels: { service: 'checkout' } },
    { id: 'db/orders', kind: 'datastore', labels: { service: 'orders-db' } },
    { id: 'svc/search', kind: 'service', labels: { service: 'search' } },
    { id: 'node/n1', kind: 'node', labels: { node: 'n1' } },
    { id: 'svc/checkout-eu', kind: 'service', labels: { service: 'checkout', cluster: 'eu-1' } },
  ],
  relations: [
    { from: 'svc/frontend', to: 'svc/checkout', type: 'calls' },
    { from: 'svc/checkout', to: 'db/orders', type: 'uses' },
    { from: 'svc/checkout', to: 'node/n1', type: 'runs_on' },
  ],
};

describe('Engine correlation (spine)', () => {
  it('groups alerts on the same or directly related entities, and names the most upstream as root cause', () => {
    const e = engineWith({}, TOPOLOGY);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'PostgresTooManyConnections', service: 'orders-db', severity: 'warning' }),
      alert(at('10:00:30'), { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }),
      alert(at('10:01:00'), { alertname: 'HighLatency', service: 'frontend', severity: 'warning' }),
      alert(at('10:01:10'), { alertname: 'HighLatency', service: 'search', severity: 'warning' }),
    );
    expect(groups(e)).toEqual([['PostgresTooManyConnections', 'HighErrorRate', 'HighLatency'], ['HighLatency']]);
    const [inc] = e.incidentDocs();
    expect(inc!.severity).toBe('sev1');
    expect(inc!.rootCause).toEqual({ entity: 'db/orders', score: 1 });
    expect(inc!.title).toBe('HighErrorRate on svc/checkout (+2 more)');
    const timeline = e.incidentWithTimeline(inc!.id)!.timeline;
    expect(timeline.find((t) => t.fingerprint === inc!.alerts[1]!.fingerprint)).toMatchObject({
      type: 'alert-attached',
      reason: 'svc/checkout uses failing db/orders',
      score: 0.9,
    });
  });

  it('binds to the entity with the most labels matched', () => {
    const e = engineWith({}, TOPOLOGY);
    push(e, alert(at('10:00:00'), { alertname: 'A', service: 'checkout', cluster: 'eu-1' }));
    push(e, alert(at('10:00:00'), { alertname: 'B', service: 'checkout', cluster: 'us-1' }));
    expect(e.incidentDocs().map((i) => i.rootCause?.entity)).toEqual(['svc/checkout-eu', 'svc/checkout']);
  });

  it('without topology, falls back to cluster and namespace within the window', () => {
    const e = engineWith();
    push(
      e,
      alert(at('10:00:00'), { alertname: 'A', cluster: 'eu-1', namespace: 'shop' }),
      alert(at('10:04:00'), { alertname: 'B', cluster: 'eu-1', namespace: 'shop' }),
      alert(at('10:05:00'), { alertname: 'C', cluster: 'eu-1', namespace: 'pay' }),
      alert(at('10:30:00'), { alertname: 'D', cluster: 'eu-1', namespace: 'shop' }),
    );
    expect(groups(e)).toEqual([['A', 'B'], ['C'], ['D']]);
  });

  it('resolves an incident when its last alert resolves, and reopens it when an alert fires again', () => {
    const e = engineWith({}, TOPOLOGY);
    push(e, alert(at('10:00:00'), { alertname: 'A', service: 'checkout' }, { endsAt: at('10:04:00') }));
    push(e, alert(at('10:01:00'), { alertname: 'B', service: 'checkout' }, { endsAt: at('10:02:00') }));
    e.advance(at('10:03:00'));
    expect(e.incidentDocs()[0]!.status).toBe('open');
    e.advance(at('10:04:00'));
    expect(e.incidentDocs()[0]).toMatchObject({ status: 'resolved', resolvedAt: '2026-03-01T10:04:00.000Z' });
    push(e, alert(at('10:20:00'), { alertname: 'B', service: 'checkout' }, { endsAt: at('10:25:00') }));
    expect(e.incidentDocs()).toHaveLength(1);
    expect(e.incidentDocs()[0]).toMatchObject({ status: 'open', resolvedAt: null });
    const types = e.incidentWithTimeline(e.incidentDocs()[0]!.id)!.timeline.map((t) => t.type);
    expect(types).toEqual(['opened', 'alert-attached', 'alert-attached', 'alert-resolved', 'alert-resolved', 'resolved', 'reopened', 'alert-firing']);
  });

  it('an alert that arrives already resolved still lands in exactly one incident', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), { alertname: 'Gone' }, { startsAt: at('09:50:00'), endsAt: at('09:55:00') }));
    expect(e.incidentDocs()).toMatchObject([{ status: 'resolved', openedAt: '2026-03-01T09:55:00.000Z' }]);
    expect(e.stats()).toMatchObject({ alerts: 1, incidents: 1 });
  });

  it('maps alert severities to sev1–sev4 and keeps the worst', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), { alertname: 'A', namespace: 'x', severity: 'info' }));
    expect(e.incidentDocs()[0]!.severity).toBe('sev4');
    push(e, alert(at('10:00:10'), { alertname: 'B', namespace: 'x', severity: 'warning' }));
    push(e, alert(at('10:00:20'), { alertname: 'C', namespace: 'x', severity: 'info' }));
    expect(e.incidentDocs()[0]!.severity).toBe('sev3');
    push(e, alert(at('10:00:30'), { alertname: 'D', namespace: 'x' }));
    expect(e.incidentDocs()[0]!.severity).toBe(DEFAULT_ENGINE_OPTIONS.severity.default);
  });

  it('suspects a recent deploy of an involved service, not a rollback nor an uninvolved one', () => {
    const e = engineWith({}, TOPOLOGY);
    push(
      e,
      deploy(at('09:50:00'), 'checkout', 'v42'),
      deploy(at('09:55:00'), 'search', 'v7'),
      deploy(at('09:56:00'), 'checkout', 'v41', 'rolled_back'),
      deploy(at('08:00:00'), 'checkout', 'v40'),
      alert(at('10:00:00'), { alertname: 'HighErrorRate', service: 'checkout' }),
      alert(at('10:00:20'), { alertname: 'HighLatency', service: 'checkout' }),
    );
    expect(e.incidentDocs()[0]!.suspectedDeploys).toEqual([]); // two alerts could be noise
    push(e, alert(at('10:00:40'), { alertname: 'PostgresTooManyConnections', service: 'orders-db' }));
    const [inc] = e.incidentDocs();
    expect(inc!.suspectedDeploys.map((d) => d.version)).toEqual(['v42']);
    expect(inc!.suspectedDeploys[0]!.score).toBeGreaterThan(0.5);
  });

  it('names no deploy for a single alert that follows it: background noise looks like that too', () => {
    const e = engineWith({}, TOPOLOGY);
    push(e, deploy(at('09:58:00'), 'checkout', 'v42'), alert(at('10:00:00'), { alertname: 'HighErrorRate', service: 'checkout' }));
    expect(e.incidentDocs()[0]!.suspectedDeploys).toEqual([]);
  });

  it('links tickets that name a service of the incident, also when filed before the first alert', () => {
    const e = engineWith({}, TOPOLOGY);
    push(
      e,
      ticket(at('09:58:00'), 'SUP-1', 'Cannot pay for my order', ['checkout']),
      ticket(at('09:59:00'), 'SUP-2', 'Password reset mail missing'),
      alert(at('10:00:00'), { alertname: 'HighErrorRate', service: 'checkout' }),
      ticket(at('10:02:00'), 'SUP-3', 'checkout page shows error 500'),
    );
    expect(e.incidentDocs()[0]!.tickets).toEqual(['SUP-1', 'SUP-3']);
  });

  it('gives the same incidents after a snapshot round trip as without one', () => {
    const events = [
      alert(at('10:00:00'), { alertname: 'A', service: 'checkout' }),
      alert(at('10:00:30'), { alertname: 'B', service: 'orders-db' }, { endsAt: at('10:03:00') }),
      deploy(at('10:01:00'), 'frontend', 'v2'),
      alert(at('10:02:00'), { alertname: 'C', service: 'frontend' }),
      alert(at('10:04:00'), { alertname: 'A', service: 'checkout' }, { startsAt: at('10:00:00') }),
      alert(at('10:20:00'), { alertname: 'D', namespace: 'x' }),
      ticket(at('10:21:00'), 'T-1', 'frontend slow', ['frontend']),
    ];
    const whole = engineWith({}, TOPOLOGY);
    push(whole, ...events);
    whole.advance(at('11:00:00'));
    for (let cut = 0; cut <= events.length; cut++) {
      const first = engineWith({}, TOPOLOGY);
      push(first, ...events.slice(0, cut));
      const state = JSON.parse(JSON.stringify(first.state())) as EngineState;
      const second = Engine.restore({ ...DEFAULT_ENGINE_OPTIONS, topology: TOPOLOGY }, state);
      push(second, ...events.slice(cut));
      second.advance(at('11:00:00'));
      expect(JSON.stringify(second.incidentDocs())).toBe(JSON.stringify(whole.incidentDocs()));
      expect(second.stats()).toEqual(whole.stats());
    }
  });

  it('forgets incidents resolved longer than the retention ago, keeping open ones', () => {
    const e = engineWith({ retentionMs: 3_600_000 });
    push(e, alert(at('10:00:00'), { alertname: 'Old', namespace: 'a' }, { endsAt: at('10:01:00') }));
    push(e, alert(at('10:00:00'), { alertname: 'Long', namespace: 'b' }, { source: 'webhook' }));
    e.advance(at('11:00:59'));
    expect(groups(e)).toEqual([['Old'], ['Long']]);
    e.advance(at('11:02:00'));
    expect(groups(e)).toEqual([['Long']]);
    push(e, alert(at('11:03:00'), { alertname: 'Old', namespace: 'a' }));
    expect(groups(e)).toEqual([['Long'], ['Old']]);
    expect(e.stats().alerts).toBe(3); // the same fingerprint, seen again after it was forgotten
  });

  it('keeps an incident resolved by hand while its alerts fire, and forgets it on the retention grid once they ended', () => {
    const e = engineWith({ retentionMs: 3_600_000 });
    push(e, alert(at('10:00:00'), { alertname: 'Stale', namespace: 'a' }, { source: 'webhook' }));
    const id = (e.incidentDocs()[0] as { id: string }).id;
    e.apply([{ kind: 'ack', at: at('10:05:00'), incident: id, by: 'sre', resolve: true }], at('10:05:00'));
    e.advance(at('12:00:00'));
    expect(groups(e)).toEqual([['Stale']]); // still firing: a send of it still belongs here
    push(e, alert(at('12:10:00'), { alertname: 'Stale', namespace: 'a' }, { source: 'webhook', endsAt: at('12:10:00') }));
    e.advance(at('13:10:30'));
    expect(groups(e)).toEqual([['Stale']]); // ended 12:10; the 13:10 grid point is not yet an hour past it
    e.advance(at('13:11:00'));
    expect(groups(e)).toEqual([]);
  });

  it('extends a firing alert\'s end without a send or a tick, and nothing else', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), { alertname: 'A' }, { endsAt: at('10:04:00') }));
    const fp = e.incidentDocs()[0]?.alerts[0]?.fingerprint as string;
    expect(e.extendAlert(fp, at('10:09:00'))).toBe(true);
    expect(e.now()).toBe(at('10:00:00'));
    expect(e.extendAlert(fp, at('10:05:00'))).toBe(false); // no earlier
    expect(e.extendAlert('nope', at('10:20:00'))).toBe(false);
    e.advance(at('10:08:59'));
    expect(e.incidentDocs()[0]?.status).toBe('open');
    e.advance(at('10:09:00'));
    expect(e.incidentDocs()[0]?.resolvedAt).toBe('2026-03-01T10:09:00.000Z');
    expect(e.extendAlert(fp, at('10:30:00'))).toBe(false); // resolved
  });

  it('never moves its clock backwards: a late-stamped event is applied at the clock', () => {
    const e = engineWith();
    push(e, alert(at('10:10:00'), { alertname: 'A' }));
    e.apply([alert(at('10:00:00'), { alertname: 'B' })], at('10:00:00'));
    expect(e.now()).toBe(at('10:10:00'));
  });
});

describe('Engine with hostile label values', () => {
  it('a severity value naming an Object.prototype property maps to the default', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), { alertname: 'A', severity: 'constructor' }));
    push(e, alert(at('10:00:00'), { alertname: 'B', severity: 'toString' }));
    expect(e.incidentDocs().map((i) => i.severity)).toEqual([DEFAULT_ENGINE_OPTIONS.severity.default]);
  });
});

describe('Engine correlation (pipeline)', () => {
  const T: Topology = {
    entities: [
      { id: 'svc/web', kind: 'service', labels: { service: 'web', cluster: 'eu-1' } },
      { id: 'svc/api', kind: 'service', labels: { service: 'api', cluster: 'eu-1' } },
      { id: 'db/main', kind: 'datastore', labels: { service: 'main-db', cluster: 'eu-1' } },
      { id: 'svc/batch', kind: 'service', labels: { service: 'batch', cluster: 'eu-1' } },
    ],
    relations: [
      { from: 'svc/web', to: 'svc/api', type: 'calls' },
      { from: 'svc/api', to: 'db/main', type: 'uses' },
      { from: 'svc/batch', to: 'db/main', type: 'uses' },
    ],
  };
  const d = (ts: number, service: string, version: string, cluster: string, status: 'succeeded' | 'rolled_back' = 'succeeded') =>
    ({ ...deploy(ts, service, version, status), cluster });

  it('suspects a deploy of a service whose callers are in trouble, even when it fires nothing itself', () => {
    const e = engineWith({}, T);
    push(
      e,
      d(at('10:00:00'), 'api', 'v7', 'eu-1'),
      alert(at('10:03:00'), { alertname: 'HighErrorRate', service: 'web', cluster: 'eu-1' }),
      alert(at('10:03:10'), { alertname: 'HighLatency', service: 'web', cluster: 'eu-1' }),
      alert(at('10:03:20'), { alertname: 'Http5xx', service: 'web', cluster: 'eu-1' }),
    );
    expect(e.incidentDocs()[0]!.suspectedDeploys).toMatchObject([{ service: 'api', version: 'v7' }]);
    expect(e.incidentDocs()[0]!.suspectedDeploys[0]!.reason).toMatch(/which svc\/web calls/);
  });

  it('does not suspect a deploy in another cluster', () => {
    const e = engineWith({}, T);
    const trouble = ['HighErrorRate', 'HighLatency', 'Http5xx'].map((n, i) => alert(at('10:03:00') + i * 10_000, { alertname: n, service: 'web', cluster: 'eu-1' }));
    push(e, d(at('10:00:00'), 'web', 'v2', 'us-1'), ...trouble);
    expect(e.incidentDocs()[0]!.suspectedDeploys).toEqual([]);
    push(e, d(at('10:01:00'), 'web', 'v3', 'eu-1'));
    expect(e.incidentDocs()[0]!.suspectedDeploys.map((s) => s.version)).toEqual(['v3']);
  });

  it('a rollback of the suspected version confirms it', () => {
    const e = engineWith({}, T);
    push(
      e,
      d(at('10:00:00'), 'web', 'v2', 'eu-1'),
      alert(at('10:03:00'), { alertname: 'HighErrorRate', service: 'web', cluster: 'eu-1' }, { source: 'webhook' }),
      alert(at('10:03:10'), { alertname: 'HighLatency', service: 'web', cluster: 'eu-1' }, { source: 'webhook' }),
      alert(at('10:03:20'), { alertname: 'Http5xx', service: 'web', cluster: 'eu-1' }, { source: 'webhook' }),
    );
    const before = e.incidentDocs()[0]!.suspectedDeploys[0]!.score;
    push(e, d(at('10:10:00'), 'web', 'v2', 'eu-1', 'rolled_back'));
    const after = e.incidentDocs()[0]!.suspectedDeploys[0]!;
    expect(after.score).toBeGreaterThan(before);
    expect(after.reason).toMatch(/rolled back 10m after it/);
  });

  it('merges two incidents when a later alert bridges them', () => {
    const e = engineWith({}, T);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'HighLatency', service: 'web', cluster: 'eu-1' }),
      alert(at('10:00:30'), { alertname: 'PostgresTooManyConnections', service: 'main-db', cluster: 'eu-1' }),
    );
    expect(e.incidentDocs()).toHaveLength(2);
    push(e, alert(at('10:01:00'), { alertname: 'HighErrorRate', service: 'api', cluster: 'eu-1' }));
    const docs = e.incidentDocs();
    expect(docs).toHaveLength(1);
    expect(docs[0]!.alerts.map((a) => a.labels['alertname'])).toEqual(['HighLatency', 'PostgresTooManyConnections', 'HighErrorRate']);
    expect(docs[0]!.rootCause).toEqual({ entity: 'db/main', score: 1 });
    const merged = e.incidentWithTimeline(docs[0]!.id)!.timeline.find((t) => t.type === 'merged');
    expect(merged?.reason).toMatch(/HighErrorRate bridges them/);
  });

  it('a failing caller already explained by one failing dependency does not pull in another of its dependencies', () => {
    const T2: Topology = {
      entities: ['web', 'api', 'search'].map((n) => ({ id: `svc/${n}`, kind: 'service', labels: { service: n } })),
      relations: [
        { from: 'svc/web', to: 'svc/api', type: 'calls' },
        { from: 'svc/web', to: 'svc/search', type: 'calls' },
      ],
    };
    const e = engineWith({}, T2);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'HighErrorRate', service: 'api', severity: 'critical' }),
      alert(at('10:01:00'), { alertname: 'HighLatency', service: 'web', severity: 'warning' }),
      alert(at('10:02:00'), { alertname: 'HighErrorRate', service: 'search', severity: 'critical' }),
    );
    expect(groups(e)).toEqual([['HighErrorRate', 'HighLatency'], ['HighErrorRate']]);
  });

  it('a long-lived alert does not pull a later fault on a related entity into its incident', () => {
    const e = engineWith({}, T);
    push(e, alert(at('08:00:00'), { alertname: 'DiskAlmostFull', service: 'main-db', cluster: 'eu-1' }, { source: 'webhook' }));
    push(e, alert(at('10:00:00'), { alertname: 'HighErrorRate', service: 'batch', cluster: 'eu-1' }, { source: 'webhook' }));
    expect(groups(e)).toEqual([['DiskAlmostFull'], ['HighErrorRate']]);
  });
});

describe('Engine text correlation', () => {
  const T: Topology = {
    entities: ['shop', 'search', 'auth', 'billing'].map((s) => ({ id: `svc/${s}`, kind: 'service', labels: { service: s, cluster: 'eu-1' } })),
    relations: [],
  };
  const cert = (ts: number, service: string, cluster = 'eu-1') =>
    alert(ts, { alertname: 'CertificateExpiringSoon', service, cluster, severity: 'warning' }, {
      annotations: { summary: `Certificate of ${service}.example.com issued by Example Issuing CA G2 expires in 2 days`, description: 'cert-manager has not renewed the certificate issued by Example Issuing CA G2' },
    });

  it('groups alerts of unrelated services whose texts say the same thing, within one cluster', () => {
    const e = engineWith({}, T);
    push(e, cert(at('10:00:00'), 'shop'), cert(at('10:02:00'), 'search'), cert(at('10:03:00'), 'auth'));
    push(e, alert(at('10:04:00'), { alertname: 'HighErrorRate', service: 'billing', cluster: 'eu-1' }, { annotations: { summary: 'billing 5xx above 5%' } }));
    push(e, cert(at('10:05:00'), 'billing', 'us-1'));
    expect(groups(e)).toEqual([['CertificateExpiringSoon', 'CertificateExpiringSoon', 'CertificateExpiringSoon'], ['HighErrorRate'], ['CertificateExpiringSoon']]);
    const t = e.incidentWithTimeline(e.incidentDocs()[0]!.id)!.timeline.filter((x) => x.type === 'alert-attached');
    expect(t[1]!.reason).toMatch(/^text like its alerts \(cosine 0\.\d\d\)$/);
  });
});

describe('acknowledgements', () => {
  it('records who acknowledged an open incident, on the document and the timeline, until it reopens', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), { alertname: 'A', cluster: 'eu-1', namespace: 'shop' }, { endsAt: at('10:20:00') }));
    const id = e.incidentDocs()[0]!.id;
    e.apply([{ kind: 'ack', at: at('10:05:00'), incident: id, by: 'sre@example.com', comment: 'looking' }], at('10:05:00'));
    expect(e.incidentDoc(id)!.acknowledged).toEqual({ by: 'sre@example.com', at: '2026-03-01T10:05:00.000Z' });
    expect(e.incidentWithTimeline(id)!.timeline.at(-1)).toMatchObject({ type: 'acknowledged', message: 'acknowledged by sre@example.com: looking' });
    e.apply([{ kind: 'ack', at: at('10:06:00'), incident: 'inc-nope', by: 'x' }], at('10:06:00')); // unknown: ignored
    push(e, alert(at('10:30:00'), { alertname: 'A', cluster: 'eu-1', namespace: 'shop' }, { endsAt: at('11:00:00') })); // fires again
    expect(e.incidentDoc(id)!.status).toBe('open');
    expect(e.incidentDoc(id)!.acknowledged).toBeUndefined();
  });
});

describe('resolutions by hand', () => {
  const labels = (name: string) => ({ alertname: name, cluster: 'eu-1', namespace: 'shop' });

  it('resolves an open incident now, with who on the document and the timeline, and stays resolved as its alerts end', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), labels('A'), { endsAt: at('10:20:00') }), alert(at('10:00:10'), labels('B'), { endsAt: at('10:40:00') }));
    expect(groups(e)).toEqual([['A', 'B']]);
    const id = e.incidentDocs()[0]!.id;
    const effects = e.apply([{ kind: 'ack', at: at('10:05:00'), incident: id, by: 'sre@example.com', comment: 'false alarm', resolve: true }], at('10:05:00'));
    expect(effects).toEqual([{ kind: 'incident', id, change: 'resolved' }]);
    expect(e.incidentDoc(id)).toMatchObject({ status: 'resolved', resolvedAt: '2026-03-01T10:05:00.000Z', resolvedBy: { by: 'sre@example.com', at: '2026-03-01T10:05:00.000Z' } });
    expect(e.incidentWithTimeline(id)!.timeline.at(-1)).toMatchObject({ type: 'resolved', message: 'resolved by sre@example.com: false alarm' });

    // A second click, and one on an unknown incident, change nothing.
    expect(e.apply([{ kind: 'ack', at: at('10:06:00'), incident: id, by: 'other', resolve: true }], at('10:06:00'))).toEqual([]);
    expect(e.apply([{ kind: 'ack', at: at('10:06:00'), incident: 'inc-nope', by: 'x', resolve: true }], at('10:06:00'))).toEqual([]);

    // Its alerts ending later is on the timeline but neither resolves it again nor moves its resolve time.
    expect(e.advance(at('10:25:00'))).toEqual([{ kind: 'incident', id, change: 'updated' }]);
    expect(e.incidentDoc(id)).toMatchObject({ status: 'resolved', resolvedAt: '2026-03-01T10:05:00.000Z' });
    expect(e.incidentWithTimeline(id)!.timeline.at(-1)).toMatchObject({ type: 'alert-resolved', message: 'A resolved' });
  });

  it('reopens when one of its alerts fires again, forgetting who resolved it', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), labels('A'), { endsAt: at('10:20:00') }));
    const id = e.incidentDocs()[0]!.id;
    e.apply([{ kind: 'ack', at: at('10:05:00'), incident: id, by: 'sre', resolve: true }], at('10:05:00'));
    push(e, alert(at('10:30:00'), labels('A'), { endsAt: at('11:00:00') }));
    expect(e.incidentDoc(id)!.status).toBe('open');
    expect(e.incidentDoc(id)!.resolvedBy).toBeUndefined();
  });

  it('survives a snapshot: the restored engine shows the same resolution', () => {
    const e = engineWith();
    push(e, alert(at('10:00:00'), labels('A'), { endsAt: at('10:20:00') }));
    const id = e.incidentDocs()[0]!.id;
    e.apply([{ kind: 'ack', at: at('10:05:00'), incident: id, by: 'sre', resolve: true }], at('10:05:00'));
    const restored = Engine.restore(DEFAULT_ENGINE_OPTIONS, JSON.parse(JSON.stringify(e.state())) as EngineState);
    expect(restored.incidentWithTimeline(id)).toEqual(e.incidentWithTimeline(id));
  });
});

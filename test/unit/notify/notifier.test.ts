import { describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/actions/index.js';
import type { IncidentDoc, Severity } from '../../../src/model/index.js';
import { Notifier, type IncidentView } from '../../../src/notify/index.js';
import { Inhibitor, parseRoute, parseRoutingConfig, Silencer, type InhibitRule } from '../../../src/route/index.js';

const S = 1000;
const M = 60 * S;
const T0 = Date.parse('2026-03-01T10:00:00Z');

function incident(id: string, over: Partial<IncidentDoc> = {}): IncidentDoc {
  return {
    id, title: `HighErrorRate on svc/${id}`, severity: 'sev2' as Severity, status: 'open', openedAt: '2026-03-01T10:00:00.000Z', resolvedAt: null,
    alerts: [{ fingerprint: `fp-${id}`, labels: { alertname: 'HighErrorRate', service: id, team: 'shop' } }],
    tickets: [], suspectedDeploys: [], rootCause: null, ...over,
  };
}

/** A notifier over a routing tree, with incidents and a sink the test controls. */
function rig(opts: { route?: unknown; inhibit?: InhibitRule[] } = {}) {
  const docs = new Map<string, IncidentDoc>();
  const folds = new Map<string, string>();
  const sent: Notification[] = [];
  const silencer = new Silencer((() => { let n = 0; return () => `s${++n}`; })());
  const view: IncidentView = {
    incident: (id) => docs.get(id),
    openIncidents: () => [...docs.values()].filter((d) => d.status === 'open'),
    openIncidentIds: () => [...docs.values()].filter((d) => d.status === 'open').map((d) => d.id),
    foldTarget: (id) => folds.get(id) ?? null,
  };
  const route = parseRoute(opts.route ?? { receiver: 'oncall', group_wait: '30s', group_interval: '5m', repeat_interval: '4h' });
  const notifier = new Notifier({
    tree: route,
    receivers: new Map([['oncall', [{ type: 'webhook', index: 0 }, { type: 'slack', index: 0 }]], ['db-team', [{ type: 'webhook', index: 0 }]]]),
    inhibitor: new Inhibitor(opts.inhibit ?? []),
    timeIntervals: new Map(),
    silencer,
    incidents: view,
    sink: { enqueue: async (ns) => void sent.push(...ns) },
    externalURL: 'http://stormcell:9097',
  });
  const set = (doc: IncidentDoc, at: number): void => {
    docs.set(doc.id, doc);
    notifier.touch(doc.id, at);
  };
  return { notifier, sent, set, silencer, folds, docs };
}

describe('Notifier', () => {
  it('sends the first firing notification after group_wait, to every integration, once', async () => {
    const r = rig();
    r.set(incident('checkout'), T0);
    expect(await r.notifier.tick(T0)).toBe(0);
    expect(await r.notifier.tick(T0 + 29 * S)).toBe(0);
    expect(await r.notifier.tick(T0 + 30 * S)).toBe(2);
    expect(r.sent.map((n) => [n.integration, n.status, n.version, n.idempotencyKey])).toEqual([
      ['webhook/0', 'firing', 1, 'checkout:1:oncall:webhook/0'],
      ['slack/0', 'firing', 1, 'checkout:1:oncall:slack/0'],
    ]);
    r.notifier.touch('checkout', T0 + 31 * S); // an update that changes nothing a receiver sees
    expect(await r.notifier.tick(T0 + 31 * S)).toBe(0);
    expect(r.sent[0]!.commonLabels).toMatchObject({ alertname: 'HighErrorRate', service: 'checkout', severity: 'sev2', status: 'firing', incident: 'checkout' });
  });

  it('holds a change for group_interval, then sends it as the next version', async () => {
    const r = rig();
    r.set(incident('checkout'), T0);
    await r.notifier.tick(T0 + 30 * S);
    r.set(incident('checkout', { severity: 'sev1' }), T0 + M);
    expect(await r.notifier.tick(T0 + M)).toBe(0);
    expect(await r.notifier.tick(T0 + 30 * S + 5 * M)).toBe(2);
    expect(r.sent.slice(2).map((n) => [n.version, n.incident.severity])).toEqual([[2, 'sev1'], [2, 'sev1']]);
  });

  it('tells receivers an incident was acknowledged, as a change (PagerDuty then acknowledges)', async () => {
    const r = rig();
    r.set(incident('checkout'), T0);
    await r.notifier.tick(T0 + 30 * S);
    r.set(incident('checkout', { acknowledged: { by: 'sre', at: '2026-03-01T10:01:00.000Z' } }), T0 + M);
    expect(await r.notifier.tick(T0 + 30 * S + 5 * M)).toBe(2);
    expect(r.sent.slice(2).map((n) => [n.version, n.status, n.incident.acknowledged?.by])).toEqual([[2, 'firing', 'sre'], [2, 'firing', 'sre']]);
  });

  it('sends a resolve at once, not at the next group interval', async () => {
    const r = rig();
    r.set(incident('checkout'), T0);
    await r.notifier.tick(T0 + 30 * S);
    r.set(incident('checkout', { status: 'resolved', resolvedAt: '2026-03-01T10:01:00.000Z' }), T0 + M);
    expect(await r.notifier.tick(T0 + M)).toBe(2);
    expect(r.sent.slice(2).map((n) => n.status)).toEqual(['resolved', 'resolved']);
  });

  it('tells nobody about an incident that resolved before group_wait passed', async () => {
    const r = rig();
    r.set(incident('checkout'), T0);
    r.set(incident('checkout', { status: 'resolved' }), T0 + 10 * S);
    expect(await r.notifier.tick(T0 + M)).toBe(0);
  });

  it('keeps a silenced incident quiet but still resolves the page it sent before the silence', async () => {
    const r = rig();
    r.set(incident('checkout'), T0);
    await r.notifier.tick(T0 + 30 * S);
    r.silencer.add({ matchers: [{ name: 'service', value: 'checkout', isRegex: false }], endsAt: T0 + 60 * M, createdBy: 'sre', comment: 'deploying a fix' }, T0 + M);
    r.set(incident('checkout', { severity: 'sev1' }), T0 + 2 * M);
    expect(await r.notifier.tick(T0 + 10 * M)).toBe(0);
    expect(r.notifier.timeline('checkout').map((n) => n.message)).toContain('no notification to oncall: silenced by s1');
    r.set(incident('checkout', { status: 'resolved' }), T0 + 11 * M);
    expect(await r.notifier.tick(T0 + 11 * M)).toBe(2);
    expect(r.sent.slice(2).every((n) => n.status === 'resolved')).toBe(true);
  });

  it('inhibits an incident while a matching source incident is open', async () => {
    // sev1 incidents of a team inhibit sev3 ones of the same team, as routing.yaml would say it.
    const cfg = parseRoutingConfig({
      route: { receiver: 'oncall', group_wait: '30s' },
      receivers: [{ name: 'oncall' }],
      inhibit_rules: [{ source_matchers: ['severity="sev1"'], target_matchers: ['severity="sev3"'], equal: ['team'] }],
    }, 'routing.yaml', () => ({}));
    const r2 = rig({ inhibit: [...cfg.inhibitRules] });
    r2.set(incident('db', { severity: 'sev1' }), T0);
    r2.set(incident('search', { severity: 'sev3' }), T0);
    await r2.notifier.tick(T0 + 30 * S);
    expect(r2.sent.map((n) => n.incident.id)).toEqual(['db', 'db']);
    expect(r2.notifier.timeline('search')[0]?.message).toBe('no notification to oncall: inhibited by inhibit_rules[0]');
  });

  it('folds a symptom incident into the open incident of its cause', async () => {
    const r = rig();
    r.folds.set('checkout', 'orders-db');
    r.set(incident('checkout'), T0);
    expect(await r.notifier.tick(T0 + M)).toBe(0);
    expect(r.notifier.timeline('checkout')[0]?.message).toBe('no notification to oncall: folded into orders-db, the incident of its cause');
    r.folds.delete('checkout');
    r.notifier.touch('checkout', T0 + 2 * M);
    expect(await r.notifier.tick(T0 + 2 * M)).toBe(2); // the cause resolved first: now it pages
  });

  it('resolves the pages of an incident merged into another', async () => {
    const r = rig();
    r.set(incident('cart'), T0);
    await r.notifier.tick(T0 + 30 * S);
    r.docs.delete('cart');
    const resolves = r.notifier.merged('cart', T0 + M);
    expect(resolves.map((n) => [n.integration, n.status, n.version, n.incident.title])).toEqual([
      ['webhook/0', 'resolved', 2, 'HighErrorRate on svc/cart (merged into another incident)'],
      ['slack/0', 'resolved', 2, 'HighErrorRate on svc/cart (merged into another incident)'],
    ]);
  });

  it('after a restart, rebuilt from the outbox, queues no state it queued before and repeats only after repeat_interval', async () => {
    const r = rig();
    r.set(incident('checkout'), T0);
    await r.notifier.tick(T0 + 30 * S);
    const again = rig();
    again.notifier.restore(r.sent.map((n) => ({
      key: n.idempotencyKey, receiver: n.receiver, integration: n.integration, incidentId: n.incident.id, status: n.status,
      version: n.version, enqueuedAt: T0 + 30 * S, state: 'sent' as const, digest: n.digest as string,
    })));
    again.set(incident('checkout'), T0 + M);
    expect(await again.notifier.tick(T0 + M)).toBe(0);
    expect(await again.notifier.tick(T0 + 30 * S + 4 * 60 * M)).toBe(2);
    expect(again.sent.map((n) => n.version)).toEqual([2, 2]);
  });

  it('resolves a page whose incident is gone after a restart (merged while the process was down)', async () => {
    const r = rig();
    r.notifier.restore([
      { key: 'cart:1:oncall:webhook/0', receiver: 'oncall', integration: 'webhook/0', incidentId: 'cart', status: 'firing', version: 1, enqueuedAt: T0, state: 'sent', digest: 'd' },
    ]);
    expect(await r.notifier.tick(T0 + M)).toBe(2);
    expect(r.sent.map((n) => [n.incident.id, n.status, n.version, n.idempotencyKey])).toEqual([
      ['cart', 'resolved', 2, 'cart:2:oncall:webhook/0'],
      ['cart', 'resolved', 2, 'cart:2:oncall:slack/0'],
    ]);
    expect(await r.notifier.tick(T0 + 2 * M)).toBe(0);
  });

  it('routes by severity with continue, once per receiver', async () => {
    const r = rig({
      route: {
        receiver: 'oncall', group_wait: '10s',
        routes: [
          { matchers: ['severity="sev1"'], receiver: 'db-team', continue: true },
          { matchers: ['severity=~"sev1|sev2"'], receiver: 'oncall' },
        ],
      },
    });
    r.set(incident('db', { severity: 'sev1' }), T0);
    await r.notifier.tick(T0 + 10 * S);
    expect(r.sent.map((n) => `${n.receiver} ${n.integration}`)).toEqual(['db-team webhook/0', 'oncall webhook/0', 'oncall slack/0']);
  });
});

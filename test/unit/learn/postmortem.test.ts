import { describe, expect, it } from 'vitest';
import { renderPostmortem, type PostmortemInput } from '../../../src/learn/index.js';
import type { SloDoc } from '../../../src/model/index.js';

const T = (hhmmss: string): string => `2026-03-01T${hhmmss}.000Z`;
const NOW = Date.parse(T('12:00:00'));

function deepFreeze<V>(v: V): V {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** A bad checkout deploy: three alerts, a burn alert of its SLO, a ticket, a page, an acknowledgement and a rollback. */
function resolvedIncident(): PostmortemInput['incident'] {
  return {
    id: 'inc-0123456789ab',
    title: 'HighErrorRate on svc/checkout | 3 alerts',
    severity: 'sev1',
    status: 'resolved',
    openedAt: T('10:00:00'),
    resolvedAt: T('11:05:30'),
    alerts: [
      { fingerprint: '0000000000000001', labels: { alertname: 'HighErrorRate', service: 'checkout', cluster: 'eu-1' } },
      { fingerprint: '0000000000000002', labels: { alertname: 'KubePodCrashLooping', service: 'checkout', cluster: 'eu-1' } },
      { fingerprint: '0000000000000003', labels: { alertname: 'HighLatency', service: 'frontend', cluster: 'eu-1' } },
      { fingerprint: '00000000000000ff', labels: { alertname: 'ErrorBudgetBurn', slo: 'checkout-availability', long: '1h', short: '5m' }, origin: 'slo' },
    ],
    tickets: ['OPS-1401'],
    suspectedDeploys: [
      { service: 'checkout', version: 'v2.4.0', at: T('09:58:00'), score: 0.91, reason: 'checkout v2.4.0 deployed 2m before the first alert on svc/checkout' },
      { service: 'search', version: 'v1.1.0', at: T('09:50:00'), score: 0.2 },
    ],
    rootCause: { entity: 'svc/checkout', score: 0.87 },
    acknowledged: { by: 'alice', at: T('10:07:00') },
    timeline: [
      { at: T('10:00:00'), type: 'opened', message: 'incident opened at 2026-03-01T10:00:00.000Z' },
      { at: T('10:00:00'), type: 'alert-attached', message: 'HighErrorRate opened the incident (bound via service=checkout)', fingerprint: '0000000000000001', reason: 'no open incident near svc/checkout' },
      { at: T('10:00:00'), type: 'deploy-suspected', message: 'checkout v2.4.0 deployed 2m before the first alert on svc/checkout', score: 0.91 },
      { at: T('10:00:30'), type: 'notification-queued', message: 'firing notification for receiver oncall' },
      { at: T('10:00:31'), type: 'notification', message: 'firing notification 1 to oncall pagerduty, attempt 1: sent (dedup-1)' },
      { at: T('10:01:00'), type: 'alert-attached', message: 'KubePodCrashLooping joined (topology, bound via service=checkout)', fingerprint: '0000000000000002', reason: 'same entity svc/checkout', score: 0.9 },
      { at: T('10:02:00'), type: 'alert-attached', message: 'HighLatency joined (topology, bound via service=frontend)', fingerprint: '0000000000000003', reason: 'svc/frontend calls svc/checkout', score: 0.8 },
      { at: T('10:04:00'), type: 'ticket-linked', message: 'ticket OPS-1401: Checkout fails with | error 500', reason: 'mentions checkout', score: 0.7 },
      { at: T('10:05:00'), type: 'slo-burn', message: 'SLO checkout-availability burning 20.1× over 1h and 19.8× over 5m (page above 14.4×); 83.5 % of the error budget left', fingerprint: '00000000000000ff' },
      { at: T('10:07:00'), type: 'acknowledged', message: 'acknowledged by alice: looking at the deploy' },
      { at: T('10:20:00'), type: 'deploy-rolled-back', message: 'checkout v2.4.0 rolled back', score: 0.91 },
      { at: T('10:50:00'), type: 'slo-burn-resolved', message: 'SLO checkout-availability back under 1.2× over 1h and 0.0× over 5m (page above 14.4×); 61.0 % of the error budget left', fingerprint: '00000000000000ff' },
      { at: T('11:05:30'), type: 'resolved', message: 'all alerts resolved' },
    ],
  };
}

const SLOS: SloDoc[] = [
  {
    name: 'checkout-availability',
    objective: 99.9,
    burnRates: { '5m': 0, '1h': 1.2 },
    errorBudgetRemaining: 0.6,
    alerts: [{ severity: 'page', longWindow: '1h', shortWindow: '5m', firedAt: T('10:05:00'), resolvedAt: T('10:50:00') }],
  },
  {
    // Burned yesterday: not this incident's.
    name: 'search-latency',
    objective: 99,
    burnRates: {},
    errorBudgetRemaining: 0.9,
    alerts: [{ severity: 'ticket', longWindow: '1d', shortWindow: '2h', firedAt: '2026-02-28T08:00:00.000Z', resolvedAt: '2026-02-28T09:00:00.000Z' }],
  },
];

function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  expect(start, `section ${title}`).toBeGreaterThan(0);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end === -1 ? undefined : end);
}

describe('renderPostmortem', () => {
  const input = deepFreeze({ incident: resolvedIncident(), slos: SLOS, now: NOW });
  const md = renderPostmortem(input);

  it('has the title and every section, in order', () => {
    expect(md.startsWith('# Postmortem: HighErrorRate on svc/checkout | 3 alerts\n')).toBe(true);
    const titles = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(titles).toEqual(['Summary', 'Impact', 'Detection', 'Mitigation', 'Suspected cause and evidence', 'Timeline', 'Action items']);
    expect(md).toContain('Blameless postmortem draft for incident `inc-0123456789ab`, written 2026-03-01T12:00:00.000Z');
  });

  it('summarizes what, when, how long, severity, status and who acknowledged', () => {
    const s = section(md, 'Summary');
    expect(s).toContain('| What | HighErrorRate on svc/checkout \\| 3 alerts |');
    expect(s).toContain('| Severity | sev1 |');
    expect(s).toContain('| Status | resolved |');
    expect(s).toContain('| Duration | 1h5m30s |');
    expect(s).toContain('| Acknowledged by | alice at 2026-03-01T10:07:00.000Z (7m after opening) |');
  });

  it('counts the impact: duration, alerts, affected services, the SLO budget burned and the tickets', () => {
    const s = section(md, 'Impact');
    expect(s).toContain('**Alerts:** 3 received (3 alertnames: `HighErrorRate`, `HighLatency`, `KubePodCrashLooping`), and 1 SLO burn alert stormcell raised.');
    expect(s).toContain('**service affected** (`service` label of the alerts): `checkout`, `frontend`.');
    // 83.5 % at the burn page, 61.0 % when it resolved: 22.5 points burned; 60 % left now. The other SLO burned yesterday.
    expect(s).toContain('| checkout-availability | 99.9 % | page 1h/5m 2026-03-01T10:05:00.000Z – 2026-03-01T10:50:00.000Z | 83.5 % | 61.0 % | 22.5 pp | 60.0 % |');
    expect(s).not.toContain('search-latency');
    expect(s).toContain('- `OPS-1401`: Checkout fails with | error 500 (linked 2026-03-01T10:04:00.000Z)');
  });

  it('reports detection from the first alert, the opening and the first notification sent', () => {
    const s = section(md, 'Detection');
    expect(s).toContain('**First alert:** HighErrorRate opened the incident (bound via service=checkout) at 2026-03-01T10:00:00.000Z');
    expect(s).toContain('**First notification:** firing notification 1 to oncall pagerduty, attempt 1: sent (dedup-1) at 2026-03-01T10:00:31.000Z (31s after opening).');
  });

  it('reports mitigation: acknowledgement, rollback and resolution with their delays', () => {
    const s = section(md, 'Mitigation');
    expect(s).toContain('**Acknowledged:** acknowledged by alice: looking at the deploy at 2026-03-01T10:07:00.000Z (7m after opening).');
    expect(s).toContain('**Rollback:** checkout v2.4.0 rolled back at 2026-03-01T10:20:00.000Z (20m after opening).');
    expect(s).toContain('**Resolved:** 2026-03-01T11:05:30.000Z (1h5m30s after opening): all alerts resolved.');
  });

  it('names the suspected cause with the deploys best first, scores and reasons', () => {
    const s = section(md, 'Suspected cause and evidence');
    expect(s).toContain('**Root cause:** `svc/checkout` (score 0.87).');
    expect(s).toContain('| checkout | v2.4.0 | 2026-03-01T09:58:00.000Z | 0.91 | checkout v2.4.0 deployed 2m before the first alert on svc/checkout |');
    expect(s).toContain('| search | v1.1.0 | 2026-03-01T09:50:00.000Z | 0.20 | – |');
    expect(s.indexOf('| checkout |')).toBeLessThan(s.indexOf('| search |'));
    expect(s).toContain('10:02:00.000Z: HighLatency joined (topology, bound via service=frontend): svc/frontend calls svc/checkout (score 0.80)');
  });

  it('tabulates every timeline entry with its offset from the opening, pipes escaped', () => {
    const rows = section(md, 'Timeline').split('\n').filter((l) => l.startsWith('| 2026-'));
    expect(rows).toHaveLength(input.incident.timeline.length);
    expect(rows).toContain('| 2026-03-01T10:04:00.000Z | +4m | ticket-linked | ticket OPS-1401: Checkout fails with \\| error 500 |');
    expect(rows[rows.length - 1]).toBe('| 2026-03-01T11:05:30.000Z | +1h5m30s | resolved | all alerts resolved |');
  });

  it('ends with action-item prompts worded as questions, tied to the facts', () => {
    const items = section(md, 'Action items').split('\n').filter((l) => l.startsWith('- [ ] '));
    expect(items.length).toBeGreaterThanOrEqual(5);
    for (const item of items) expect(item.trimEnd()).toMatch(/\?$/);
    const text = items.join('\n');
    expect(text).toContain('rollout of checkout v2.4.0');
    expect(text).toContain('The rollback came 20m after opening');
    expect(text).toContain('SLO checkout-availability burned budget');
    expect(text).toContain('1 ticket(s) were linked');
    expect(text).not.toMatch(/\b(alice|blame|fault of|should have)\b/i);
  });

  it('reads an overspent budget as negative', () => {
    const overspent = resolvedIncident();
    overspent.timeline = overspent.timeline.map((t) => ({ ...t, message: t.message.replace('61.0 %', '-12.5 %') }));
    expect(section(renderPostmortem({ incident: overspent, slos: SLOS, now: NOW }), 'Impact')).toContain('| 83.5 % | -12.5 % | 96.0 pp | 60.0 % |');
  });

  it('is deterministic and leaves its input alone', () => {
    expect(renderPostmortem(input)).toBe(md);
    expect(renderPostmortem(structuredClone(input))).toBe(md);
  });
});

describe('renderPostmortem of an incident still open and never notified', () => {
  const inc = resolvedIncident();
  const open: PostmortemInput['incident'] = {
    ...inc,
    status: 'open',
    resolvedAt: null,
    acknowledged: undefined,
    suspectedDeploys: [],
    rootCause: null,
    tickets: [],
    timeline: inc.timeline.filter((t) => ['opened', 'alert-attached'].includes(t.type)),
  };
  delete open.acknowledged;
  const md = renderPostmortem({ incident: open, slos: [], now: NOW });

  it('measures the duration up to now, and says it is open', () => {
    expect(md).toContain('| Status | open (still open at 2026-03-01T12:00:00.000Z) |');
    expect(md).toContain('| Duration | 2h so far |');
    expect(md).toContain('**Resolved:** not yet.');
    expect(md).toContain('| Acknowledged by | nobody |');
  });

  it('says what is missing instead of inventing it', () => {
    expect(md).toContain('**First notification:** none on the timeline');
    expect(md).toContain('**Root cause:** stormcell named none.');
    expect(md).toContain('**Suspected deploys:** none.');
    expect(md).toContain('**Tickets:** none linked.');
    expect(md).toContain('**SLOs:** no SLO burn alert fired while the incident was open.');
    expect(md).toContain('- [ ] No notification is on the timeline');
    expect(md).toContain('- [ ] Nobody acknowledged the incident in stormcell');
    expect(md).toContain('- [ ] stormcell named no root cause');
  });

  it('throws a RangeError for a time that is not RFC 3339 (the read API never sends one)', () => {
    expect(() => renderPostmortem({ incident: { ...open, openedAt: 'yesterday' }, slos: [], now: NOW })).toThrow(RangeError);
  });
});

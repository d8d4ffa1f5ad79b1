import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/model/index.js';
import { alert, at, engineWith, groups, push } from '../../support/engine-dsl.js';

const SHOP: Topology = {
  entities: [
    { id: 'svc/web', kind: 'service', labels: { service: 'web' } },
    { id: 'svc/api', kind: 'service', labels: { service: 'api' } },
    { id: 'svc/login', kind: 'service', labels: { service: 'login' } },
    { id: 'db/cache', kind: 'datastore', labels: { service: 'cache' } },
  ],
  relations: [
    { from: 'svc/web', to: 'svc/api', type: 'calls' },
    { from: 'svc/web', to: 'svc/login', type: 'calls' },
    { from: 'svc/login', to: 'db/cache', type: 'uses' },
  ],
};

describe('Incident split', () => {
  // Text similarity puts two HighErrorRate alerts of unrelated services together; the cache failing next shows
  // that login's errors are the cache's, not api's.
  it('a second, independent cause takes the symptoms that depend on it alone out of the first incident', () => {
    const e = engineWith({}, SHOP);
    const errors = { summary: 'High HTTP 5xx error rate', description: 'More than 5% of requests fail with HTTP 5xx.' };
    push(
      e,
      alert(at('10:00:00'), { alertname: 'HighErrorRate', service: 'api', severity: 'critical' }, { annotations: errors, endsAt: at('11:00:00') }),
      alert(at('10:00:30'), { alertname: 'HighErrorRate', service: 'login', severity: 'critical' }, { annotations: errors }),
    );
    expect(groups(e)).toEqual([['HighErrorRate', 'HighErrorRate']]);
    push(e, alert(at('10:03:00'), { alertname: 'RedisRejectedConnections', service: 'cache', severity: 'warning' }));
    expect(e.incidentDocs().map((i) => i.alerts.map((a) => `${a.labels['alertname']}/${a.labels['service']}`))).toEqual([
      ['HighErrorRate/api'],
      ['RedisRejectedConnections/cache', 'HighErrorRate/login'],
    ]);
    const [first, second] = e.incidentDocs();
    expect(first!.rootCause?.entity).toBe('svc/api');
    expect(second!.rootCause?.entity).toBe('db/cache');
    const split = e.incidentWithTimeline(first!.id)!.timeline.find((t) => t.type === 'split');
    expect(split).toMatchObject({
      message: `split: 1 alerts on svc/login moved to ${second!.id}`,
      score: 0.9,
      reason: 'svc/login depend on db/cache, which started failing, and not on svc/api, this incident\'s cause',
    });
    expect(e.incidentWithTimeline(second!.id)!.timeline.some((t) => t.type === 'split' && t.message.includes(`from ${first!.id}`))).toBe(true);
    // The moved alert is the new incident's now: its resolve resolves nothing in the first.
    push(e, alert(at('10:10:00'), { alertname: 'RedisRejectedConnections', service: 'cache', severity: 'warning' }, { endsAt: at('10:09:00') }));
    push(e, alert(at('10:10:00'), { alertname: 'HighErrorRate', service: 'login', severity: 'critical' }, { annotations: errors, endsAt: at('10:09:00') }));
    expect(e.incidentDocs().map((i) => i.status)).toEqual(['open', 'resolved']);
  });

  it('a shared caller of two independent faults joins one of them instead of merging them', () => {
    const e = engineWith({}, SHOP);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'ApiErrors', service: 'api', severity: 'critical' }),
      alert(at('10:00:10'), { alertname: 'RedisRejectedConnections', service: 'cache', severity: 'warning' }),
      alert(at('10:00:20'), { alertname: 'LoginErrors', service: 'login', severity: 'warning' }),
      alert(at('10:01:00'), { alertname: 'HighErrorRate', service: 'web', severity: 'critical' }),
    );
    expect(groups(e)).toHaveLength(2);
    expect(e.incidentDocs().map((i) => i.rootCause?.entity)).toEqual(['svc/api', 'db/cache']);
  });

  it('a new cause that the first incident\'s cause depends on joins it instead of splitting it', () => {
    const topology: Topology = { ...SHOP, relations: [...SHOP.relations, { from: 'svc/api', to: 'db/cache', type: 'uses' }] };
    const e = engineWith({}, topology);
    const errors = { summary: 'High HTTP 5xx error rate', description: 'More than 5% of requests fail with HTTP 5xx.' };
    push(
      e,
      alert(at('10:00:00'), { alertname: 'HighErrorRate', service: 'api', severity: 'critical' }, { annotations: errors }),
      alert(at('10:00:30'), { alertname: 'HighErrorRate', service: 'login', severity: 'critical' }, { annotations: errors }),
      alert(at('10:03:00'), { alertname: 'RedisRejectedConnections', service: 'cache', severity: 'warning' }),
    );
    expect(groups(e)).toEqual([['HighErrorRate', 'HighErrorRate', 'RedisRejectedConnections']]);
    expect(e.incidentDocs()[0]!.rootCause?.entity).toBe('db/cache');
    expect(e.incidentWithTimeline(e.incidentDocs()[0]!.id)!.timeline.some((t) => t.type === 'split')).toBe(false);
  });
});

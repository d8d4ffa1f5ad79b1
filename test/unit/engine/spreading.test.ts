import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/model/index.js';
import { alert, at, engineWith, groups, push } from '../../support/engine-dsl.js';

const SHOP: Topology = {
  entities: [
    { id: 'svc/frontend', kind: 'service', labels: { service: 'frontend' } },
    { id: 'svc/search', kind: 'service', labels: { service: 'search' } },
    { id: 'svc/recommendations', kind: 'service', labels: { service: 'recommendations' } },
    { id: 'svc/catalog', kind: 'service', labels: { service: 'catalog' } },
    { id: 'db/catalog-db', kind: 'datastore', labels: { service: 'catalog-db' } },
  ],
  relations: [
    { from: 'svc/frontend', to: 'svc/search', type: 'calls' },
    { from: 'svc/frontend', to: 'svc/recommendations', type: 'calls' },
    { from: 'svc/search', to: 'svc/catalog', type: 'calls' },
    { from: 'svc/recommendations', to: 'svc/catalog', type: 'calls' },
    { from: 'svc/catalog', to: 'db/catalog-db', type: 'uses' },
  ],
};
const LONG = { endsAt: at('12:00:00') };

describe('an incident that keeps spreading', () => {
  it('takes a caller of an entity that started failing long ago but still fires, while new entities keep joining', () => {
    const e = engineWith({}, SHOP);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'HighLatency', service: 'catalog', severity: 'warning' }, LONG),
      alert(at('10:16:00'), { alertname: 'HighLatency', service: 'search', severity: 'warning' }, LONG),
      // catalog started 24 minutes ago (outside the 20m window), still fires; search joined 8 minutes ago.
      alert(at('10:24:00'), { alertname: 'UpstreamTimeouts', service: 'recommendations', severity: 'warning' }, LONG),
      // 41 minutes after the incident opened (past max_age), but recommendations joined 17 minutes ago.
      alert(at('10:41:00'), { alertname: 'FrontendErrors', service: 'frontend', severity: 'warning' }, LONG),
    );
    expect(groups(e)).toEqual([['HighLatency', 'HighLatency', 'UpstreamTimeouts', 'FrontendErrors']]);
  });

  it('does not take a caller of an entity whose alert has resolved, once outside the window', () => {
    const e = engineWith({}, SHOP);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'HighLatency', service: 'catalog', severity: 'warning' }, { endsAt: at('10:20:00') }),
      alert(at('10:16:00'), { alertname: 'HighLatency', service: 'search', severity: 'warning' }, LONG),
      alert(at('10:24:00'), { alertname: 'UpstreamTimeouts', service: 'recommendations', severity: 'warning' }, LONG),
    );
    expect(groups(e)).toEqual([['HighLatency', 'HighLatency'], ['UpstreamTimeouts']]);
  });

  it('stops taking alerts once nothing new has joined for the window and max_age passed', () => {
    const e = engineWith({}, SHOP);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'HighLatency', service: 'catalog', severity: 'warning' }, LONG),
      alert(at('10:05:00'), { alertname: 'HighLatency', service: 'search', severity: 'warning' }, LONG),
      alert(at('10:40:00'), { alertname: 'UpstreamTimeouts', service: 'recommendations', severity: 'warning' }, LONG),
    );
    expect(groups(e)).toEqual([['HighLatency', 'HighLatency'], ['UpstreamTimeouts']]);
  });
});

describe('a node that recovers for a moment and then dies', () => {
  const NODES: Topology = {
    entities: [
      { id: 'node/n5', kind: 'node', labels: { node: 'n5' } },
      { id: 'svc/api', kind: 'service', labels: { service: 'api' } },
    ],
    relations: [],
  };

  it('reopens the node\'s incident when the node is in trouble again within minutes', () => {
    const e = engineWith({}, NODES);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'NodeMemoryHighUtilization', node: 'n5', severity: 'warning' }, { endsAt: at('10:08:00') }),
      alert(at('10:09:30'), { alertname: 'KubeNodeNotReady', node: 'n5', severity: 'critical' }, LONG),
    );
    expect(groups(e)).toEqual([['NodeMemoryHighUtilization', 'KubeNodeNotReady']]);
    const [inc] = e.incidentDocs();
    expect(inc!.status).toBe('open');
    expect(e.incidentWithTimeline(inc!.id)!.timeline.some((t) => t.type === 'reopened' && t.message.startsWith('KubeNodeNotReady on node/n5 fired 1m30s'))).toBe(true);
  });

  it('opens a new incident for a service in trouble again, and for a node after more than ten minutes', () => {
    const e = engineWith({}, NODES);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'ApiErrors', service: 'api', severity: 'critical' }, { endsAt: at('10:08:00') }),
      alert(at('10:00:10'), { alertname: 'NodeMemoryHighUtilization', node: 'n5', severity: 'warning' }, { endsAt: at('10:08:00') }),
      alert(at('10:09:30'), { alertname: 'ApiLatency', service: 'api', severity: 'warning' }, LONG),
      alert(at('10:18:30'), { alertname: 'KubeNodeNotReady', node: 'n5', severity: 'critical' }, LONG),
    );
    expect(groups(e)).toEqual([['ApiErrors'], ['NodeMemoryHighUtilization'], ['ApiLatency'], ['KubeNodeNotReady']]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/model/index.js';
import { alert, at, deploy, engineWith, groups, push } from '../../support/engine-dsl.js';

const T: Topology = {
  entities: [
    { id: 'svc/checkout', kind: 'service', labels: { service: 'checkout' } },
    { id: 'svc/search', kind: 'service', labels: { service: 'search' } },
    { id: 'db/orders', kind: 'datastore', labels: { service: 'orders-db' } },
  ],
  relations: [{ from: 'svc/checkout', to: 'db/orders', type: 'uses' }],
};
const LONG = { endsAt: at('12:00:00') };

describe('foldTarget (topology-driven suppression)', () => {
  it('names the open datastore incident that a separate incident\'s cause depends on', () => {
    const e = engineWith({}, T);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, LONG),
      alert(at('10:00:00'), { alertname: 'SearchSlow', service: 'search', severity: 'warning' }, LONG),
      // 40 minutes on, past max_age: the datastore's own incident.
      alert(at('10:40:00'), { alertname: 'PostgresTooManyConnections', service: 'orders-db', severity: 'critical' }, LONG),
    );
    expect(groups(e)).toEqual([['CheckoutErrors'], ['SearchSlow'], ['PostgresTooManyConnections']]);
    const [checkout, search, db] = e.incidentDocs();
    expect(e.foldTarget(checkout!.id)).toBe(db!.id);
    expect(e.foldTarget(search!.id)).toBeNull(); // search does not depend on orders-db
    expect(e.foldTarget(db!.id)).toBeNull(); // the cause itself pages
  });

  it('folds nothing once the datastore incident resolved', () => {
    const e = engineWith({}, T);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, LONG),
      alert(at('10:40:00'), { alertname: 'PostgresTooManyConnections', service: 'orders-db', severity: 'critical' }, { endsAt: at('10:45:00') }),
      alert(at('10:46:00'), { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, LONG),
    );
    const [checkout] = e.incidentDocs();
    expect(e.foldTarget(checkout!.id)).toBeNull();
  });
});

describe('a service in trouble minutes after its own deploy', () => {
  it('opens its own incident, suspecting the deploy, rather than joining an older incident it relates to', () => {
    const e = engineWith({}, T);
    push(
      e,
      alert(at('10:00:00'), { alertname: 'PostgresTooManyConnections', service: 'orders-db', severity: 'warning' }, LONG),
      deploy(at('10:05:00'), 'checkout', 'v2.8.0'),
      alert(at('10:07:00'), { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, LONG),
      alert(at('10:07:30'), { alertname: 'CheckoutPanics', service: 'checkout', severity: 'critical' }, LONG),
      alert(at('10:08:00'), { alertname: 'CheckoutLatency', service: 'checkout', severity: 'warning' }, LONG),
    );
    expect(groups(e)).toEqual([['PostgresTooManyConnections'], ['CheckoutErrors', 'CheckoutPanics', 'CheckoutLatency']]);
    expect(e.incidentDocs()[1]!.suspectedDeploys[0]).toMatchObject({ service: 'checkout', version: 'v2.8.0' });
  });

  it('joins the older incident when its deploy came before that incident opened', () => {
    const e = engineWith({}, T);
    push(
      e,
      deploy(at('09:58:00'), 'checkout', 'v2.8.0'),
      alert(at('10:00:00'), { alertname: 'PostgresTooManyConnections', service: 'orders-db', severity: 'warning' }, LONG),
      alert(at('10:02:00'), { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' }, LONG),
    );
    expect(groups(e)).toEqual([['PostgresTooManyConnections', 'CheckoutErrors']]);
  });
});

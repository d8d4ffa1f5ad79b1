import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/model/index.js';
import { alert, at, engineWith, groups, push } from '../../support/engine-dsl.js';

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

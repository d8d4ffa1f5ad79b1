import { describe, expect, it } from 'vitest';
import { handleTopology, type Neighbourhood } from '../../../src/api/index.js';
import type { Topology } from '../../../src/model/index.js';

const TOPOLOGY: Topology = {
  entities: [
    { id: 'svc/frontend', kind: 'service', labels: { service: 'frontend' } },
    { id: 'svc/checkout', kind: 'service', labels: { service: 'checkout' } },
    { id: 'db/orders', kind: 'datastore', labels: { service: 'orders-db' } },
    { id: 'node/n1', kind: 'node', labels: { node: 'n1' } },
    { id: 'svc/search', kind: 'service', labels: { service: 'search' } },
  ],
  relations: [
    { from: 'svc/frontend', to: 'svc/checkout', type: 'calls' },
    { from: 'svc/checkout', to: 'db/orders', type: 'uses' },
    { from: 'db/orders', to: 'node/n1', type: 'runs_on' },
    { from: 'svc/frontend', to: 'svc/search', type: 'calls' },
  ],
};

const ask = (query: string, topology = TOPOLOGY) => handleTopology(topology, '/api/v1/topology/neighbourhood', new URLSearchParams(query));
const ids = (n: unknown) => (n as Neighbourhood).entities.map((e) => e.id);

describe('GET /api/v1/topology/neighbourhood', () => {
  it('serves only its own path', () => {
    expect(handleTopology(TOPOLOGY, '/api/v1/topology', new URLSearchParams())).toBeNull();
  });

  it.each([
    ['', 400, 'entity: missing, expected a topology entity id'],
    ['entity=svc/checkout&depth=3', 400, 'depth: expected 1 or 2, got "3"'],
    ['entity=svc/checkout&depth=x', 400, 'depth: expected 1 or 2, got "x"'],
    ['entity=svc/nope', 404, 'entity "svc/nope" is not in the topology'],
  ])('refuses %j with %i', (query, status, error) => {
    expect(ask(query)).toEqual({ status, body: { error } });
  });

  it('follows relations both ways, one step by default, with the relations among what it returns', () => {
    const r = ask('entity=svc/checkout');
    expect(r?.status).toBe(200);
    expect(ids(r?.body)).toEqual(['svc/checkout', 'svc/frontend', 'db/orders']);
    expect((r?.body as Neighbourhood).relations).toEqual([TOPOLOGY.relations[0], TOPOLOGY.relations[1]]);
    expect((r?.body as Neighbourhood).entity.id).toBe('svc/checkout');
  });

  it('goes two steps on request', () => {
    expect(ids(ask('entity=svc/checkout&depth=2')?.body)).toEqual(['svc/checkout', 'svc/frontend', 'db/orders', 'node/n1', 'svc/search']);
  });

  it('keeps the nearest 40 entities of a large neighbourhood and says so', () => {
    const many: Topology = {
      entities: [{ id: 'db/x', kind: 'datastore', labels: {} }, ...Array.from({ length: 60 }, (_, i) => ({ id: `svc/s${i}`, kind: 'service', labels: {} }))],
      relations: Array.from({ length: 60 }, (_, i) => ({ from: `svc/s${i}`, to: 'db/x', type: 'uses' })),
    };
    const n = ask('entity=db/x', many)?.body as Neighbourhood;
    expect(n.entities).toHaveLength(40);
    expect(n.truncated).toBe(true);
    expect(n.relations).toHaveLength(39);
  });
});

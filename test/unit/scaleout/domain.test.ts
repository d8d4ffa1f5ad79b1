import { describe, expect, it } from 'vitest';
import type { Event } from '../../../src/model/index.js';
import { BROADCAST, createDomainRouter, domainPartition, splitByPartition } from '../../../src/scaleout/domain.js';

const topology = {
  entities: [
    { id: 'svc/eu/checkout', kind: 'service', labels: { cluster: 'eu-1', service: 'checkout' } },
    { id: 'svc/us/checkout', kind: 'service', labels: { cluster: 'us-1', service: 'checkout' } },
    { id: 'global/dns', kind: 'service', labels: {} },
  ],
  relations: [],
};
const router = createDomainRouter({
  partitions: 6,
  label: 'cluster',
  topology,
  sloEntities: new Map([['checkout-eu', 'svc/eu/checkout'], ['dns', 'global/dns'], ['free', undefined]]),
});
const alert = (labels: Record<string, string>): Event => ({ kind: 'alert', at: 0, source: 'api', fingerprint: 'f', labels, annotations: {}, startsAt: 0, endsAt: null });
const ticket = (title: string, labels: Record<string, string> = {}): Event => ({ kind: 'ticket', at: 0, source: 'generic', id: 't', title, body: '', createdAt: 0, status: 'open', services: [], labels });

describe('correlation domains', () => {
  it('puts alerts of one cluster on one partition, and a cluster-less alert on the empty domain', () => {
    expect(router.partitionOf(alert({ alertname: 'A', cluster: 'eu-1' }))).toBe(domainPartition('eu-1', 6));
    expect(router.partitionOf(alert({ alertname: 'B', cluster: 'eu-1', pod: 'x' }))).toBe(domainPartition('eu-1', 6));
    expect(router.partitionOf(alert({ alertname: 'A' }))).toBe(domainPartition('', 6));
  });

  it('partitions are stable numbers (FNV-1a 32), whatever the process', () => {
    expect([domainPartition('eu-1', 6), domainPartition('us-1', 6), domainPartition('', 6)]).toEqual([
      Number(BigInt(fnv('eu-1')) % 6n), Number(BigInt(fnv('us-1')) % 6n), Number(BigInt(fnv('')) % 6n),
    ]);
  });

  it('sends a deploy without a cluster, a ticket naming no single cluster, and acknowledgements everywhere', () => {
    expect(router.partitionOf({ kind: 'deploy', at: 0, service: 'checkout', version: '2', deployedAt: 0, status: 'succeeded' })).toBe(BROADCAST);
    expect(router.partitionOf({ kind: 'deploy', at: 0, service: 'checkout', version: '2', deployedAt: 0, status: 'succeeded', cluster: 'us-1' })).toBe(domainPartition('us-1', 6));
    expect(router.partitionOf(ticket('checkout is slow'))).toBe(BROADCAST);
    expect(router.partitionOf(ticket('checkout in eu-1 is slow'))).toBe(domainPartition('eu-1', 6));
    expect(router.partitionOf(ticket('checkout slow in eu-1 and us-1'))).toBe(BROADCAST);
    expect(router.partitionOf(ticket('slow', { cluster: 'us-1' }))).toBe(domainPartition('us-1', 6));
    expect(router.partitionOf({ kind: 'ack', at: 0, incident: 'inc-1', by: 'me' })).toBe(BROADCAST);
  });

  it('puts an SLO with its entity cluster, and others on the empty domain', () => {
    const sli = (slo: string): Event => ({ kind: 'sli', at: 0, slo, sampleAt: 0, good: 1, total: 1 });
    expect(router.partitionOf(sli('checkout-eu'))).toBe(domainPartition('eu-1', 6));
    expect(router.partitionOf(sli('dns'))).toBe(domainPartition('', 6));
    expect(router.partitionOf(sli('free'))).toBe(domainPartition('', 6));
    expect(router.partitionOf(sli('unknown'))).toBe(domainPartition('', 6));
  });

  it('splits a request by partition, copying broadcasts to each, in order', () => {
    const a = alert({ alertname: 'A', cluster: 'eu-1' });
    const t = ticket('help');
    const split = splitByPartition(router, [a, t]);
    expect(split.size).toBe(6);
    expect(split.get(domainPartition('eu-1', 6))).toEqual([a, t]);
    for (const [p, list] of split) if (p !== domainPartition('eu-1', 6)) expect(list).toEqual([t]);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => createDomainRouter({ partitions: 0, label: 'cluster', topology, sloEntities: new Map() })).toThrow(/positive integer/);
  });
});

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (const c of Buffer.from(s, 'utf8')) {
    h ^= c;
    h = Number((BigInt(h) * 0x01000193n) & 0xffffffffn);
  }
  return h;
}

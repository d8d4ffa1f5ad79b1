import { describe, expect, it } from 'vitest';
import { Binder, identities, serviceOfClusterDns, workloadOfPod } from '../../../src/engine/bind.js';
import { TopologyIndex } from '../../../src/engine/topology-index.js';
import type { Topology } from '../../../src/model/index.js';

const TOPOLOGY: Topology = {
  entities: [
    { id: 'cluster/eu-1', kind: 'cluster', labels: { cluster: 'eu-1' } },
    { id: 'svc/eu-1/checkout', kind: 'service', labels: { service: 'checkout', cluster: 'eu-1', namespace: 'shop' } },
    { id: 'svc/us-1/checkout', kind: 'service', labels: { service: 'checkout', cluster: 'us-1', namespace: 'shop' } },
    { id: 'db/eu-1/orders', kind: 'datastore', labels: { service: 'orders-db', cluster: 'eu-1' } },
    { id: 'node/eu-1-n3', kind: 'node', labels: { node: 'eu-1-n3' } },
    { id: 'queue/eu-1/billing', kind: 'queue', labels: { consumergroup: 'billing-workers', cluster: 'eu-1' } },
  ],
  relations: [],
};
const binder = new Binder(new TopologyIndex(TOPOLOGY), TOPOLOGY.entities);

describe('workloadOfPod', () => {
  it.each([
    ['checkout-7d9f8b6c5d-x2x9z', 'checkout'],
    ['payments-api-5c8f7d9b4-bhx2x', 'payments-api'],
    ['orders-db-0', 'orders-db'],
    ['fluentd-x7k2p', 'fluentd'],
    ['standalone', 'standalone'],
  ])('%s belongs to %s', (pod, workload) => {
    expect(workloadOfPod(pod)).toBe(workload);
  });
});

describe('Binder', () => {
  it.each<[string, Record<string, string>, string | null, string]>([
    ['a service alert, by service and cluster', { alertname: 'HighErrorRate', service: 'checkout', cluster: 'us-1', namespace: 'shop' }, 'svc/us-1/checkout', 'labels'],
    [
      'a kube-state-metrics alert, by the pod it is about, not the exporter service',
      { alertname: 'KubePodCrashLooping', cluster: 'eu-1', namespace: 'shop', pod: 'checkout-7d9f8b6c5d-x2x9z', container: 'app', job: 'kube-state-metrics', service: 'kube-state-metrics', instance: '10.2.0.7:8080' },
      'svc/eu-1/checkout',
      'pod=checkout',
    ],
    [
      'a node-exporter alert, by instance = node name, not the exporter pod',
      { alertname: 'NodeFilesystemSpaceFillingUp', cluster: 'eu-1', namespace: 'monitoring', instance: 'eu-1-n3', job: 'node-exporter', pod: 'node-exporter-x7k2p', service: 'node-exporter' },
      'node/eu-1-n3',
      'instance=eu-1-n3',
    ],
    ['a Loki alert, by app', { alertname: 'PanicInLogs', app: 'checkout', cluster: 'eu-1' }, 'svc/eu-1/checkout', 'app=checkout'],
    ['a consumer group', { alertname: 'KafkaConsumerGroupLag', consumergroup: 'billing-workers', cluster: 'eu-1', topic: 'invoices' }, 'queue/eu-1/billing', 'labels'],
    ['a cluster-wide alert, to the cluster', { alertname: 'KubeAPIErrorBudgetBurn', cluster: 'eu-1' }, 'cluster/eu-1', 'labels'],
  ])('binds %s', (_what, labels, entity, via) => {
    const b = binder.bind(labels);
    expect(b).toEqual({ entity, inTopology: true, via, kind: TOPOLOGY.entities.find((e) => e.id === entity)?.kind });
  });

  it('a service-level entity never loses to the cluster entity that also matches', () => {
    expect(binder.bind({ alertname: 'X', service: 'orders-db', cluster: 'eu-1' }).entity).toBe('db/eu-1/orders');
  });

  it('without a matching entity, names the workload or node from labels', () => {
    expect(binder.bind({ alertname: 'KubePodNotReady', cluster: 'ap-1', namespace: 'api', pod: 'api-5c8f7d9b4-bhx2x', job: 'kube-state-metrics' })).toEqual({
      entity: '{cluster="ap-1", namespace="api", workload="api"}',
      inTopology: false,
      via: 'pod=api',
      kind: 'workload',
    });
    expect(binder.bind({ alertname: 'NodeDown', cluster: 'ap-1', instance: 'ap-1-n9:9100', job: 'node-exporter' }).entity).toBe('{cluster="ap-1", node="ap-1-n9"}');
    expect(binder.bind({ alertname: 'Watchdog' })).toEqual({ entity: null, inTopology: false, via: 'none', kind: null });
  });

  it('an exporter scraping a StatefulSet pod by cluster DNS binds to the Service behind it, not to a node', () => {
    const redis = { alertname: 'RedisRejectedConnections', cluster: 'eu-1', namespace: 'data', instance: 'orders-db-0.orders-db.data.svc:9121', job: 'redis-exporter' };
    expect(binder.bind(redis)).toMatchObject({ entity: 'db/eu-1/orders', via: 'instance=orders-db' });
  });

  it.each<[string, string | undefined, string | null]>([
    ['orders-db-0.orders-db.data.svc', 'data', 'orders-db'],
    ['orders-db-0.orders-db.data.svc.cluster.local', undefined, 'orders-db'],
    ['checkout.shop.svc', 'shop', 'checkout'],
    ['orders-db-0.orders-db.data.svc', 'shop', null],
    ['ip-10-0-1-12.ec2.internal', undefined, null],
    ['eu-1-n3', undefined, null],
  ])('cluster DNS %s (namespace %s) names Service %s', (host, ns, svc) => {
    expect(serviceOfClusterDns(host, ns)).toBe(svc);
  });

  it('takes a blackbox probe\'s target host as what the alert is about, and never kube-state-metrics\' own instance', () => {
    expect(identities({ alertname: 'CertificateExpiringSoon', instance: 'https://api.shop.example.com/health', job: 'blackbox' })).toEqual([
      { label: 'instance', value: 'api.shop.example.com', kind: 'workload' },
    ]);
    expect(identities({ alertname: 'KubeHpaMaxedOut', instance: '10.35.59.151:8080', job: 'kube-state-metrics', horizontalpodautoscaler: 'catalog' })).toEqual([]);
  });

  it('exporter names are not identities', () => {
    expect(identities({ job: 'kube-state-metrics', service: 'kube-state-metrics', pod: 'kube-state-metrics-6d4b9f7c8d-abcde' })).toEqual([]);
  });
});

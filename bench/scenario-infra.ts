import * as rules from './alert-rules.js';
import type { AlertTemplate } from './alert-rules.js';
import { ScenarioBuilder } from './scenario-dsl.js';
import type { ScenarioFiles } from './scenario-files.js';

/**
 * Hand-written scenarios of infrastructure faults: a saturated datastore, a dead node, a zone's network, and a
 * certificate issuer whose certificates all expire at once. Times are minutes into the window.
 */

const DAYS = 24 * 60;
const RUNBOOK = 'https://runbooks.prometheus-operator.dev/runbooks';

function nodeExporterLabels(node: string, pod: string): Record<string, string> {
  return { container: 'kube-rbac-proxy', endpoint: 'https', instance: node, job: 'node-exporter', namespace: 'monitoring', pod, service: 'node-exporter' };
}

/** node-mixin `NodeMemoryHighUtilization` (for 15m): `instance` is the node name. */
function nodeMemoryHighUtilization(node: string, pod: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'node-exporter', forMs: 15 * 60_000,
    labels: { alertname: 'NodeMemoryHighUtilization', ...nodeExporterLabels(node, pod), severity: 'warning' },
    annotations: {
      description: `Memory is filling up at ${node}, has been above 90% for the last 15 minutes, is currently at 97.12%.`,
      runbook_url: `${RUNBOOK}/node/nodememoryhighutilization`, summary: 'Host is running out of memory.',
    },
    expr: '100 - (node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"} * 100) > 90',
  };
}

/** node-mixin `NodeSystemSaturation` (for 15m). */
function nodeSystemSaturation(node: string, pod: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'node-exporter', forMs: 15 * 60_000,
    labels: { alertname: 'NodeSystemSaturation', ...nodeExporterLabels(node, pod), severity: 'warning' },
    annotations: {
      description: `System load per core at ${node} has been above 2 for the last 15 minutes, is currently at 3.41.\nThis might indicate this instance resources saturation and can cause it becoming unresponsive.\n`,
      runbook_url: `${RUNBOOK}/node/nodesystemsaturation`, summary: 'System saturated, load per core is very high.',
    },
    expr: 'node_load1{job="node-exporter"} / count without (cpu, mode) (node_cpu_seconds_total{job="node-exporter", mode="idle"}) > 2',
  };
}

/** cert-manager-mixin `CertManagerCertExpirySoon` (for 1h), scraped from cert-manager by the cluster's Prometheus. */
function certManagerCertExpirySoon(cert: string, namespace: string, left: string): AlertTemplate {
  return {
    source: 'prometheus', group: 'cert-manager', forMs: 60 * 60_000,
    labels: {
      alertname: 'CertManagerCertExpirySoon', container: 'cert-manager-controller', endpoint: 'tcp-prometheus-servicemonitor',
      exported_namespace: namespace, instance: '10.42.3.17:9402', issuer_group: 'cert-manager.io', issuer_kind: 'ClusterIssuer',
      issuer_name: 'internal-ca', job: 'cert-manager', name: cert, namespace: 'cert-manager', pod: 'cert-manager-6d5b9c7f4-q8xlz',
      service: 'cert-manager', severity: 'warning',
    },
    annotations: {
      description: `The domain that this cert covers will be unavailable after ${left}. Clients using endpoints that this cert protects will start to fail in ${left}.`,
      runbook_url: 'https://gitlab.com/uneeq-oss/cert-manager-mixin/-/blob/master/RUNBOOK.md#certmanagercertexpirysoon',
      summary: `The cert \`${cert}\` is ${left} from expiry, it should have renewed over a week ago.`,
    },
    expr: 'avg by (exported_namespace, namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) < (21 * 24 * 3600)',
  };
}

/** Orders' Postgres runs out of connections: its callers' latency and errors follow, its clients log refusals. */
export function datastoreSaturation(): ScenarioFiles {
  const s = new ScenarioBuilder({
    name: 'datastore-saturation', seed: 101, start: '2026-03-10T13:00:00Z', minutes: 80,
    description: 'orders-db (Postgres) runs out of connections: its users orders and checkout slow down and fail, frontend (calling checkout) follows; alerts from the platform webhook, Prometheus and Loki; one ticket.',
    topology: `entities:
  - {id: svc/eu-1/frontend, kind: service, labels: {service: frontend, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/checkout, kind: service, labels: {service: checkout, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/orders, kind: service, labels: {service: orders, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/catalog, kind: service, labels: {service: catalog, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/payments-api, kind: service, labels: {service: payments-api, namespace: payments, cluster: eu-1}}
  - {id: db/eu-1/orders-db, kind: datastore, labels: {server: orders-db, cluster: eu-1}}
  - {id: db/eu-1/catalog-db, kind: datastore, labels: {server: catalog-db, cluster: eu-1}}
relations:
  - {from: svc/eu-1/frontend, to: svc/eu-1/checkout, type: calls}
  - {from: svc/eu-1/frontend, to: svc/eu-1/catalog, type: calls}
  - {from: svc/eu-1/checkout, to: svc/eu-1/orders, type: calls}
  - {from: svc/eu-1/checkout, to: svc/eu-1/payments-api, type: calls}
  - {from: svc/eu-1/checkout, to: db/eu-1/orders-db, type: uses}
  - {from: svc/eu-1/orders, to: db/eu-1/orders-db, type: uses}
  - {from: svc/eu-1/catalog, to: db/eu-1/catalog-db, type: uses}
`,
  });
  const c = 'eu-1';
  const frontend = s.workload(c, 'shop', 'frontend', 'storefront', { replicas: 4 });
  const checkout = s.workload(c, 'shop', 'checkout', 'checkout');
  const orders = s.workload(c, 'shop', 'orders', 'fulfilment');
  const catalog = s.workload(c, 'shop', 'catalog', 'storefront');
  const db = s.workload(c, 'data', 'orders-db', 'platform', { engine: 'postgres', replicas: 2 });
  const f1 = s.incident('f1', { rootCause: 'db/eu-1/orders-db' });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.cpuThrottlingHigh(catalog, catalog.pods[0]!.name, 41.7), 4, 29, null);

  s.fire(c, rules.postgresTooManyConnections(db, 'orders-db-0', 'warning', 88), 10, 58, f1);
  s.fire(c, rules.postgresTooManyConnections(db, 'orders-db-0', 'critical', 98.2), 18, 46, f1);
  s.fire(c, rules.postgresSlowQueries(db, 'orders-db-0'), 12, 52, f1);
  s.fire(c, rules.highLatency(orders, 'warning', 2300), 11, 53, f1);
  s.fire(c, rules.highErrorRate(orders, 'critical', 14.2), 17, 47, f1);
  s.fire(c, rules.kubeHpaMaxedOut(orders), 15, 55, f1);
  for (const p of orders.pods) s.fire(c, rules.connectionErrorsInLogs(orders, p.name, 'orders-db'), 13, 49, f1);
  s.fire(c, rules.highLatency(checkout, 'warning', 1650), 13, 50, f1);
  s.fire(c, rules.highErrorRate(checkout, 'warning', 4.8), 19, 45, f1);
  for (const p of checkout.pods.slice(0, 2)) s.fire(c, rules.connectionErrorsInLogs(checkout, p.name, 'orders-db'), 16, 44, f1);
  s.fire(c, rules.highLatency(frontend, 'warning', 980), 21, 42, f1);
  s.jira('OPS-2101', 22, f1, {
    title: 'Order history page and checkout time out', priority: 'High', cluster: c, components: ['orders'],
    body: 'Customers report that "My orders" never loads and placing an order hangs for 30s+. Started around 13:15 UTC.',
    updates: [{ at: 25, status: 'In Progress' }, { at: 70, status: 'Done' }],
  });
  return s.build();
}

/** A node runs out of memory and dies: its node-exporter alerts first, then the node and the pods it ran. */
export function nodeFailure(): ScenarioFiles {
  const c = 'eu-1';
  const nodes = ['eu-1-n1', 'eu-1-n2', 'eu-1-n3', 'eu-1-n4', 'eu-1-n5', 'eu-1-n6'];
  const s = new ScenarioBuilder({
    name: 'node-failure', seed: 202, start: '2026-03-11T06:00:00Z', minutes: 90,
    description: 'eu-1-n5 runs out of memory (node-exporter alerts by instance) and dies: NotReady/Unreachable, TargetDown, NotReady pods of five workloads on it, StatefulSet mismatches and Kafka lag; a disk filling up on another node fires throughout.',
    topology: `entities:
${nodes.map((n) => `  - {id: node/${n}, kind: node, labels: {node: ${n}}}`).join('\n')}
  - {id: svc/eu-1/checkout, kind: service, labels: {service: checkout, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/cart, kind: service, labels: {service: cart, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/notifications, kind: service, labels: {service: notifications, namespace: shop, cluster: eu-1}}
  - {id: db/eu-1/orders-db, kind: datastore, labels: {server: orders-db, cluster: eu-1}}
  - {id: db/eu-1/kafka, kind: datastore, labels: {service: kafka, namespace: data, cluster: eu-1}}
relations:
  - {from: svc/eu-1/checkout, to: db/eu-1/orders-db, type: uses}
  - {from: svc/eu-1/checkout, to: svc/eu-1/cart, type: calls}
  - {from: svc/eu-1/notifications, to: db/eu-1/kafka, type: uses}
  - {from: db/eu-1/orders-db, to: node/eu-1-n5, type: runs_on}
  - {from: db/eu-1/kafka, to: node/eu-1-n5, type: runs_on}
  - {from: svc/eu-1/checkout, to: node/eu-1-n5, type: runs_on}
  - {from: svc/eu-1/cart, to: node/eu-1-n5, type: runs_on}
`,
  });
  const dead = 'eu-1-n5';
  // Each workload has exactly one pod on the dead node: the pod at index 1 of [n4, n5, n6].
  const spread = ['eu-1-n4', dead, 'eu-1-n6'];
  const checkout = s.workload(c, 'shop', 'checkout', 'checkout', { nodes: spread });
  const cart = s.workload(c, 'shop', 'cart', 'checkout', { nodes: spread });
  const notifications = s.workload(c, 'shop', 'notifications', 'fulfilment', { nodes: spread });
  const db = s.workload(c, 'data', 'orders-db', 'platform', { engine: 'postgres', nodes: spread });
  const kafka = s.workload(c, 'data', 'kafka', 'platform', { engine: 'kafka', nodes: spread });
  const f1 = s.incident('f1', { rootCause: `node/${dead}` });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.nodeFilesystemSpaceFillingUp(c, 'eu-1-n2', 'node-exporter-7xk2p', 'warning', 13.4), -2 * 60, Infinity, null);
  s.fire(c, rules.cpuThrottlingHigh(checkout, checkout.pods[0]!.name, 33.1), 62, 80, null);

  s.fire(c, nodeMemoryHighUtilization(dead, 'node-exporter-q4wzt'), 8, 16, f1);
  s.fire(c, nodeSystemSaturation(dead, 'node-exporter-q4wzt'), 11, 16, f1);
  s.fire(c, rules.kubeNodeNotReady(c, dead), 17, 66, f1);
  s.fire(c, rules.kubeNodeUnreachable(c, dead), 18, 66, f1);
  s.fire(c, rules.targetDown('node-exporter', 'monitoring', 'node-exporter', 16.67), 17, 66, f1);
  s.fire(c, rules.targetDown('kubelet', 'kube-system', 'kubelet', 16.67), 17, 66, f1);
  for (const w of [checkout, cart, notifications, db, kafka]) {
    const pod = w.pods.find((p) => p.node === dead)!;
    s.fire(c, rules.kubePodNotReady(w, pod.name), 32, w.kind === 'StatefulSet' ? 66 : 40, f1);
  }
  s.fire(c, rules.kubeReplicasMismatch(db), 32, 66, f1);
  s.fire(c, rules.kubeReplicasMismatch(kafka), 32, 66, f1);
  s.fire(c, rules.kubeReplicasMismatch(checkout), 33, 40, f1);
  s.fire(c, rules.kafkaConsumerGroupLag(kafka, 'order-notifications', 'order-events', 8400), 24, 70, f1);
  s.generic('ZD-50412', 29, f1, {
    title: 'Order confirmation emails arrive late', priority: 'Medium', cluster: c,
    body: 'Several customers got their order confirmation 20+ minutes after ordering.',
    updates: [{ at: 80, status: 'resolved' }],
  });
  return s.build();
}

/** A zone of us-1 loses its network: the whole cluster degrades at once. No topology. */
export function networkFault(): ScenarioFiles {
  const c = 'us-1';
  const s = new ScenarioBuilder({
    name: 'network-fault', seed: 303, start: '2026-03-12T18:00:00Z', minutes: 75,
    description: 'Without topology: a zone of us-1 is partitioned; CoreDNS SERVFAILs, three nodes NotReady, TargetDown, errors and connection-refused logs on eight services and Kafka lag, all at once: one incident, one ticket; an unrelated latency blip afterwards.',
  });
  const zone = ['us-1-n7', 'us-1-n8', 'us-1-n9'];
  const names: ReadonlyArray<readonly [string, string, string]> = [
    ['shop', 'frontend', 'storefront'], ['shop', 'checkout', 'checkout'], ['shop', 'cart', 'checkout'], ['shop', 'catalog', 'storefront'],
    ['shop', 'search', 'storefront'], ['payments', 'payments-api', 'payments'], ['identity', 'auth', 'identity'], ['shop', 'recommendations', 'storefront'],
  ];
  const services = names.map(([ns, name, team]) => s.workload(c, ns, name, team, { nodes: ['us-1-n2', 'us-1-n8', 'us-1-n4'] }));
  const ads = s.workload(c, 'shop', 'ads', 'storefront');
  const email = s.workload(c, 'shop', 'email', 'fulfilment');
  const kafka = s.workload(c, 'data', 'kafka', 'platform', { engine: 'kafka' });
  const f1 = s.incident('f1');

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.cpuThrottlingHigh(ads, ads.pods[1]!.name, 52.3), 3, 24, null);
  s.fire(c, rules.highLatency(email, 'warning', 640), 58, 66, null);

  s.fire(c, rules.coreDnsErrorsHigh('critical'), 21, 45, f1);
  for (const node of zone) s.fire(c, rules.kubeNodeNotReady(c, node), 36, 46, f1);
  services.forEach((w, i) => {
    s.fire(c, rules.highErrorRate(w, i < 3 ? 'critical' : 'warning', 9.5 - i), 24 + (i % 3), 46, f1);
    s.fire(c, rules.targetDown(w.name, w.namespace, w.name, 33.33), 30 + (i % 2), 45, f1);
    for (const p of w.pods.slice(0, 2)) s.fire(c, rules.connectionErrorsInLogs(w, p.name, i === 0 ? 'checkout' : 'kube-dns'), 22 + (i % 4), 44, f1);
  });
  s.fire(c, rules.kafkaConsumerGroupLag(kafka, 'search-indexer', 'search-events', 21_000), 27, 52, f1);
  s.fire(c, rules.kafkaConsumerGroupLag(kafka, 'order-notifications', 'order-events', 16_500), 28, 50, f1);
  s.jira('OPS-3301', 26, f1, {
    title: 'Website very slow, errors on every page (US)', priority: 'Highest', cluster: c,
    body: 'Status page shows degraded for US customers. Pages time out or load without images; checkout fails intermittently.',
    updates: [{ at: 28, status: 'In Progress' }, { at: 62, status: 'Done' }],
  });
  return s.build();
}

/** One internal CA's certificates, issued together, all near expiry because the issuer stopped renewing. */
export function certExpiry(): ScenarioFiles {
  const c = 'eu-1';
  const certs: ReadonlyArray<readonly [cert: string, namespace: string]> = [
    ['checkout-tls', 'shop'], ['orders-tls', 'shop'], ['search-tls', 'shop'], ['payments-api-tls', 'payments'],
    ['ledger-tls', 'payments'], ['auth-tls', 'identity'], ['user-profile-tls', 'identity'], ['kafka-tls', 'data'],
    ['grafana-tls', 'monitoring'], ['admin-ui-tls', 'backoffice'],
  ];
  const s = new ScenarioBuilder({
    name: 'cert-expiry', seed: 404, start: '2026-03-13T08:00:00Z', minutes: 70,
    description: 'Ten certificates of unrelated services in six namespaces, all from the internal-ca ClusterIssuer, fire CertManagerCertExpirySoon within minutes (same alertname, near-identical text, no topology relation): one incident; an unrelated search latency alert overlaps.',
    topology: `entities:
${certs.map(([cert, ns]) => `  - {id: svc/eu-1/${cert.replace(/-tls$/, '')}, kind: service, labels: {service: ${cert.replace(/-tls$/, '')}, namespace: ${ns}, cluster: eu-1}}`).join('\n')}
relations: []
`,
  });
  const search = s.workload(c, 'shop', 'search', 'storefront');
  const f1 = s.incident('f1');

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.highLatency(search, 'warning', 810), 20, 33, null);
  s.fire(c, rules.cpuThrottlingHigh(search, search.pods[2]!.name, 28.9), 40, 58, null);

  certs.forEach(([cert, ns], i) => {
    const hours = 143 - i * 0.4;
    s.fire(c, certManagerCertExpirySoon(cert, ns, `5d ${Math.floor(hours - 120)}h ${Math.round((hours % 1) * 60)}m`), 5 + i * 0.6, 55 + (i % 3), f1);
  });
  s.jira('OPS-4410', 14, f1, {
    title: 'internal-ca certificates not renewing', priority: 'High', cluster: c,
    body: 'cert-manager reports ten certificates issued by the internal-ca ClusterIssuer expiring in under 6 days; the issuer secret was rotated and renewals fail.',
    updates: [{ at: 16, status: 'In Progress' }, { at: 60, status: 'Done' }],
  });
  s.generic('ZD-50977', 30, null, {
    title: 'How do I download my invoice for last month?', priority: 'Low', cluster: c,
    body: 'I cannot find the invoice PDF for my February order in my account.',
  });
  return s.build();
}

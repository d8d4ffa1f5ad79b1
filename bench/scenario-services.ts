import * as rules from './alert-rules.js';
import { ScenarioBuilder } from './scenario-dsl.js';
import type { ScenarioFiles } from './scenario-files.js';

/**
 * Hand-written scenarios of application faults: two faults overlapping in one namespace, a slow degradation,
 * benign deploys next to the real causes, tickets filed before any alert, and a background alert that must not
 * chain two faults. Times are minutes into the window.
 */

const DAYS = 24 * 60;

/** The shop of eu-1 as the service scenarios see it. */
const SHOP_TOPOLOGY = `entities:
  - {id: svc/eu-1/frontend, kind: service, labels: {service: frontend, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/checkout, kind: service, labels: {service: checkout, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/cart, kind: service, labels: {service: cart, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/catalog, kind: service, labels: {service: catalog, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/search, kind: service, labels: {service: search, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/image-resizer, kind: service, labels: {service: image-resizer, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/ads, kind: service, labels: {service: ads, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/orders, kind: service, labels: {service: orders, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/notifications, kind: service, labels: {service: notifications, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/email, kind: service, labels: {service: email, namespace: shop, cluster: eu-1}}
  - {id: svc/eu-1/payments-api, kind: service, labels: {service: payments-api, namespace: payments, cluster: eu-1}}
  - {id: svc/eu-1/auth, kind: service, labels: {service: auth, namespace: identity, cluster: eu-1}}
  - {id: db/eu-1/orders-db, kind: datastore, labels: {server: orders-db, cluster: eu-1}}
  - {id: db/eu-1/cart-cache, kind: datastore, labels: {service: cart-cache, namespace: data, cluster: eu-1}}
  - {id: db/eu-1/kafka, kind: datastore, labels: {service: kafka, namespace: data, cluster: eu-1}}
relations:
  - {from: svc/eu-1/frontend, to: svc/eu-1/checkout, type: calls}
  - {from: svc/eu-1/frontend, to: svc/eu-1/cart, type: calls}
  - {from: svc/eu-1/frontend, to: svc/eu-1/catalog, type: calls}
  - {from: svc/eu-1/frontend, to: svc/eu-1/search, type: calls}
  - {from: svc/eu-1/frontend, to: svc/eu-1/ads, type: calls}
  - {from: svc/eu-1/frontend, to: svc/eu-1/auth, type: calls}
  - {from: svc/eu-1/checkout, to: svc/eu-1/payments-api, type: calls}
  - {from: svc/eu-1/checkout, to: svc/eu-1/cart, type: calls}
  - {from: svc/eu-1/checkout, to: svc/eu-1/orders, type: calls}
  - {from: svc/eu-1/catalog, to: svc/eu-1/image-resizer, type: calls}
  - {from: svc/eu-1/search, to: svc/eu-1/catalog, type: calls}
  - {from: svc/eu-1/cart, to: db/eu-1/cart-cache, type: uses}
  - {from: svc/eu-1/orders, to: db/eu-1/orders-db, type: uses}
  - {from: svc/eu-1/orders, to: db/eu-1/kafka, type: uses}
  - {from: svc/eu-1/notifications, to: db/eu-1/kafka, type: uses}
  - {from: svc/eu-1/notifications, to: svc/eu-1/email, type: calls}
  - {from: svc/eu-1/auth, to: svc/eu-1/email, type: calls}
`;

/** Cart's Redis fills up while image-resizer crash-loops: same cluster, same namespace, overlapping, unrelated. */
export function overlappingFaults(): ScenarioFiles {
  const c = 'eu-1';
  const s = new ScenarioBuilder({
    name: 'overlapping-faults', seed: 505, start: '2026-03-14T11:00:00Z', minutes: 80, topology: SHOP_TOPOLOGY,
    description: 'Two unrelated faults overlap for 20 minutes in eu-1/shop: cart-cache (Redis) rejects connections (cart errors, a basket ticket) while image-resizer is OOM-killed in a crash loop (catalog, its caller, slows down): two incidents.',
  });
  const cart = s.workload(c, 'shop', 'cart', 'checkout');
  const cache = s.workload(c, 'data', 'cart-cache', 'platform', { engine: 'redis' });
  const resizer = s.workload(c, 'shop', 'image-resizer', 'storefront', { replicas: 4 });
  const catalog = s.workload(c, 'shop', 'catalog', 'storefront');
  const ads = s.workload(c, 'shop', 'ads', 'storefront');
  const f1 = s.incident('f1', { rootCause: 'db/eu-1/cart-cache' });
  const f2 = s.incident('f2', { rootCause: 'svc/eu-1/image-resizer' });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.cpuThrottlingHigh(ads, ads.pods[0]!.name, 37.2), 2, 20, null);

  for (const p of cache.pods.slice(0, 2)) s.fire(c, rules.redisRejectedConnections(cache, p.name), 10, 40, f1);
  s.fire(c, rules.highErrorRate(cart, 'warning', 6.3), 12, 40, f1);
  for (const p of cart.pods) s.fire(c, rules.connectionErrorsInLogs(cart, p.name, 'cart-cache'), 11, 38, f1);
  s.generic('ZD-51120', 16, f1, {
    title: 'Items disappear from my basket', priority: 'High', cluster: c,
    body: 'I add products, go to the next page and the basket is empty again. Tried twice.',
    updates: [{ at: 50, status: 'resolved' }],
  });

  for (const p of resizer.pods.slice(0, 3)) s.fire(c, rules.kubePodCrashLooping(resizer, p.name), 36, 62, f2);
  s.fire(c, rules.kubeReplicasMismatch(resizer), 37, 63, f2);
  s.fire(c, rules.highErrorRate(resizer, 'critical', 31.5), 23, 60, f2);
  s.fire(c, rules.logErrorRate(resizer, 8.4), 22, 58, f2);
  s.fire(c, rules.highLatency(catalog, 'warning', 1320), 26, 57, f2);
  return s.build();
}

/** Catalog's database degrades over an hour: latency creeps upstream, alerts trickle in minutes apart. */
export function slowDegradation(): ScenarioFiles {
  const c = 'us-1';
  const s = new ScenarioBuilder({
    name: 'slow-degradation', seed: 606, start: '2026-03-15T07:00:00Z', minutes: 110,
    description: 'catalog-db bloats: catalog p99 creeps up for an hour, and slow queries, search, recommendations, HPA, frontend and error alerts join one by one, 6 to 8 minutes apart: one incident, one ticket after 48 minutes.',
    topology: `entities:
  - {id: svc/us-1/frontend, kind: service, labels: {service: frontend, namespace: shop, cluster: us-1}}
  - {id: svc/us-1/search, kind: service, labels: {service: search, namespace: shop, cluster: us-1}}
  - {id: svc/us-1/recommendations, kind: service, labels: {service: recommendations, namespace: shop, cluster: us-1}}
  - {id: svc/us-1/catalog, kind: service, labels: {service: catalog, namespace: shop, cluster: us-1}}
  - {id: svc/us-1/cart, kind: service, labels: {service: cart, namespace: shop, cluster: us-1}}
  - {id: db/us-1/catalog-db, kind: datastore, labels: {server: catalog-db, cluster: us-1}}
relations:
  - {from: svc/us-1/frontend, to: svc/us-1/search, type: calls}
  - {from: svc/us-1/frontend, to: svc/us-1/catalog, type: calls}
  - {from: svc/us-1/frontend, to: svc/us-1/recommendations, type: calls}
  - {from: svc/us-1/frontend, to: svc/us-1/cart, type: calls}
  - {from: svc/us-1/search, to: svc/us-1/catalog, type: calls}
  - {from: svc/us-1/recommendations, to: svc/us-1/catalog, type: calls}
  - {from: svc/us-1/catalog, to: db/us-1/catalog-db, type: uses}
`,
  });
  const frontend = s.workload(c, 'shop', 'frontend', 'storefront', { replicas: 4 });
  const search = s.workload(c, 'shop', 'search', 'storefront');
  const recommendations = s.workload(c, 'shop', 'recommendations', 'storefront');
  const catalog = s.workload(c, 'shop', 'catalog', 'storefront');
  const cart = s.workload(c, 'shop', 'cart', 'checkout');
  const db = s.workload(c, 'data', 'catalog-db', 'platform', { engine: 'postgres', replicas: 2 });
  const f1 = s.incident('f1', { rootCause: 'db/us-1/catalog-db' });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.cpuThrottlingHigh(cart, cart.pods[1]!.name, 29.4), 15, 31, null);
  s.fire(c, rules.kubeJobFailed(c, 'analytics', 'report-generator-29541060'), 50, 105, null);

  // p99 of catalog grows by about 40 ms a minute; the description follows it as Prometheus re-renders $value.
  const creeping = rules.highLatency(catalog, 'warning', 620);
  const p99 = (min: number): string => `p99 latency of catalog is ${((620 + 40 * min) / 1000).toFixed(3)}s (threshold 0.5s).`;
  s.fire(c, { ...creeping, annotationsAt: (ms) => ({ ...creeping.annotations, description: p99(ms / 60_000) }) }, 5, 92, f1);
  s.fire(c, rules.postgresSlowQueries(db, 'catalog-db-0'), 13, 90, f1);
  s.fire(c, rules.highLatency(search, 'warning', 1100), 21, 91, f1);
  s.fire(c, rules.highLatency(recommendations, 'warning', 1240), 29, 90, f1);
  s.fire(c, rules.kubeHpaMaxedOut(catalog), 37, 93, f1);
  s.fire(c, rules.highLatency(frontend, 'warning', 1480), 44, 89, f1);
  s.fire(c, rules.highErrorRate(catalog, 'warning', 2.7), 51, 88, f1);
  s.fire(c, rules.highLatency(catalog, 'critical', 2900), 59, 87, f1);
  s.fire(c, rules.highErrorRate(frontend, 'warning', 1.9), 66, 86, f1);
  s.jira('OPS-5012', 48, f1, {
    title: 'Product pages have been getting slower all morning', priority: 'Medium', cluster: c,
    body: 'Browsing the product catalogue takes several seconds per page, search results too. Not down, just slow.',
    updates: [{ at: 55, status: 'In Progress' }, { at: 100, status: 'Done' }],
  });
  return s.build();
}

/** A bad payments-api release among three benign deploys; later a datastore fault right after a benign deploy. */
export function benignDeploys(): ScenarioFiles {
  const c = 'eu-1';
  const s = new ScenarioBuilder({
    name: 'benign-deploys', seed: 707, start: '2026-03-16T09:00:00Z', minutes: 100, topology: SHOP_TOPOLOGY,
    description: 'frontend, ads and search deploy within minutes of a bad payments-api release (crash loop, panics, errors up to frontend; rolled back): only payments-api is causal. Later orders-db saturates three minutes after a benign orders deploy: no causal deploy.',
  });
  const frontend = s.workload(c, 'shop', 'frontend', 'storefront', { replicas: 4 });
  const ads = s.workload(c, 'shop', 'ads', 'storefront');
  const search = s.workload(c, 'shop', 'search', 'storefront');
  const checkout = s.workload(c, 'shop', 'checkout', 'checkout');
  const payments = s.workload(c, 'payments', 'payments-api', 'payments');
  const orders = s.workload(c, 'shop', 'orders', 'fulfilment');
  const db = s.workload(c, 'data', 'orders-db', 'platform', { engine: 'postgres', replicas: 2 });
  const f1 = s.incident('f1', { rootCause: 'svc/eu-1/payments-api', deploy: { service: 'payments-api', version: 'v5.2.0' } });
  const f2 = s.incident('f2', { rootCause: 'db/eu-1/orders-db' });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.cpuThrottlingHigh(search, search.pods[0]!.name, 44.0), 70, 88, null);

  s.deploy(frontend, 3, 'v3.14.0', 'v3.13.2');
  s.deploy(ads, 5, 'v1.9.2', 'v1.9.1');
  s.deploy(payments, 6, 'v5.2.0', 'v5.1.4');
  s.deploy(search, 7.5, 'v2.30.1', 'v2.30.0');
  s.fire(c, rules.panicInLogs(payments), 8, 34, f1);
  s.fire(c, rules.highErrorRate(payments, 'critical', 27.3), 10, 36, f1);
  s.fire(c, rules.highErrorRate(checkout, 'warning', 5.6), 12, 36, f1);
  s.fire(c, rules.highLatency(frontend, 'warning', 1150), 13, 35, f1);
  for (const p of payments.pods) s.fire(c, rules.kubePodCrashLooping(payments, p.name), 24, 36, f1);
  s.fire(c, rules.kubeReplicasMismatch(payments), 24, 38, f1);
  s.jira('OPS-5120', 15, f1, {
    title: 'Card payments failing at checkout', priority: 'Highest', cluster: c, components: ['payments-api'],
    body: 'Since ~09:08 UTC most card payments end with "payment could not be processed".',
    updates: [{ at: 17, status: 'In Progress' }, { at: 45, status: 'Done' }],
  });
  s.deploy(payments, 32, 'v5.2.0', 'v5.1.4', { status: 'rolled_back' });

  s.deploy(orders, 52, 'v4.7.0', 'v4.6.3');
  s.fire(c, rules.postgresTooManyConnections(db, 'orders-db-0', 'warning', 91), 55, 85, f2);
  s.fire(c, rules.highLatency(orders, 'warning', 2100), 57, 84, f2);
  s.fire(c, rules.highErrorRate(orders, 'warning', 3.9), 62, 80, f2);
  for (const p of orders.pods.slice(0, 2)) s.fire(c, rules.connectionErrorsInLogs(orders, p.name, 'orders-db'), 58, 82, f2);
  return s.build();
}

/** Users notice before the rules' `for` passes: tickets in plain words, minutes before the first alert. */
export function ticketsBeforeAlerts(): ScenarioFiles {
  const c = 'eu-1';
  const s = new ScenarioBuilder({
    name: 'tickets-before-alerts', seed: 808, start: '2026-03-17T10:00:00Z', minutes: 75, topology: SHOP_TOPOLOGY,
    description: 'Two tickets ("confirmation emails", "password reset mail") arrive 3 to 6 minutes before the first alert of an email outage (SMTP relay refusing: email errors, notifications log errors, Kafka lag); a delivery-address question in between stays unlinked.',
  });
  const email = s.workload(c, 'shop', 'email', 'fulfilment', { replicas: 2 });
  const notifications = s.workload(c, 'shop', 'notifications', 'fulfilment');
  const kafka = s.workload(c, 'data', 'kafka', 'platform', { engine: 'kafka' });
  const catalog = s.workload(c, 'shop', 'catalog', 'storefront');
  const f1 = s.incident('f1', { rootCause: 'svc/eu-1/email' });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.highLatency(catalog, 'warning', 700), 30, 38, null);

  s.jira('OPS-6001', 10, f1, {
    title: "Customers don't receive order confirmation emails", priority: 'High', cluster: c,
    body: 'Since about 10:05 UTC customers write that the confirmation mail for their order never arrives. Orders themselves look fine.',
    updates: [{ at: 20, status: 'In Progress' }, { at: 65, status: 'Done' }],
  });
  s.generic('ZD-51876', 12, null, {
    title: 'Can I change the delivery address after ordering?', priority: 'Low', cluster: c,
    body: 'I moved last week and my order still shows the old address.',
  });
  s.generic('ZD-51877', 13, f1, {
    title: 'No password reset mail', priority: 'Medium', cluster: c,
    body: 'I requested a password reset three times in the last ten minutes and got nothing, not even in spam.',
    updates: [{ at: 60, status: 'resolved' }],
  });
  s.fire(c, rules.highErrorRate(email, 'critical', 38.0), 16, 52, f1);
  for (const p of email.pods) s.fire(c, rules.connectionErrorsInLogs(email, p.name, 'smtp-relay.mail.example.net'), 17, 50, f1);
  s.fire(c, rules.logErrorRate(notifications, 4.6), 18, 51, f1);
  s.fire(c, rules.kafkaConsumerGroupLag(kafka, 'order-notifications', 'order-events', 7300), 21, 56, f1);
  return s.build();
}

/** A frontend latency warning has fired for days; two faults an hour apart both sit behind the frontend. */
export function backgroundBridge(): ScenarioFiles {
  const c = 'eu-1';
  const s = new ScenarioBuilder({
    name: 'background-bridge', seed: 909, start: '2026-03-18T12:00:00Z', minutes: 120, topology: SHOP_TOPOLOGY,
    description: 'A frontend HighLatency warning fires for the whole capture (since days); a bad checkout deploy and, an hour later, a broken search index both sit behind frontend: two incidents, and the long-lived alert joins neither.',
  });
  const frontend = s.workload(c, 'shop', 'frontend', 'storefront', { replicas: 4 });
  const checkout = s.workload(c, 'shop', 'checkout', 'checkout');
  const search = s.workload(c, 'shop', 'search', 'storefront');
  const kafka = s.workload(c, 'data', 'kafka', 'platform', { engine: 'kafka' });
  const f1 = s.incident('f1', { rootCause: 'svc/eu-1/checkout', deploy: { service: 'checkout', version: 'v2.41.0' } });
  const f2 = s.incident('f2', { rootCause: 'svc/eu-1/search' });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.fire(c, rules.highLatency(frontend, 'warning', 560), -3 * DAYS, Infinity, null);

  s.deploy(checkout, 8, 'v2.41.0', 'v2.40.2');
  s.fire(c, rules.panicInLogs(checkout), 10, 33, f1);
  s.fire(c, rules.highErrorRate(checkout, 'critical', 19.8), 11, 35, f1);
  for (const p of checkout.pods) s.fire(c, rules.kubePodCrashLooping(checkout, p.name), 24, 36, f1);
  s.deploy(checkout, 33, 'v2.41.0', 'v2.40.2', { status: 'rolled_back' });

  s.fire(c, rules.logErrorRate(search, 11.2), 70, 98, f2);
  s.fire(c, rules.highErrorRate(search, 'critical', 42.0), 71, 100, f2);
  s.fire(c, rules.kafkaConsumerGroupLag(kafka, 'search-indexer', 'search-events', 9100), 74, 105, f2);
  s.generic('ZD-52001', 78, f2, {
    title: 'Search returns no results for any product', priority: 'High', cluster: c,
    body: 'Every search, even "shoes", shows "0 results". Browsing categories still works.',
    updates: [{ at: 110, status: 'resolved' }],
  });
  return s.build();
}

/** A bad checkout release burns the checkout SLO at 20x: the burn alerts join the deploy's incident. */
export function sloBurnDeploy(): ScenarioFiles {
  const c = 'eu-1';
  const s = new ScenarioBuilder({
    name: 'slo-burn-deploy', seed: 1201, start: '2026-03-20T14:00:00Z', minutes: 110, topology: SHOP_TOPOLOGY,
    description: 'A checkout release fails 2 % of requests (20x the 99.9 % SLO budget) for an hour until it is rolled back: checkout errors, panics and frontend latency, and the SLO\'s burn-rate alerts (3d/6h first, the 1h/5m page later) all join the deploy\'s incident; image-resizer crash-looping meanwhile stays apart.',
  });
  const frontend = s.workload(c, 'shop', 'frontend', 'storefront', { replicas: 4 });
  const checkout = s.workload(c, 'shop', 'checkout', 'checkout');
  const resizer = s.workload(c, 'shop', 'image-resizer', 'storefront');
  const f1 = s.incident('f1', { rootCause: 'svc/eu-1/checkout', deploy: { service: 'checkout', version: 'v2.8.0' } });
  const f2 = s.incident('f2', { rootCause: 'svc/eu-1/image-resizer' });

  s.fire(c, rules.watchdog(), -30 * DAYS, Infinity, null);
  s.slo('checkout-availability', 99.9, 'svc/eu-1/checkout', { rpm: 2000, baseline: 0.5, segments: [{ from: 21, to: 82, burn: 20 }] });
  s.deploy(checkout, 20, 'v2.8.0', 'v2.7.4');
  s.fire(c, rules.panicInLogs(checkout), 22, 82, f1);
  s.fire(c, rules.highErrorRate(checkout, 'critical', 2.1), 24, 82, f1);
  s.fire(c, rules.highLatency(frontend, 'warning', 1240), 26, 80, f1);
  s.deploy(checkout, 81, 'v2.8.0', 'v2.7.4', { status: 'rolled_back' });
  for (const p of resizer.pods) s.fire(c, rules.kubePodCrashLooping(resizer, p.name), 55, 95, f2);
  return s.build();
}

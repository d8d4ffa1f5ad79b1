import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type SloDefinition } from '../../../src/config/index.js';
import { parseSlosDocuments, toSlos } from '../../../src/config/slos-config.js';
import { parseYamlDocuments } from '../../../src/config/yaml-file.js';
import { ConfigError } from '../../../src/errors.js';
import type { Topology } from '../../../src/model/index.js';

const FIXTURES = new URL('../../fixtures/config/slos/', import.meta.url).pathname;
const DAY = 86_400_000;

const TOPOLOGY: Topology = {
  entities: [
    { id: 'svc/checkout', kind: 'service', labels: { service: 'checkout' } },
    { id: 'db/orders', kind: 'datastore', labels: { service: 'orders-db' } },
  ],
  relations: [],
};

/** `text` as the content of slos.yaml, through the loader's steps: YAML stream, per-document checks, cross-checks. */
function slosOf(text: string): SloDefinition[] {
  return toSlos(parseSlosDocuments(parseYamlDocuments(text, 'slos.yaml'), 'slos.yaml'), TOPOLOGY);
}

function fixture(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

function refusalOf(text: string): string {
  let err: unknown = null;
  try {
    slosOf(text);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('slos.yaml, native form', () => {
  it('maps an SLO with defaults: no labels, prometheus semantics, page and ticket alerts', () => {
    expect(slosOf('slos:\n  - {name: checkout-availability, objective: 99.9, window: 30d, entity: svc/checkout}\n')).toEqual([
      {
        name: 'checkout-availability',
        objective: 99.9,
        windowMs: 30 * DAY,
        window: '30d',
        entity: 'svc/checkout',
        labels: {},
        semantics: 'prometheus',
        pageAlerts: true,
        ticketAlerts: true,
        source: 'native',
      },
    ]);
  });

  it('reads the labels and semantics extensions', () => {
    const [slo] = slosOf('slos:\n  - {name: a, objective: 99, window: 4w, labels: {service: orders-db}, semantics: exact}\n');
    expect(slo).toMatchObject({ window: '4w', windowMs: 28 * DAY, labels: { service: 'orders-db' }, semantics: 'exact' });
    expect(slo?.entity).toBeUndefined();
  });

  it('an empty file, or one of empty documents, has no SLOs', () => {
    expect(slosOf('')).toEqual([]);
    expect(slosOf('# nothing yet\n')).toEqual([]);
    expect(slosOf('---\n---\n')).toEqual([]);
    expect(slosOf('slos: []\n')).toEqual([]);
  });
});

describe('slos.yaml, Pyrra ServiceLevelObjective', () => {
  it('maps a ratio SLO: metadata.name, the target in percent, the window as written, metadata.labels', () => {
    expect(slosOf(fixture('pyrra-ratio.yaml'))).toEqual([
      {
        name: 'coredns-response-errors',
        objective: 99.99,
        windowMs: 14 * DAY,
        window: '2w',
        labels: { prometheus: 'k8s', role: 'alert-rules' },
        semantics: 'prometheus',
        pageAlerts: true,
        ticketAlerts: true,
        source: 'pyrra',
        indicator: {
          type: 'ratio',
          errors: 'coredns_dns_responses_total{job="coredns",rcode="SERVFAIL"}',
          total: 'coredns_dns_responses_total{job="coredns"}',
        },
      },
    ]);
  });

  it('maps a latency SLO and keeps its metrics for display', () => {
    const [slo] = slosOf(fixture('pyrra-latency.yaml'));
    expect(slo).toMatchObject({ name: 'apiserver-read-resource-request-latency', objective: 99, window: '2w', source: 'pyrra' });
    expect(slo?.indicator).toEqual({
      type: 'latency',
      success: 'apiserver_request_duration_seconds_bucket{job="apiserver",scope=~"resource|",verb=~"LIST|GET",le="1"}',
      total: 'apiserver_request_duration_seconds_count{job="apiserver",scope=~"resource|",verb=~"LIST|GET"}',
    });
    expect(slo?.description).toBeUndefined(); // `description: ""` is no description
  });

  it('maps a bool_gauge SLO with the alerting fields of Pyrra dynamic burn rates', () => {
    expect(slosOf(fixture('pyrra-bool-gauge.yaml'))).toEqual([
      {
        name: 'prometheus-availability-dynamic',
        objective: 99.9,
        windowMs: 28 * DAY,
        window: '28d',
        labels: { prometheus: 'k8s', role: 'alert-rules' },
        semantics: 'prometheus',
        pageAlerts: true,
        ticketAlerts: true,
        source: 'pyrra',
        description: 'Prometheus availability monitoring with dynamic burn rate',
        indicator: { type: 'bool_gauge', metric: 'up{job="prometheus-k8s"}' },
      },
    ]);
  });

  it('maps a latencyNative SLO with its grouping', () => {
    const [slo] = slosOf(fixture('pyrra-latency-native.yaml'));
    expect(slo?.objective).toBe(99.5);
    expect(slo?.indicator).toEqual({
      type: 'latencyNative',
      total: 'connect_server_requests_duration_seconds{job="pyrra",code="ok"}',
      latency: '200ms',
      grouping: ['service', 'method'],
    });
  });

  it('accepts an object as the API server returns it and binds it by the stormcell.io/entity annotation', () => {
    const [slo] = slosOf(fixture('pyrra-exported.yaml'));
    expect(slo).toMatchObject({ name: 'checkout-http-errors', entity: 'svc/checkout', window: '4w', windowMs: 28 * DAY, pageAlerts: true });
    expect(slo?.indicator).toEqual({
      type: 'ratio',
      errors: 'http_requests_total{job="checkout",code=~"5.."}',
      total: 'http_requests_total{job="checkout"}',
    });
  });

  it.each([
    ['disabled: true', false],
    ['burnrates: false', false],
    ['disabled: false', true],
    ['{}', true],
  ])('alerting %s gives page and ticket alerts %s', (alerting, on) => {
    const text = fixture('pyrra-ratio.yaml') + `  alerting: ${alerting.startsWith('{') ? alerting : `{${alerting}}`}\n`;
    const [slo] = slosOf(text);
    expect([slo?.pageAlerts, slo?.ticketAlerts]).toEqual([on, on]);
  });

  it('accepts the target as a YAML number too', () => {
    const text = fixture('pyrra-ratio.yaml').replace('target: "99.99"', 'target: 99.5');
    expect(slosOf(text)[0]?.objective).toBe(99.5);
  });
});

describe('slos.yaml, Sloth', () => {
  it('maps every SLO of a prometheus/v1 spec: id <service>-<name>, the 30d period, labels with the service', () => {
    expect(slosOf(fixture('sloth-home-wifi.yml'))).toEqual(
      ['good-wifi-client-satisfaction', 'risk-wifi-client-satisfaction'].map((name, i) => ({
        name: `home-wifi-${name}`,
        objective: [95, 99.9][i],
        windowMs: 30 * DAY,
        window: '30d',
        labels: { cluster: 'valhalla', component: 'ubiquiti', context: 'home', service: 'home-wifi' },
        semantics: 'prometheus',
        pageAlerts: true,
        ticketAlerts: true,
        source: 'sloth',
        indicator: {
          type: 'events',
          errorQuery: `sum_over_time((count(unifipoller_client_satisfaction_ratio < ${['0.75', '0.5'][i]}))[{{.window}}:]) OR on() vector(0)`,
          totalQuery: 'sum_over_time((count(unifipoller_client_satisfaction_ratio))[{{.window}}:])',
        },
      })),
    );
  });

  it('accepts slo_plugins and the alert_for plugin fields, and keeps the description', () => {
    const [slo] = slosOf(fixture('sloth-getting-started.yml'));
    expect(slo).toMatchObject({
      name: 'myservice-requests-availability',
      description: 'Common SLO based on availability for HTTP request responses.',
      labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2', service: 'myservice' },
      pageAlerts: true,
      ticketAlerts: true,
    });
  });

  it.each([
    ['sloth-no-alerts.yml', 'myapp-http-availability', false, false],
    ['sloth-rule-group-interval.yml', 'myapp-cpu-availability', true, false],
  ])('%s: disable on page_alert / ticket_alert turns that alert off', (file, name, page, ticket) => {
    expect(slosOf(fixture(file))).toMatchObject([{ name, pageAlerts: page, ticketAlerts: ticket }]);
  });

  it('SLO labels override the spec labels, and service overrides both', () => {
    const text =
      'version: prometheus/v1\nservice: s\nlabels: {team: a, tier: "1", service: spoofed}\n' +
      'slos:\n  - name: x\n    objective: 99\n    labels: {tier: "2"}\n    sli: {raw: {error_ratio_query: q}}\n    alerting: {}\n';
    expect(slosOf(text)[0]?.labels).toEqual({ team: 'a', tier: '2', service: 's' });
  });

  it('maps a PrometheusServiceLevel (sloth.slok.dev/v1) with its camelCase keys', () => {
    expect(slosOf(fixture('sloth-k8s-getting-started.yml'))).toEqual([
      {
        name: 'myservice-requests-availability',
        objective: 99.9,
        windowMs: 30 * DAY,
        window: '30d',
        labels: { owner: 'myteam', repo: 'myorg/myservice', tier: '2', service: 'myservice' },
        semantics: 'prometheus',
        pageAlerts: true,
        ticketAlerts: true,
        source: 'sloth',
        description: 'Common SLO based on availability for HTTP request responses.',
        indicator: {
          type: 'events',
          errorQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{.window}}]))',
          totalQuery: 'sum(rate(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))',
        },
      },
    ]);
  });
});

describe('slos.yaml, several documents', () => {
  const MIXED = [
    {
      name: 'checkout-availability',
      objective: 99.9,
      windowMs: 30 * DAY,
      window: '30d',
      entity: 'svc/checkout',
      labels: {},
      semantics: 'prometheus',
      pageAlerts: true,
      ticketAlerts: true,
      source: 'native',
    },
    {
      name: 'orders-db-latency',
      objective: 99,
      windowMs: 7 * DAY,
      window: '7d',
      labels: { service: 'orders-db' },
      semantics: 'exact',
      pageAlerts: true,
      ticketAlerts: true,
      source: 'native',
    },
    {
      name: 'checkout-http-errors',
      objective: 99.5,
      windowMs: 28 * DAY,
      window: '4w',
      entity: 'svc/checkout',
      labels: { team: 'payments' },
      semantics: 'prometheus',
      pageAlerts: false,
      ticketAlerts: false,
      source: 'pyrra',
      description: 'Checkout HTTP requests that do not fail',
      indicator: {
        type: 'ratio',
        errors: 'http_requests_total{job="checkout",code=~"5.."}',
        total: 'http_requests_total{job="checkout"}',
        grouping: ['handler'],
      },
    },
    {
      name: 'checkout-requests-latency',
      objective: 99,
      windowMs: 30 * DAY,
      window: '30d',
      labels: { owner: 'payments', category: 'latency', service: 'checkout' },
      semantics: 'prometheus',
      pageAlerts: false,
      ticketAlerts: true,
      source: 'sloth',
      description: 'Checkout requests served under 400ms.',
      indicator: {
        type: 'raw',
        errorRatioQuery:
          '1 - (sum(rate(http_request_duration_seconds_bucket{job="checkout",le="0.4"}[{{.window}}]))\n' +
          '     / sum(rate(http_request_duration_seconds_count{job="checkout"}[{{.window}}])))\n',
      },
    },
    {
      name: 'orders-writes-availability',
      objective: 99.95,
      windowMs: 30 * DAY,
      window: '30d',
      entity: 'db/orders',
      labels: { service: 'orders' },
      semantics: 'prometheus',
      pageAlerts: true,
      ticketAlerts: false,
      source: 'sloth',
      indicator: { type: 'plugin', id: 'sloth-common/kubernetes/apiserver/availability', options: { filter: 'verb="POST"' } },
    },
  ];

  it('reads native, Pyrra, Sloth and Sloth CRD documents of one file, in file order', () => {
    expect(slosOf(fixture('mixed.yaml'))).toEqual(MIXED);
  });

  describe('through loadConfig', () => {
    let dir = '';
    afterEach(async () => {
      if (dir !== '') await rm(dir, { recursive: true, force: true });
      dir = '';
    });

    it('loads a multi-document slos.yaml, cross-checked against topology.yaml, frozen', async () => {
      dir = await mkdtemp(join(tmpdir(), 'stormcell-slos-'));
      await writeFile(join(dir, 'slos.yaml'), fixture('mixed.yaml'));
      await writeFile(join(dir, 'topology.yaml'), readFileSync(FIXTURES + '../good/topology.yaml', 'utf8'));
      const c = await loadConfig(dir);
      expect(c.slos).toEqual(MIXED);
      expect(Object.isFrozen(c.slos[2]?.labels)).toBe(true);
    });

    it('names the file, document and path of a problem', async () => {
      dir = await mkdtemp(join(tmpdir(), 'stormcell-slos-'));
      await writeFile(join(dir, 'slos.yaml'), fixture('mixed.yaml')); // no topology.yaml: no entities
      await expect(loadConfig(dir)).rejects.toThrow(
        /^slos\.yaml: document 1: slos\[0\]\.entity: "svc\/checkout" is not an entity of topology\.yaml$/,
      );
    });
  });
});

const FORMS =
  'expected the native form (slos: [...]), a Pyrra ServiceLevelObjective (apiVersion: pyrra.dev/v1alpha1), ' +
  'a Sloth spec (version: prometheus/v1) or a Sloth PrometheusServiceLevel (apiVersion: sloth.slok.dev/v1)';
const NATIVE = 'slos:\n  - {name: checkout-availability, objective: 99.9, window: 30d}\n';
const PYRRA = fixture('pyrra-ratio.yaml');
const SLOTH = fixture('sloth-no-alerts.yml');

describe('slos.yaml refusals', () => {
  it.each([
    // native messages as before
    ['a bad native window', 'slos:\n  - {name: a, objective: 99, window: soon}\n', 'slos.yaml: slos[0].window: expected a duration like 30s, got "soon"'],
    ['a duplicate native name', 'slos:\n  - {name: a, objective: 99, window: 1d}\n  - {name: a, objective: 99, window: 1d}\n', 'slos.yaml: slos[1].name: duplicate SLO "a"'],
    ['a zero native window', 'slos:\n  - {name: a, objective: 99, window: "0"}\n', 'slos.yaml: slos[0].window: must be longer than 0'],
    ['an unknown semantics', 'slos:\n  - {name: a, objective: 99, window: 1d, semantics: approx}\n', 'slos.yaml: slos[0].semantics: expected one of "prometheus", "exact", got "approx"'],
    // unknown keys
    ['an unknown Pyrra key (upstream examples/nginx.yaml)', fixture('pyrra-nginx-unknown-key.yaml'), 'slos.yaml: document 2: spec.latency: unknown field'],
    ['an unknown Sloth key', SLOTH.replace('objective:', 'target: 1\n    objective:'), 'slos.yaml: slos[0].target: unknown field'],
    ['CRD keys in a prometheus/v1 spec', SLOTH.replace('page_alert:', 'pageAlert:'), 'slos.yaml: slos[0].alerting.pageAlert: unknown field'],
    // targets and objectives
    ['a bad Pyrra target', `${NATIVE}---\n${PYRRA.replace('"99.99"', '"abc"')}`, 'slos.yaml: document 2: spec.target: expected a percentage between 0 and 100, got "abc"'],
    ['a Pyrra target of 100', PYRRA.replace('"99.99"', '"100"'), 'slos.yaml: spec.target: expected a percentage between 0 and 100, got "100"'],
    ['a Sloth objective of 0', SLOTH.replace('99.99', '0'), 'slos.yaml: slos[0].objective: expected a percentage between 0 and 100, got 0'],
    ['a zero Pyrra window', PYRRA.replace('window: 2w', 'window: "0"'), 'slos.yaml: spec.window: must be longer than 0'],
    // missing and contradictory parts
    ['a Sloth spec without service', SLOTH.replace('service: "myapp"\n', ''), 'slos.yaml: service: missing, expected a non-empty string'],
    ['a Sloth CRD without service', fixture('sloth-k8s-getting-started.yml').replace('  service: "myservice"\n', ''), 'slos.yaml: spec.service: missing, expected a non-empty string'],
    ['a Sloth spec without version', SLOTH.replace('version: "prometheus/v1"\n', ''), 'slos.yaml: version: missing, expected "prometheus/v1"'],
    ['a Pyrra document without name', PYRRA.replace('  name: coredns-response-errors\n', ''), 'slos.yaml: metadata.name: missing, expected a non-empty string'],
    ['a Pyrra document with two indicators', PYRRA.replace('    ratio:', '    bool_gauge: {metric: up}\n    ratio:'), 'slos.yaml: spec.indicator: expected exactly one of ratio, latency, latencyNative, bool_gauge, got ratio, bool_gauge'],
    ['a Sloth SLO with two SLI types', SLOTH.replace('      events:', '      raw: {error_ratio_query: q}\n      events:'), 'slos.yaml: slos[0].sli: expected exactly one of events, raw, plugin'],
    // cross-checks across documents
    ['a name twice across documents', `${NATIVE.replace('checkout-availability', 'coredns-response-errors')}---\n${PYRRA}`, 'slos.yaml: document 2: metadata.name: duplicate SLO "coredns-response-errors" (first in document 1)'],
    ['a native name equal to a Sloth id', `${SLOTH}---\n${NATIVE.replace('checkout-availability', 'myapp-http-availability')}`, 'slos.yaml: document 2: slos[0].name: duplicate SLO "myapp-http-availability" (first in document 1)'],
    ['an unknown entity in a Pyrra annotation', `${NATIVE}---\n${PYRRA.replace('metadata:\n', 'metadata:\n  annotations: {stormcell.io/entity: svc/nope}\n')}`, 'slos.yaml: document 2: metadata.annotations["stormcell.io/entity"]: "svc/nope" is not an entity of topology.yaml'],
    ['an unknown native entity in document 3', `${SLOTH}---\n${PYRRA}---\nslos:\n  - {name: s, objective: 99.9, window: 30d, entity: svc/nope}\n`, 'slos.yaml: document 3: slos[0].entity: "svc/nope" is not an entity of topology.yaml'],
    // documents of no known form
    ['an OpenSLO document', `${NATIVE}---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\n`, `slos.yaml: document 2: ${FORMS}, got apiVersion "openslo/v1", kind "SLO"`],
    ['a Pyrra list', 'apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjectiveList\nitems: []\n', `slos.yaml: ${FORMS}, got apiVersion "pyrra.dev/v1alpha1", kind "ServiceLevelObjectiveList"`],
    ['another Sloth spec version', 'version: prometheus/v2\nservice: s\n', `slos.yaml: ${FORMS}, got version "prometheus/v2"`],
    ['a misspelt native key', 'slo:\n  - {name: a}\n', `slos.yaml: ${FORMS}, got an object with keys "slo"`],
    ['a list', '- name: a\n', `slos.yaml: ${FORMS}, got array`],
    // YAML syntax, located in the whole file
    ['a syntax error in document 2', `${NATIVE}---\nslos:\n  - name: b\n    objective: 99: 1\n`, 'slos.yaml:6:16: Nested mappings are not allowed in compact mappings'],
    ['a duplicate key in document 2', `${NATIVE}---\nslos: []\nslos: []\n`, 'slos.yaml:5:1: Map keys must be unique'],
  ])('%s', (_case, text, message) => {
    expect(refusalOf(text)).toBe(message);
  });
});

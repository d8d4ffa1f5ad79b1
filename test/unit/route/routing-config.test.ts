import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { Inhibitor, parseRoutingConfig, timeMute, type ParseIntegration } from '../../../src/route/index.js';

const FIXTURES = new URL('../../fixtures/routing/', import.meta.url).pathname;
const load = (name: string): unknown => parse(readFileSync(FIXTURES + name, 'utf8'));

/** The plugins' side, faked: returns the raw config, as the brief for these tests asks. */
const passThrough: ParseIntegration = (_type, raw) => raw;

/** A stricter fake for the bad cases: knows three types and checks a webhook url. */
const strict: ParseIntegration = (type, raw, path) => {
  if (!['webhook', 'slack', 'pagerduty'].includes(type)) throw new ConfigError(`${path}: unknown integration type "${type}"`);
  const url = (raw as { url?: unknown }).url;
  if (type === 'webhook' && (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url))) {
    throw new ConfigError(`${path}.url: expected a URL, got ${JSON.stringify(url)}`);
  }
  return raw;
};

const MIN = 60_000;

describe('parseRoutingConfig: an alertmanager.yml routing section', () => {
  const calls: string[] = [];
  const config = parseRoutingConfig(load('alertmanager.yml'), 'routing.yaml', (type, raw, path) => {
    calls.push(`${type} ${path}`);
    return { parsed: raw };
  });

  it('hands every integration config to the plugins with its path', () => {
    expect(calls).toEqual([
      'slack receivers[0].slack_configs[0]',
      'pagerduty receivers[1].pagerduty_configs[0]',
      'slack receivers[2].slack_configs[0]',
      'webhook receivers[2].webhook_configs[0]',
      'webhook receivers[2].webhook_configs[1]',
      'webhook receivers[3].webhook_configs[0]',
      'webhook receivers[4].webhook_configs[0]',
    ]);
  });

  it('keeps receivers by name with their integrations in file order', () => {
    expect([...config.receivers.keys()]).toEqual(['slack-default', 'pagerduty-oncall', 'slack-db', 'webhook-db-nonprod', 'webhook-checkout', 'blackhole']);
    expect(config.receivers.get('slack-db')).toEqual([
      { type: 'slack', index: 0, config: { parsed: { channel: '#db-alerts', send_resolved: true } } },
      { type: 'webhook', index: 0, config: { parsed: { url: 'http://db-bot.internal:8080/alert' } } },
      { type: 'webhook', index: 1, config: { parsed: { url: 'http://db-audit.internal:8080/alert', send_resolved: false } } },
    ]);
    expect(config.receivers.get('blackhole')).toEqual([]);
  });

  it.each<[string, Record<string, string>, Array<Record<string, unknown>>]>([
    ['critical pages and continues to the team route', { alertname: 'ReplicationLag', severity: 'critical', team: 'db', env: 'prod' }, [
      { receiver: 'pagerduty-oncall', groupBy: ['alertname', 'cluster', 'service'], groupWaitMs: 10_000, groupIntervalMs: 5 * MIN, repeatIntervalMs: 60 * MIN },
      { receiver: 'slack-db', groupBy: ['alertname', 'cluster', 'service'], groupWaitMs: 30_000, repeatIntervalMs: 180 * MIN },
    ]],
    ['non-prod db alerts group by everything and mute out of hours', { severity: 'warning', team: 'storage', env: 'dev' }, [
      { receiver: 'webhook-db-nonprod', groupBy: [], groupByAll: true, muteTimeIntervals: ['out-of-hours'], activeTimeIntervals: [] },
    ]],
    ['legacy match and match_re', { service: 'checkout', env: 'staging' }, [
      { receiver: 'webhook-checkout', activeTimeIntervals: ['business-hours'], routeKey: '{}/{env=~"^(?:prod|staging)$",service="checkout"}' },
    ]],
    ['match_re is anchored', { service: 'checkout', env: 'production' }, [{ receiver: 'slack-default', routeKey: '{}' }]],
    ['the watchdog goes nowhere, often', { alertname: 'Watchdog' }, [{ receiver: 'blackhole', repeatIntervalMs: MIN }]],
  ])('routes: %s', (_name, labels, expected) => {
    const matched = config.route.match(labels);
    expect(matched).toHaveLength(expected.length);
    matched.forEach((r, i) => expect(r).toMatchObject(expected[i]!));
  });

  it('describes a route test as amtool does', () => {
    expect(config.route.describe({ severity: 'critical', team: 'db', env: 'prod' }).receivers).toEqual(['pagerduty-oncall', 'slack-db']);
  });

  it('reads inhibit rules in both syntaxes', () => {
    expect(config.inhibitRules.map((r) => [r.sourceMatchers.map(String), r.targetMatchers.map(String), r.equal])).toEqual([
      [['severity="critical"'], ['severity=~"warning|info"'], ['alertname', 'cluster']],
      [['alertname="NodeDown"'], ['alertname=~"^(?:Node.+)$"'], ['instance']],
    ]);
    const ih = new Inhibitor(config.inhibitRules);
    const critical = { alertname: 'DiskFull', cluster: 'eu1', severity: 'critical' };
    expect(ih.isInhibited({ alertname: 'DiskFull', cluster: 'eu1', severity: 'warning' }, [critical])).toBe(0);
    expect(ih.isInhibited({ alertname: 'DiskFull', cluster: 'us1', severity: 'warning' }, [critical])).toBeNull();
    expect(ih.isInhibited({ alertname: 'NodeFilesystemFull', instance: 'n1' }, [{ alertname: 'NodeDown', instance: 'n1' }])).toBe(1);
  });

  it('reads both kinds of time intervals into one map, which routes use by name', () => {
    expect([...config.timeIntervals.keys()]).toEqual(['out-of-hours', 'business-hours']);
    const [nonprod] = config.route.match({ team: 'db', env: 'dev' });
    const [checkout] = config.route.match({ service: 'checkout', env: 'prod' });
    const SAT_NOON_UTC = Date.UTC(2026, 2, 7, 12, 0);
    const MON_10_BERLIN = Date.UTC(2026, 2, 9, 9, 0); // 10:00 CET
    const MON_18_BERLIN = Date.UTC(2026, 2, 9, 17, 0);
    expect(timeMute(nonprod!, config.timeIntervals, SAT_NOON_UTC)).toEqual({ kind: 'mute', intervals: ['out-of-hours'] });
    expect(timeMute(nonprod!, config.timeIntervals, MON_10_BERLIN)).toBeNull();
    expect(timeMute(checkout!, config.timeIntervals, MON_10_BERLIN)).toBeNull();
    expect(timeMute(checkout!, config.timeIntervals, MON_18_BERLIN)).toEqual({ kind: 'inactive' });
  });

  it('does not change its input', () => {
    const raw = load('alertmanager.yml');
    const before = JSON.stringify(raw);
    parseRoutingConfig(raw, 'routing.yaml', passThrough);
    expect(JSON.stringify(raw)).toBe(before);
  });
});

describe('parseRoutingConfig: small good files', () => {
  it('takes empty YAML keys as absent, as Alertmanager does', () => {
    const c = parseRoutingConfig(parse('route:\n  receiver: r\n  routes:\nreceivers:\n  - name: r\ninhibit_rules:\ntime_intervals:\nglobal:\n'), 'routing.yaml', passThrough);
    expect(c.route.match({ a: 'b' }).map((r) => r.receiver)).toEqual(['r']);
    expect(c.inhibitRules).toEqual([]);
    expect(c.timeIntervals.size).toBe(0);
  });

  it('gives a route the root defaults when it sets no timers', () => {
    const c = parseRoutingConfig({ route: { receiver: 'r' }, receivers: [{ name: 'r' }] }, 'routing.yaml', passThrough);
    expect(c.route.root).toMatchObject({ groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000, groupBy: [], routeKey: '{}' });
  });
});

describe('parseRoutingConfig: bad files', () => {
  it.each([
    ['bad-duration.yaml', 'routing.yaml: route.routes[2].group_wait: expected a duration like 30s, got "soon"'],
    ['bad-unknown-key.yaml', 'routing.yaml: route.routes[0].recevier: unknown field'],
    ['bad-unknown-top-level-key.yaml', 'routing.yaml: tracing: unknown field'],
    ['bad-no-route.yaml', 'routing.yaml: route: missing, expected an object'],
    ['bad-undefined-receiver.yaml', 'routing.yaml: route.routes[1].receiver: undefined receiver "team-x"'],
    ['bad-duplicate-receiver.yaml', 'routing.yaml: receivers[2].name: duplicate receiver "default" (first at receivers[0])'],
    ['bad-receiver-name.yaml', 'routing.yaml: receivers[0].name: missing, expected a non-empty string'],
    ['bad-root-matchers.yaml', 'routing.yaml: route.matchers: the root route must not have matchers'],
    ['bad-root-match.yaml', 'routing.yaml: route.match: the root route must not have matchers'],
    ['bad-root-continue.yaml', 'routing.yaml: route.continue: the root route must not have continue'],
    ['bad-root-receiver.yaml', 'routing.yaml: route.receiver: the root route must name a default receiver'],
    ['bad-root-mute.yaml', 'routing.yaml: route.mute_time_intervals: the root route must not have time intervals'],
    ['bad-undefined-time-interval.yaml', 'routing.yaml: route.routes[0].mute_time_intervals[0]: undefined time interval "weekends"'],
    ['bad-duplicate-time-interval.yaml', 'routing.yaml: time_intervals[0].name: duplicate time interval "weekends" (first at mute_time_intervals[0])'],
    ['bad-time-interval.yaml', 'routing.yaml: time_intervals[0].time_intervals[0].weekdays[0]: end day monday is before start day friday'],
    ['bad-location.yaml', 'routing.yaml: time_intervals[0].time_intervals[0].location: unknown time zone "Europe/Atlantis"'],
    ['bad-zero-group-interval.yaml', 'routing.yaml: route.routes[0].group_interval: must not be zero'],
    ['bad-zero-repeat-interval.yaml', 'routing.yaml: route.repeat_interval: must not be zero'],
    ['bad-matcher.yaml', 'routing.yaml: route.routes[0].matchers[1]: column 9: bad matcher format, expected one of =, !=, =~, !~: severity~"critical"'],
    ['bad-match-re.yaml', 'routing.yaml: route.routes[0].match_re.service: invalid regular expression "(checkout": Unterminated group'],
    ['bad-group-by.yaml', 'routing.yaml: route.group_by: cannot have wildcard group_by (`...`) and other labels at the same time'],
    ['bad-inhibit-matcher.yaml', 'routing.yaml: inhibit_rules[1].target_matchers[0]: column 17: matcher value contains unescaped double quote: warning"'],
    ['bad-inhibit-key.yaml', 'routing.yaml: inhibit_rules[0].equals: unknown field'],
    ['bad-receiver-key.yaml', 'routing.yaml: receivers[0].webhook_config: unknown field'],
    ['bad-receiver-not-a-list.yaml', 'routing.yaml: receivers[0].webhook_configs: expected an array, got object'],
    ['bad-integration-type.yaml', 'routing.yaml: receivers[0].smoke_signal_configs[0]: unknown integration type "smoke_signal"'],
    ['bad-integration-config.yaml', 'routing.yaml: receivers[0].webhook_configs[1].url: expected a URL, got "not a url"'],
  ])('%s is refused with its path', (file, message) => {
    expect(() => parseRoutingConfig(load(file), 'routing.yaml', strict)).toThrow(new ConfigError(message));
  });

  it('an empty file has no route', () => {
    expect(() => parseRoutingConfig(null, 'routing.yaml', strict)).toThrow(new ConfigError('routing.yaml: route: missing, expected an object'));
  });

  it('keeps the plugin error as the cause and lets other errors through unchanged', () => {
    const err = (() => {
      try {
        parseRoutingConfig(load('bad-integration-type.yaml'), 'routing.yaml', strict);
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err?.cause).toBeInstanceOf(ConfigError);
    const bug = new TypeError('plugin bug');
    expect(() => parseRoutingConfig(load('bad-integration-type.yaml'), 'routing.yaml', () => {
      throw bug;
    })).toThrow(bug);
  });
});

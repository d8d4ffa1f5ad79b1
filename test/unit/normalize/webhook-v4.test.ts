import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseWebhookV4 } from '../../../src/normalize/index.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));
const utc = (s: string): number => Date.parse(s);
const TS = utc('2026-03-01T10:00:00.000Z');

function problem(body: unknown): string {
  try {
    parseWebhookV4(body, TS);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  }
  throw new Error('expected an InputError');
}

const ZULIP_LABELS = { alertname: 'High CPU Temperature', host: 'andromeda', severity: 'critical' };
const ZULIP_URL =
  'http://cobalt:9090/graph?g0.expr=avg+by%28host%29+%28sensors_temp_input%7Bfeature%3D~%22core_%5B0-9%5D%2B%22%7D%29+%3E+15&g0.tab=1';

/** A minimal valid payload with one alert, for mutation cases. */
function payload(alert: Record<string, unknown>, envelope: Record<string, unknown> = {}): unknown {
  return { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'A' }, ...alert }], ...envelope };
}

// a1bc48475b20e73d was computed independently (Python FNV-1a 64); it is also the first alert's sent fingerprint.
describe('parseWebhookV4 on valid payloads', () => {
  it('parses the Zulip firing group: fingerprints recomputed (the sent c2ea85182f28cbd9 is not trusted), endsAt null', () => {
    const alert = (description: string): unknown => ({
      kind: 'alert',
      at: TS,
      source: 'webhook',
      fingerprint: 'a1bc48475b20e73d',
      labels: ZULIP_LABELS,
      annotations: { description, topic: 'andromeda', summary: 'High CPU core temperature' },
      startsAt: utc('2020-02-06T00:17:58.432Z'),
      endsAt: null,
      generatorURL: ZULIP_URL,
    });
    expect(parseWebhookV4(fixture('alertmanager/valid/zulip-alertmanager-firing.json'), TS)).toEqual([
      alert('CPU core temperature is 34.75C'),
      alert('CPU core temperature is 17.625C'),
    ]);
  });

  it('parses the Zulip resolved group: a zero endsAt on a resolved alert resolves it at the receive time', () => {
    expect(parseWebhookV4(fixture('alertmanager/valid/zulip-alertmanager-resolved.json'), TS)).toEqual([
      {
        kind: 'alert',
        at: TS,
        source: 'webhook',
        fingerprint: 'a1bc48475b20e73d',
        labels: ZULIP_LABELS,
        annotations: { description: 'CPU core temperature is 34.75C', topic: 'andromeda', summary: 'High CPU core temperature' },
        startsAt: utc('2020-02-06T00:17:58.432Z'),
        endsAt: TS,
        generatorURL: ZULIP_URL,
      },
    ]);
  });

  it('uses each alert\'s own status: a resolved alert keeps its endsAt, a firing one in a resolved group gets null', () => {
    expect(parseWebhookV4(fixture('alertmanager/valid/hand-resolved-with-end.json'), TS)).toEqual([
      {
        kind: 'alert',
        at: TS,
        source: 'webhook',
        fingerprint: 'dbf4c76bc11427f5',
        labels: { alertname: 'DiskFull', instance: 'db-1:9100', severity: 'page' },
        annotations: { summary: 'disk /var/lib/postgresql 95% full' },
        startsAt: utc('2026-03-01T09:50:00.500Z'),
        endsAt: utc('2026-03-01T09:58:12.000Z'),
        generatorURL: 'http://prometheus:9090/graph?g0.expr=node_filesystem_avail_bytes+%3C+0.05&g0.tab=1',
      },
      {
        kind: 'alert',
        at: TS,
        source: 'webhook',
        fingerprint: 'ce0e9e03fd9794d8',
        labels: { alertname: 'DiskFull', instance: 'db-2:9100', severity: 'page' },
        annotations: { summary: 'disk /var/lib/postgresql 97% full' },
        startsAt: utc('2026-03-01T09:55:00Z'),
        endsAt: null,
      },
    ]);
  });

  it.each([
    ['firing, no times: starts at ts', { status: 'firing' }, TS, null],
    ['firing, zero startsAt', { status: 'firing', startsAt: '0001-01-01T00:00:00Z' }, TS, null],
    ['resolved, no times: starts and ends at ts', { status: 'resolved' }, TS, TS],
    ['resolved, only endsAt: starts at endsAt', { status: 'resolved', endsAt: '2026-03-01T09:00:00Z' }, utc('2026-03-01T09:00:00Z'), utc('2026-03-01T09:00:00Z')],
    ['resolved, started after ts (sender clock ahead), no endsAt', { status: 'resolved', startsAt: '2026-03-01T10:00:05Z' }, utc('2026-03-01T10:00:05Z'), utc('2026-03-01T10:00:05Z')],
  ])('times: %s', (_name, alert, startsAt, endsAt) => {
    const [event] = parseWebhookV4(payload(alert), TS);
    expect(event).toMatchObject({ startsAt, endsAt });
  });

  it('accepts an empty alerts array', () => {
    expect(parseWebhookV4(payload({}, { alerts: [] }), TS)).toEqual([]);
  });
});

describe('parseWebhookV4 on invalid payloads', () => {
  it.each([
    ['grafana/invalid/zulip-grafana9-firing-multiple.json', 'version: expected "4", got "1"'],
    ['alertmanager/invalid/unknown-alert-status.json', 'alerts[0].status: expected one of "firing", "resolved", got "pending"'],
    ['alertmanager/invalid/missing-version.json', 'version: missing, expected "4"'],
  ])('%s → %s', (path, message) => {
    expect(problem(fixture(path))).toBe(message);
  });

  it.each([
    ['an array body', [], 'body: expected an object, got array'],
    ['version as a number', payload({}, { version: 4 }), 'version: expected "4", got number'],
    ['an unknown group status', payload({}, { status: 'ok' }), 'status: expected one of "firing", "resolved", got "ok"'],
    ['missing alerts', { version: '4', status: 'firing' }, 'alerts: missing, expected an array'],
    ['a missing alert status', { version: '4', status: 'firing', alerts: [{ labels: { a: '1' } }] }, 'alerts[0].status: missing, expected one of "firing", "resolved"'],
    ['no labels with a value', payload({ labels: { alertname: '' } }), 'alerts[0].labels: expected at least one label with a non-empty value, got none'],
    ['a bad startsAt', payload({ startsAt: 'now' }), 'alerts[0].startsAt: expected an RFC 3339 time, got "now"'],
    ['a bad endsAt on a firing alert', payload({ endsAt: '2026-03-01' }), 'alerts[0].endsAt: expected an RFC 3339 time, got "2026-03-01"'],
    [
      'a resolved alert that ends before it starts',
      payload({ status: 'resolved', startsAt: '2026-03-01T09:00:00Z', endsAt: '2026-03-01T08:00:00Z' }),
      'alerts[0].endsAt: "2026-03-01T08:00:00Z" is before startsAt "2026-03-01T09:00:00Z"',
    ],
    ['a fingerprint that is not a string', payload({ fingerprint: 12 }), 'alerts[0].fingerprint: expected a string, got number'],
  ])('rejects %s', (_name, body, message) => {
    expect(problem(body)).toBe(message);
  });
});

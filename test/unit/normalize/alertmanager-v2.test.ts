import { readFileSync } from 'node:fs';
import type { AlertEvent } from '../../../src/model/index.js';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseAlertmanagerV2 } from '../../../src/normalize/index.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));
const utc = (s: string): number => Date.parse(s);
const TS = utc('2026-03-01T10:00:00.000Z');

/** Runs the parser and returns the InputError message it throws (fails the test if it throws anything else). */
function problem(body: unknown): string {
  try {
    parseAlertmanagerV2(body, TS);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).status).toBe(400);
    return (err as InputError).message;
  }
  throw new Error('expected an InputError');
}

// Fingerprints were computed independently (Python FNV-1a 64 over the sorted labels, each followed by 0xff).
describe('parseAlertmanagerV2 on valid payloads', () => {
  it('parses a Prometheus batch: nanosecond times, offsets, UTF-8 names, empty values dropped, defaults', () => {
    expect(parseAlertmanagerV2(fixture('prometheus/valid/v2-batch.json'), TS)).toEqual([
      {
        kind: 'alert',
        at: TS,
        source: 'api',
        fingerprint: '29dfb52689eade8a',
        labels: { alertname: 'HighErrorRate', service: 'checkout', namespace: 'shop', severity: 'critical' },
        annotations: { summary: 'checkout 5xx ratio above 5%', runbook_url: 'https://runbooks.example.com/high-error-rate' },
        startsAt: utc('2026-03-01T09:59:30.123Z'),
        endsAt: utc('2026-03-01T10:04:30.123Z'),
        generatorURL:
          'http://prometheus:9090/graph?g0.expr=sum+by%28service%29+%28rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29+%3E+0.05&g0.tab=1',
      },
      {
        kind: 'alert',
        at: TS,
        source: 'api',
        fingerprint: 'ad35160457c63382',
        labels: { alertname: 'PodCrashLooping', service: 'payments', pod: 'payments-7d9f-abcde', 'service.name': 'payments' },
        annotations: { summary: '' },
        startsAt: utc('2026-03-01T09:30:00Z'),
        endsAt: utc('2026-03-01T09:45:00Z'),
        generatorURL: 'http://prometheus:9090/graph?g0.expr=increase%28kube_pod_container_status_restarts_total%5B10m%5D%29+%3E+3&g0.tab=1',
      },
      {
        kind: 'alert',
        at: TS,
        source: 'api',
        fingerprint: '003b0a0f7d3fa569',
        labels: { alertname: 'Watchdog' },
        annotations: {},
        startsAt: TS,
        endsAt: null,
      },
    ]);
  });

  it('parses a Loki ruler alert: Go zero endsAt is null and the LogQL generatorURL is kept verbatim', () => {
    const [event, ...rest] = parseAlertmanagerV2(fixture('loki/valid/ruler-alert.json'), TS);
    expect(rest).toEqual([]);
    expect(event).toEqual({
      kind: 'alert',
      at: TS,
      source: 'api',
      fingerprint: '953429d7fc103a80',
      labels: { alertname: 'CheckoutErrorLogs', app: 'checkout', namespace: 'shop', severity: 'warning' },
      annotations: {
        summary: 'checkout logs more than 10 errors/s',
        description: 'sum by (app) (rate({namespace="shop", app="checkout"} |= "error" [5m])) > 10',
      },
      startsAt: utc('2026-03-01T09:58:00Z'),
      endsAt: null,
      generatorURL:
        'http://loki-ruler:3100/graph?g0.expr=sum+by+%28app%29+%28rate%28%7Bnamespace%3D%22shop%22%2C+app%3D%22checkout%22%7D+%7C%3D+%22error%22+%5B5m%5D%29%29+%3E+10&g0.tab=1',
    });
  });

  it('accepts an empty array and yields no events', () => {
    expect(parseAlertmanagerV2(fixture('prometheus/valid/empty.json'), TS)).toEqual([]);
  });

  it.each([
    ['startsAt missing, endsAt set: starts at endsAt (postAlertsHandler)', { endsAt: '2026-03-01T09:00:00Z' }, utc('2026-03-01T09:00:00Z'), utc('2026-03-01T09:00:00Z')],
    ['startsAt zero, endsAt zero', { startsAt: '0001-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z' }, TS, null],
    ['startsAt and endsAt null', { startsAt: null, endsAt: null }, TS, null],
    ['endsAt equal to startsAt', { startsAt: '2026-03-01T09:00:00Z', endsAt: '2026-03-01T09:00:00.000Z' }, utc('2026-03-01T09:00:00Z'), utc('2026-03-01T09:00:00Z')],
    ['lowercase t and z', { startsAt: '2026-03-01t09:00:00z' }, utc('2026-03-01T09:00:00Z'), null],
  ])('times: %s', (_name, times, startsAt, endsAt) => {
    const [event] = parseAlertmanagerV2([{ labels: { alertname: 'A' }, ...times }], TS);
    expect(event).toMatchObject({ startsAt, endsAt });
  });

  it('tolerates unknown fields, null annotations and null generatorURL, and copies none of them', () => {
    const [event] = parseAlertmanagerV2([{ labels: { alertname: 'A' }, annotations: null, generatorURL: null, status: 'firing', extra: { x: 1 } }], TS);
    expect(event).toEqual({ kind: 'alert', at: TS, source: 'api', fingerprint: 'd2c6efc389df0927', labels: { alertname: 'A' }, annotations: {}, startsAt: TS, endsAt: null });
    expect(Object.keys(event as object)).not.toContain('generatorURL');
  });

  it('keeps label names as sent (no lowercasing) and treats __proto__ and constructor as ordinary labels', () => {
    const body = JSON.parse('[{"labels":{"AlertName":"X","__proto__":"p","constructor":"c"}}]') as unknown;
    const [event] = parseAlertmanagerV2(body, TS);
    const labels = (event as { labels: Record<string, string> }).labels;
    expect(Object.keys(labels).sort()).toEqual(['AlertName', '__proto__', 'constructor']);
    expect(labels['__proto__']).toBe('p');
    expect(labels['constructor']).toBe('c');
  });

  it('does not mutate its input; a clean label set is taken over as is, one with empty values is copied', () => {
    // The body is owned by the request (fresh from JSON.parse), so clean sets are used without a copy.
    const body = [
      { labels: { alertname: 'A', empty: '' }, annotations: { summary: 's' } },
      { labels: { alertname: 'B' }, annotations: { summary: 't' } },
    ];
    const before = structuredClone(body);
    const [copied, taken] = parseAlertmanagerV2(body, TS) as AlertEvent[];
    expect(body).toEqual(before);
    expect(copied!.labels).not.toBe(body[0]!.labels);
    expect(copied!.labels).toEqual({ alertname: 'A' });
    expect(taken!.labels).toBe(body[1]!.labels);
    expect(taken!.annotations).toBe(body[1]!.annotations);
  });
});

describe('parseAlertmanagerV2 on invalid payloads', () => {
  it.each([
    ['prometheus/invalid/object-not-array.json', 'body: expected an array, got object'],
    ['prometheus/invalid/starts-at-yesterday.json', 'alerts[2].startsAt: expected an RFC 3339 time, got "yesterday"'],
    ['prometheus/invalid/ends-before-starts.json', 'alerts[0].endsAt: "2026-03-01T09:00:00Z" is before startsAt "2026-03-01T10:00:00Z"'],
    ['prometheus/invalid/label-value-number.json', 'alerts[1].labels.replicas: expected a string, got number'],
    ['prometheus/invalid/only-empty-labels.json', 'alerts[0].labels: expected at least one label with a non-empty value, got none'],
  ])('%s → %s', (path, message) => {
    expect(problem(fixture(path))).toBe(message);
  });

  it.each([
    ['a string body', 'hello', 'body: expected an array, got "hello"'],
    ['null body', null, 'body: expected an array, got null'],
    ['an alert that is not an object', [{ labels: { a: '1' } }, 7], 'alerts[1]: expected an object, got number'],
    ['missing labels', [{ annotations: {} }], 'alerts[0].labels: missing, expected an object of strings'],
    ['null labels', [{ labels: null }], 'alerts[0].labels: expected an object of strings, got null'],
    ['labels as an array', [{ labels: ['alertname'] }], 'alerts[0].labels: expected an object of strings, got array'],
    ['no labels at all', [{ labels: {} }], 'alerts[0].labels: expected at least one label with a non-empty value, got none'],
    ['an empty label name', [{ labels: { alertname: 'A', '': 'x' } }], 'alerts[0].labels[""]: label name must not be empty'],
    ['a null label value', [{ labels: { alertname: null } }], 'alerts[0].labels.alertname: expected a string, got null'],
    ['a dotted label name with a bad value', [{ labels: { 'service.name': 1 } }], 'alerts[0].labels["service.name"]: expected a string, got number'],
    ['a numeric label name with a bad value', [{ labels: { '3': true } }], 'alerts[0].labels["3"]: expected a string, got boolean'],
    ['an empty annotation name', [{ labels: { a: '1' }, annotations: { '': 'x' } }], 'alerts[0].annotations[""]: annotation name must not be empty'],
    ['an annotation value object', [{ labels: { a: '1' }, annotations: { summary: {} } }], 'alerts[0].annotations.summary: expected a string, got object'],
    ['annotations as a string', [{ labels: { a: '1' }, annotations: 'x' }], 'alerts[0].annotations: expected an object of strings or null, got "x"'],
    ['startsAt as a number', [{ labels: { a: '1' }, startsAt: 1772359200000 }], 'alerts[0].startsAt: expected an RFC 3339 time or null, got number'],
    ['endsAt without a zone', [{ labels: { a: '1' }, endsAt: '2026-03-01T10:00:00' }], 'alerts[0].endsAt: expected an RFC 3339 time, got "2026-03-01T10:00:00"'],
    ['endsAt on February 30th', [{ labels: { a: '1' }, endsAt: '2026-02-30T10:00:00Z' }], 'alerts[0].endsAt: expected an RFC 3339 time, got "2026-02-30T10:00:00Z"'],
    ['a long bad time is cut', [{ labels: { a: '1' }, startsAt: 'x'.repeat(100) }], `alerts[0].startsAt: expected an RFC 3339 time, got "${'x'.repeat(40)}"…`],
    ['generatorURL as a number', [{ labels: { a: '1' }, generatorURL: 5 }], 'alerts[0].generatorURL: expected a string or null, got number'],
  ])('rejects %s', (_name, body, message) => {
    expect(problem(body)).toBe(message);
  });

  it('reports the first invalid alert of a batch and nothing is returned for the valid ones before it', () => {
    const body = [{ labels: { a: '1' } }, { labels: { a: '2' }, startsAt: 'soon' }, { labels: {} }];
    expect(problem(body)).toBe('alerts[1].startsAt: expected an RFC 3339 time, got "soon"');
  });
});

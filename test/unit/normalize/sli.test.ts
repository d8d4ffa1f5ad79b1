import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseSli } from '../../../src/normalize/index.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));
const utc = (s: string): number => Date.parse(s);
const TS = utc('2026-03-01T10:00:00.000Z');

function problem(body: unknown): string {
  try {
    parseSli(body, TS);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  }
  throw new Error('expected an InputError');
}

const sample = { slo: 's', at: '2026-03-01T10:00:00Z', good: 1, total: 2 };

describe('parseSli on valid payloads', () => {
  it.each([
    ['sli/valid/single.json', [{ kind: 'sli', at: TS, slo: 'checkout-availability', sampleAt: utc('2026-03-01T10:00:00Z'), good: 99950, total: 100000 }]],
    [
      'sli/valid/batch.json',
      [
        { kind: 'sli', at: TS, slo: 'checkout-availability', sampleAt: utc('2026-03-01T10:00:00Z'), good: 99950, total: 100000 },
        { kind: 'sli', at: TS, slo: 'checkout-availability', sampleAt: utc('2026-03-01T10:01:00Z'), good: 12, total: 12 },
        { kind: 'sli', at: TS, slo: 'search-latency', sampleAt: utc('2026-03-01T10:01:00.500Z'), good: 0, total: 0 },
      ],
    ],
    ['sli/valid/empty.json', []],
  ])('%s', (path, expected) => {
    expect(parseSli(fixture(path), TS)).toEqual(expected);
  });

  it('accepts fractional counters (rates summed by an exporter)', () => {
    expect(parseSli({ ...sample, good: 0.5, total: 1.25 }, TS)[0]).toMatchObject({ good: 0.5, total: 1.25 });
  });
});

describe('parseSli on invalid payloads', () => {
  it.each([
    ['sli/invalid/good-exceeds-total.json', 'samples[1].good: must not exceed total, got 12 > 10'],
    ['sli/invalid/negative-total.json', 'total: expected a number >= 0, got -1'],
  ])('%s → %s', (path, message) => {
    expect(problem(fixture(path))).toBe(message);
  });

  it.each([
    ['a string body', 'hello', 'body: expected an object or an array, got "hello"'],
    ['a null body', null, 'body: expected an object or an array, got null'],
    ['good above total in a single sample', { ...sample, good: 3 }, 'good: must not exceed total, got 3 > 2'],
    ['an unknown field', { ...sample, unit: 'requests' }, 'unit: unknown field'],
    ['missing slo', { at: sample.at, good: 1, total: 1 }, 'slo: missing, expected a non-empty string'],
    ['good as a string', { ...sample, good: '1' }, 'good: expected a number >= 0, got "1"'],
    ['at not a time', { ...sample, at: 'now' }, 'at: expected an RFC 3339 time, got "now"'],
    ['a bad sample in an array', [sample, { ...sample, total: -2 }], 'samples[1].total: expected a number >= 0, got -2'],
    ['a non-object in an array', [sample, 'x'], 'samples[1]: expected an object, got "x"'],
    ['a bad time in an array', [{ ...sample, at: '2026-13-01T00:00:00Z' }], 'samples[0].at: expected an RFC 3339 time, got "2026-13-01T00:00:00Z"'],
  ])('rejects %s', (_name, body, message) => {
    expect(problem(body)).toBe(message);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseDeployGeneric } from '../../../src/normalize/index.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));
const utc = (s: string): number => Date.parse(s);
const TS = utc('2026-03-01T10:00:00.000Z');

function problem(body: unknown): string {
  try {
    parseDeployGeneric(body, TS);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  }
  throw new Error('expected an InputError');
}

const base = { service: 'checkout', version: 'v2', at: '2026-03-01T09:00:00Z' };

describe('parseDeployGeneric on valid payloads', () => {
  it.each([
    [
      'deploy-generic/valid/full.json',
      {
        kind: 'deploy', at: TS, service: 'checkout', version: 'v2.14.0', previousVersion: 'v2.13.2', environment: 'production',
        cluster: 'eu-1', namespace: 'shop', deployedAt: utc('2026-03-01T09:54:10Z'), status: 'succeeded', commit: '9f1c2ab',
        author: 'alice', url: 'https://ci.example.com/pipelines/8812',
      },
    ],
    ['deploy-generic/valid/minimal.json', { kind: 'deploy', at: TS, service: 'payments', version: '1.8.3', deployedAt: utc('2026-03-01T08:40:00Z'), status: 'succeeded' }],
  ])('%s', (path, expected) => {
    const events = parseDeployGeneric(fixture(path), TS);
    expect(events).toEqual([expected]);
    // Absent optional fields are left out, not written as undefined.
    expect(Object.keys(events[0] as object).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(['succeeded', 'failed', 'rolled_back'])('accepts status %s', (status) => {
    expect(parseDeployGeneric({ ...base, status }, TS)[0]).toMatchObject({ status });
  });
});

describe('parseDeployGeneric on invalid payloads', () => {
  it.each([
    ['deploy-generic/invalid/unknown-field.json', 'sha: unknown field'],
    ['deploy-generic/invalid/rolledback-status.json', 'status: expected one of "succeeded", "failed", "rolled_back", got "rolledback"'],
  ])('%s → %s', (path, message) => {
    expect(problem(fixture(path))).toBe(message);
  });

  it.each([
    ['a null body', null, 'body: expected an object, got null'],
    ['missing service', { version: 'v2', at: '2026-03-01T09:00:00Z' }, 'service: missing, expected a non-empty string'],
    ['a numeric version', { ...base, version: 2 }, 'version: expected a non-empty string, got number'],
    ['missing at', { service: 'checkout', version: 'v2' }, 'at: missing, expected an RFC 3339 time'],
    ['at not a time', { ...base, at: 'soon' }, 'at: expected an RFC 3339 time, got "soon"'],
    ['an empty environment', { ...base, environment: '' }, 'environment: must be a non-empty string'],
    ['a url object', { ...base, url: { href: 'x' } }, 'url: expected a non-empty string, got object'],
  ])('rejects %s', (_name, body, message) => {
    expect(problem(body)).toBe(message);
  });
});

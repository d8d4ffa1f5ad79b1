import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseTicketGeneric } from '../../../src/normalize/index.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));
const utc = (s: string): number => Date.parse(s);
const TS = utc('2026-03-01T10:00:00.000Z');

function problem(body: unknown): string {
  try {
    parseTicketGeneric(body, TS);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  }
  throw new Error('expected an InputError');
}

const base = { id: 'INC-1', title: 'T', createdAt: '2026-03-01T09:00:00Z' };

describe('parseTicketGeneric on valid payloads', () => {
  it.each([
    [
      'ticket-generic/valid/full.json',
      {
        kind: 'ticket', at: TS, source: 'generic', id: 'INC-1001', title: 'Checkout errors reported by customers',
        body: 'Customers in eu-1 get HTTP 502 at payment.', createdAt: utc('2026-03-01T09:57:00Z'), priority: 'P1',
        status: 'open', services: ['checkout', 'payments'], labels: { region: 'eu-1', channel: 'support' },
      },
    ],
    [
      'ticket-generic/valid/minimal-resolved.json',
      {
        kind: 'ticket', at: TS, source: 'generic', id: 'INC-1002', title: 'Search is slow', body: '',
        createdAt: utc('2026-03-01T08:00:00Z'), status: 'resolved', services: [], labels: {},
      },
    ],
  ])('%s', (path, expected) => {
    const events = parseTicketGeneric(fixture(path), TS);
    expect(events).toEqual([expected]);
    expect(Object.keys(events[0] as object).includes('priority')).toBe('priority' in expected);
  });

  it('defaults status to open', () => {
    expect(parseTicketGeneric(base, TS)[0]).toMatchObject({ status: 'open', body: '', services: [], labels: {} });
  });

  it('copies services and labels rather than keeping the input arrays and objects', () => {
    const body = { ...base, services: ['a'], labels: { k: 'v' } };
    const [event] = parseTicketGeneric(body, TS);
    body.services.push('b');
    body.labels.k = 'changed';
    expect(event).toMatchObject({ services: ['a'], labels: { k: 'v' } });
  });
});

describe('parseTicketGeneric on invalid payloads', () => {
  it.each([
    ['ticket-generic/invalid/unknown-field.json', 'severity: unknown field'],
    ['ticket-generic/invalid/closed-status.json', 'status: expected one of "open", "resolved", got "closed"'],
  ])('%s → %s', (path, message) => {
    expect(problem(fixture(path))).toBe(message);
  });

  it.each([
    ['an array body', [base], 'body: expected an object, got array'],
    ['missing id', { title: 'T', createdAt: '2026-03-01T09:00:00Z' }, 'id: missing, expected a non-empty string'],
    ['an empty title', { ...base, title: '' }, 'title: must be a non-empty string'],
    ['a numeric id', { ...base, id: 1001 }, 'id: expected a non-empty string, got number'],
    ['createdAt as epoch ms', { ...base, createdAt: 1772355600000 }, 'createdAt: expected an RFC 3339 time, got number'],
    ['createdAt not a time', { ...base, createdAt: 'this morning' }, 'createdAt: expected an RFC 3339 time, got "this morning"'],
    ['services as a string', { ...base, services: 'checkout' }, 'services: expected an array of strings, got "checkout"'],
    ['an empty service', { ...base, services: ['checkout', ''] }, 'services[1]: must be a non-empty string'],
    ['a label value number', { ...base, labels: { region: 1 } }, 'labels.region: expected a string, got number'],
    ['an empty label name', { ...base, labels: { '': 'x' } }, 'labels[""]: label name must not be empty'],
    ['status null', { ...base, status: null }, 'status: expected one of "open", "resolved", got null'],
  ])('rejects %s', (_name, body, message) => {
    expect(problem(body)).toBe(message);
  });
});

import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { RECEIVER_PATHS, type ReceiverPath } from '../../../src/model/index.js';
import { normalize } from '../../../src/normalize/index.js';

const TS = Date.parse('2026-03-01T10:00:00.000Z');

/** One valid body per receiver path, and the event kind and source it must yield. */
const ROWS: Array<[ReceiverPath, unknown, string, string | undefined]> = [
  ['/api/v2/alerts', [{ labels: { alertname: 'A' } }], 'alert', 'api'],
  ['/webhook/alertmanager', { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'A' } }] }, 'alert', 'webhook'],
  [
    '/webhook/tickets/jira',
    { webhookEvent: 'jira:issue_created', timestamp: 1, issue: { key: 'K-1', fields: { summary: 's', status: { name: 'Open' }, created: '2026-03-01T10:00:00.000+0000' } } },
    'ticket',
    'jira',
  ],
  ['/webhook/tickets/generic', { id: 'T-1', title: 't', createdAt: '2026-03-01T10:00:00Z' }, 'ticket', 'generic'],
  ['/webhook/deploys/generic', { service: 's', version: 'v1', at: '2026-03-01T10:00:00Z' }, 'deploy', undefined],
  ['/api/v1/sli', { slo: 's', at: '2026-03-01T10:00:00Z', good: 1, total: 1 }, 'sli', undefined],
  ['/api/v1/acknowledgements', { incident: 'inc-1', by: 'sre@example.com' }, 'ack', undefined],
  ['/api/v1/resolutions', { incident: 'inc-1', by: 'sre@example.com' }, 'ack', undefined],
];

describe('normalize', () => {
  it('has a row for every receiver path (CONTRACT §1, acknowledgements and resolutions)', () => {
    expect(ROWS.map((r) => r[0]).sort()).toEqual([...RECEIVER_PATHS].sort());
  });

  it.each(ROWS)('dispatches %s to its parser', (path, body, kind, source) => {
    const events = normalize(path, body, TS);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind, at: TS });
    expect((events[0] as { source?: string }).source).toBe(source);
  });

  it.each(ROWS)('rejects a number body on %s with a message naming the body', (path) => {
    expect(() => normalize(path, 42, TS)).toThrow(InputError);
    expect(() => normalize(path, 42, TS)).toThrow(/^body: expected an (object|array|object or an array), got number$/);
  });
});

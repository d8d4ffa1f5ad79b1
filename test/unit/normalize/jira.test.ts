import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseJira } from '../../../src/normalize/index.js';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8'));
const utc = (s: string): number => Date.parse(s);
const TS = utc('2026-03-01T10:00:00.000Z');

function problem(body: unknown): string {
  try {
    parseJira(body, TS);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).message;
  }
  throw new Error('expected an InputError');
}

/** A minimal valid issue webhook as JSON would give it; `fields` are merged into issue.fields (undefined removes one). */
function issue(fields: Record<string, unknown>, top: Record<string, unknown> = {}): unknown {
  return JSON.parse(JSON.stringify({
    webhookEvent: 'jira:issue_created',
    timestamp: 1772359000000,
    issue: { key: 'OPS-1', fields: { summary: 'S', status: { name: 'To Do' }, created: '2026-03-01T10:00:00.000+0000', ...fields } },
    ...top,
  })) as unknown;
}

describe('parseJira on valid payloads', () => {
  it.each([
    [
      'jira/valid/zulip-jira-issue_created.json',
      {
        kind: 'ticket', at: TS, source: 'jira', id: 'BUG-15', title: 'New bug with hook', body: 'Fix me please',
        createdAt: utc('2013-03-27T16:53:58.301Z'), priority: 'Major', status: 'open', services: [], labels: {},
      },
    ],
    [
      'jira/valid/zulip-jira-issue_updated-status.json',
      {
        kind: 'ticket', at: TS, source: 'jira', id: 'TEST-1', title: 'Fix That', body: 'Fix That',
        createdAt: utc('2017-01-30T17:30:41.962Z'), priority: 'Medium', status: 'open', services: [], labels: {},
      },
    ],
    [
      'jira/valid/cloud-adf-done.json',
      {
        kind: 'ticket', at: TS, source: 'jira', id: 'OPS-42', title: 'Checkout returns 502 for some users',
        body: 'Since 09:55 checkout fails.\nPayments look fine.\neu-1 only\nstarted after deploy',
        createdAt: utc('2026-03-01T09:57:00Z'), priority: 'Highest', status: 'resolved',
        services: ['checkout', 'payments'], labels: { 'customer-impact': 'true', 'eu-1': 'true' },
      },
    ],
    [
      'jira/valid/server-closed-no-category.json',
      {
        kind: 'ticket', at: TS, source: 'jira', id: 'SUP-7', title: 'Slow search', body: '',
        createdAt: utc('2026-03-01T07:10:05.250Z'), status: 'resolved', services: [], labels: {},
      },
    ],
  ])('%s', (path, expected) => {
    const events = parseJira(fixture(path), TS);
    expect(events).toEqual([expected]);
    // A null or missing priority is left out, not written as undefined.
    expect(Object.keys(events[0] as object).includes('priority')).toBe('priority' in expected);
  });

  it.each([
    ['category done', { name: 'Shipped', statusCategory: { key: 'done' } }, 'resolved'],
    ['category indeterminate', { name: 'Done-ish', statusCategory: { key: 'indeterminate' } }, 'open'],
    ['category new named Closed (the category wins)', { name: 'Closed', statusCategory: { key: 'new' } }, 'open'],
    ['category undefined falls back to the name', { name: 'Resolved', statusCategory: { key: 'undefined' } }, 'resolved'],
    ['no category, DONE in capitals', { name: 'DONE' }, 'resolved'],
    ['no category, In Review', { name: 'In Review' }, 'open'],
  ])('status: %s → %s', (_name, status, expected) => {
    expect(parseJira(issue({ status }), TS)[0]).toMatchObject({ status: expected });
  });

  it.each([
    ['Z', '2026-03-01T10:00:00.000Z', utc('2026-03-01T10:00:00Z')],
    ['an RFC 3339 offset', '2026-03-01T11:00:00.000+01:00', utc('2026-03-01T10:00:00Z')],
    ['a Jira offset without colon', '2026-03-01T04:30:00.000-0530', utc('2026-03-01T10:00:00Z')],
  ])('created with %s', (_name, created, expected) => {
    expect(parseJira(issue({ created }), TS)[0]).toMatchObject({ createdAt: expected });
  });

  it('reads an ADF document that holds only a heading and a code block', () => {
    const description = {
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Impact' }] },
        { type: 'codeBlock', content: [{ type: 'text', text: 'HTTP 502' }] },
        { type: 'rule' },
        'ignored',
      ],
    };
    expect(parseJira(issue({ description }), TS)[0]).toMatchObject({ body: 'Impact\nHTTP 502' });
  });
});

describe('parseJira on invalid payloads', () => {
  it.each([
    ['jira/invalid/comment-created.json', 'webhookEvent: expected one of "jira:issue_created", "jira:issue_updated", got "comment_created"'],
    ['jira/invalid/summary-number.json', 'issue.fields.summary: expected a string, got number'],
  ])('%s → %s', (path, message) => {
    expect(problem(fixture(path))).toBe(message);
  });

  it.each([
    ['a string body', '{}', 'body: expected an object, got "{}"'],
    ['missing issue', { webhookEvent: 'jira:issue_created', timestamp: 1 }, 'issue: missing, expected an object'],
    ['timestamp as a string', issue({}, { timestamp: '1772359000000' }), 'timestamp: expected a time in epoch milliseconds, got "1772359000000"'],
    ['an empty key', issue({}, { issue: { key: '', fields: {} } }), 'issue.key: must be a non-empty string'],
    ['missing status', issue({ status: undefined }), 'issue.fields.status: missing, expected an object'],
    [
      'an unknown status category',
      issue({ status: { name: 'Done', statusCategory: { key: 'finished' } } }),
      'issue.fields.status.statusCategory.key: expected one of "new", "indeterminate", "done", "undefined", got "finished"',
    ],
    ['a created time Jira shows in its UI', issue({ created: '27/Mar/13 4:53 PM' }), 'issue.fields.created: expected a time like 2017-12-07T00:47:08.000+0000, got "27/Mar/13 4:53 PM"'],
    ['a description number', issue({ description: 5 }), 'issue.fields.description: expected a string, null or an ADF document, got number'],
    ['a description object that is not a doc', issue({ description: { type: 'paragraph', content: [] } }), 'issue.fields.description.type: expected "doc", got "paragraph"'],
    ['an empty Jira label', issue({ labels: ['ok', ''] }), 'issue.fields.labels[1]: must be a non-empty string'],
    ['a component without a name', issue({ components: [{ id: '1' }] }), 'issue.fields.components[0].name: missing, expected a non-empty string'],
    ['a priority without a name', issue({ priority: { id: '3' } }), 'issue.fields.priority.name: missing, expected a non-empty string'],
  ])('rejects %s', (_name, body, message) => {
    expect(problem(body)).toBe(message);
  });
});

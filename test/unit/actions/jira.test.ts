/**
 * The jira plugin against a local server standing in for Jira. Checked against the Jira REST API (Cloud v2/v3 and
 * Data Center v2, developer.atlassian.com "Jira REST API examples" and the v3 issue reference): create issue
 * `POST /rest/api/{2|3}/issue {fields: {project: {key}, issuetype: {name}, summary, description, priority: {name},
 * labels}}` → 201 `{id, key, self}`; v3 text fields are Atlassian Document Format `{type: "doc", version: 1, content:
 * [{type: "paragraph", content: [{type: "text", text}]}]}`; add comment `POST …/issue/{key}/comment {body}` → 201;
 * `GET …/issue/{key}/transitions` → `{transitions: [{id, name, to}]}`; `POST …/issue/{key}/transitions
 * {transition: {id}, update: {comment: [{add: {body}}]}}` → 204; errors as `{errorMessages, errors}`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jira } from '../../../src/actions/jira/index.js';
import { ConfigError } from '../../../src/errors.js';
import { deps, incident, NEVER, notification, RecordingServer } from './support.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await new RecordingServer((req) => {
    if (req.method === 'POST' && /\/issue$/.test(req.path)) return { status: 201, body: { id: '10042', key: 'OPS-42', self: `${server.url}/rest/api/2/issue/10042` } };
    if (req.method === 'POST' && req.path.endsWith('/comment')) return { status: 201, body: { id: '9001' } };
    if (req.method === 'GET' && req.path.endsWith('/transitions')) {
      return { status: 200, body: { transitions: [{ id: '11', name: 'Start Progress' }, { id: '31', name: 'Resolve Issue' }] } };
    }
    if (req.method === 'POST' && req.path.endsWith('/transitions')) return { status: 204 };
    return { status: 404, body: { errorMessages: ['not found'] } };
  }).start();
});
afterEach(async () => {
  await server.close();
});

const AT = 'routing.yaml: receivers[4].jira_configs[0]';
const BASIC = `Basic ${Buffer.from('bot@example.com:atl-token').toString('base64')}`;
const LINK = 'http://stormcell.example:9097/incidents/inc-20260301-0001';
const DESCRIPTION = [
  'Severity: sev2. Status: firing. 2 alert(s) since 2026-03-01T10:00:00.000Z.',
  'Root cause: svc/checkout (score 0.87).',
  'Suspected deploy: checkout v1.4.2 at 2026-03-01T09:58:00.000Z (score 0.91).',
  LINK,
];

function action(extra: Record<string, unknown> = {}) {
  const raw = { url: server.url, project: 'OPS', user: 'bot@example.com', api_token: 'atl-token', priorities: { sev1: 'Highest', sev2: 'High' }, ...extra };
  return jira.create(jira.parseConfig(raw, AT), deps());
}

describe('jira', () => {
  it('creates an issue (API v2) and returns its key as ref', async () => {
    expect(await action({ labels: ['checkout'] }).send(notification({ integration: 'jira/0' }), NEVER)).toEqual({ status: 'sent', ref: 'OPS-42' });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/rest/api/2/issue');
    expect(req.headers['authorization']).toBe(BASIC);
    expect(req.json).toEqual({
      fields: {
        project: { key: 'OPS' },
        issuetype: { name: 'Incident' },
        summary: '[sev2] checkout: HighErrorRate',
        description: DESCRIPTION.join('\n'),
        labels: ['stormcell', 'sev2', 'checkout'],
        priority: { name: 'High' },
      },
    });
  });

  it('sends Atlassian Document Format with API v3 and a bearer token', async () => {
    const jiraV3 = jira.create(jira.parseConfig({ url: server.url, project: 'OPS', bearer_token: 'pat', api_version: 3, issue_type: 'Bug' }, AT), deps());
    await jiraV3.send(notification(), NEVER);
    const req = server.requests[0]!;
    expect(req.path).toBe('/rest/api/3/issue');
    expect(req.headers['authorization']).toBe('Bearer pat');
    const fields = (req.json as { fields: Record<string, unknown> }).fields;
    expect(fields).not.toHaveProperty('priority');
    expect(fields['issuetype']).toEqual({ name: 'Bug' });
    expect(fields['description']).toEqual({
      type: 'doc',
      version: 1,
      content: [
        ...DESCRIPTION.slice(0, 3).map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
        { type: 'paragraph', content: [{ type: 'text', text: LINK, marks: [{ type: 'link', attrs: { href: LINK } }] }] },
      ],
    });
  });

  it('comments on the issue for a later firing change', async () => {
    expect(await action().send(notification({ previousRef: 'OPS-42', version: 3 }), NEVER)).toEqual({ status: 'sent', ref: 'OPS-42' });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/rest/api/2/issue/OPS-42/comment');
    expect(req.json).toEqual({ body: ['stormcell: incident updated (notification version 3).', ...DESCRIPTION].join('\n') });
  });

  it('resolves through the named transition, with the comment in the same request', async () => {
    const n = notification({ status: 'resolved', incident: incident({ status: 'resolved', resolvedAt: '2026-03-01T10:30:00.000Z' }), previousRef: 'OPS-42', version: 4 });
    expect(await action({ resolve_transition: 'resolve issue' }).send(n, NEVER)).toEqual({ status: 'sent', ref: 'OPS-42' });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /rest/api/2/issue/OPS-42/transitions', 'POST /rest/api/2/issue/OPS-42/transitions']);
    const body = server.requests[1]!.json as { transition: unknown; update: { comment: Array<{ add: { body: string } }> } };
    expect(body.transition).toEqual({ id: '31' });
    expect(body.update.comment[0]!.add.body).toContain('stormcell: incident resolved (notification version 4).\nSeverity: sev2. Status: resolved.');
  });

  it('fails a resolve whose transition the issue does not offer, naming the ones it does', async () => {
    const n = notification({ status: 'resolved', previousRef: 'OPS-42' });
    const r = await action({ resolve_transition: 'Close' }).send(n, NEVER);
    expect(r.status).toBe('failed');
    expect(r.status === 'failed' && r.error.message).toContain('transition "Close" not offered for this issue (offered: "Start Progress", "Resolve Issue")');
  });

  it('only comments on resolve without resolve_transition', async () => {
    await action().send(notification({ status: 'resolved', previousRef: 'OPS-42' }), NEVER);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /rest/api/2/issue/OPS-42/comment']);
  });

  it('opens no issue below min_severity, nor for an incident resolved before it had one', async () => {
    expect(await action().send(notification({ incident: incident({ severity: 'sev3' }) }), NEVER)).toEqual({ status: 'sent' });
    expect(await action({ min_severity: 'sev3' }).send(notification({ incident: incident({ severity: 'sev4' }) }), NEVER)).toEqual({ status: 'sent' });
    expect(await action().send(notification({ status: 'resolved' }), NEVER)).toEqual({ status: 'sent' });
    expect(server.requests).toHaveLength(0);
    await action({ min_severity: 'sev3' }).send(notification({ incident: incident({ severity: 'sev3' }) }), NEVER);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [{ status: 400, body: { errorMessages: [], errors: { priority: 'Priority name "High" is not valid' } } }, 'failed'],
    [{ status: 401 }, 'failed'],
    [{ status: 429, headers: { 'Retry-After': '12' } }, 'retryable'],
    [{ status: 502 }, 'retryable'],
    [{ status: 201, body: { id: '1' } }, 'failed'],
  ])('classifies %j on create as %s', async (reply, status) => {
    server.reply = () => reply;
    const r = await action().send(notification(), NEVER);
    expect(r.status).toBe(status);
    if (reply.status === 400) expect(r.status === 'failed' && r.error.message).toContain('Priority name');
    if (reply.status === 429) expect(r).toMatchObject({ retryAfterMs: 12_000 });
  });

  it.each([
    [{ url: 'http://j', project: 'OPS' }, `${AT}: missing user and api_token, or bearer_token`],
    [{ url: 'http://j', project: 'OPS', user: 'u' }, `${AT}: missing api_token`],
    [{ url: 'http://j', project: 'OPS', user: 'u', api_token: 't', bearer_token: 'b' }, `${AT}: use either user and api_token or bearer_token, not both`],
    [{ url: 'http://j', project: 'OPS', bearer_token: 'b', api_version: 4 }, `${AT}.api_version: expected one of 2, 3, got number`],
    [{ url: 'http://j', project: 'OPS', bearer_token: 'b', min_severity: 'critical' }, `${AT}.min_severity: expected one of "sev1", "sev2", "sev3", "sev4", got "critical"`],
    [{ url: 'http://j', project: 'OPS', bearer_token: 'b', labels: ['two words'] }, `${AT}.labels[0]: expected a Jira label (no spaces), got "two words"`],
  ])('rejects config %j', (raw, message) => {
    expect(() => jira.parseConfig(raw, AT)).toThrow(new ConfigError(message));
  });
});

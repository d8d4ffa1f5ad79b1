import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rollback } from '../../../src/actions/rollback/index.js';
import { ConfigError } from '../../../src/errors.js';
import { deps, incident, NEVER, notification, RecordingServer } from './support.js';

let server: RecordingServer;
beforeEach(async () => {
  server = await new RecordingServer(() => ({ status: 202, body: { run: 'r-1' } })).start();
});
afterEach(async () => {
  await server.close();
});

const AT = 'routing.yaml: receivers[5].rollback_configs[0]';

function action(extra: Record<string, unknown> = {}) {
  return rollback.create(rollback.parseConfig({ url: `${server.url}/runbooks/rollback`, headers: { 'X-Runbook-Token': 'rb' }, ...extra }, AT), deps());
}

/** The incident key the caller uses for rollback: one per incident, not per version. */
const n = (overrides: Parameters<typeof notification>[0] = {}) =>
  notification({ integration: 'rollback/0', idempotencyKey: 'inc-20260301-0001:rollback:team-checkout:rollback/0', ...overrides });

describe('rollback', () => {
  it('asks the runbook to roll back the top suspected deploy', async () => {
    expect(await action().send(n(), NEVER)).toEqual({ status: 'sent', ref: 'checkout@v1.4.2' });
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/runbooks/rollback');
    expect(req.headers['x-runbook-token']).toBe('rb');
    expect(req.headers['idempotency-key']).toBe('inc-20260301-0001:rollback:team-checkout:rollback/0');
    expect(req.json).toEqual({
      incident: JSON.parse(JSON.stringify(incident())),
      service: 'checkout',
      badVersion: 'v1.4.2',
      score: 0.91,
      reason: 'deployed 2m before the first alert',
      dryRun: false,
    });
  });

  it('passes lastGoodVersion when the deploy carries a previousVersion', async () => {
    const deploy = { service: 'checkout', version: 'v1.4.2', at: '2026-03-01T09:58:00.000Z', score: 0.95, previousVersion: 'v1.4.1' };
    await action({ method: 'PUT' }).send(n({ incident: incident({ suspectedDeploys: [deploy] }) }), NEVER);
    expect(server.requests[0]!.method).toBe('PUT');
    expect(server.requests[0]!.json).toMatchObject({ badVersion: 'v1.4.2', lastGoodVersion: 'v1.4.1', reason: '' });
  });

  it.each([
    ['a score under min_score', {}, n({ incident: incident({ suspectedDeploys: [{ service: 'checkout', version: 'v2', at: '2026-03-01T09:58:00.000Z', score: 0.79 }] }) })],
    ['no suspected deploy', {}, n({ incident: incident({ suspectedDeploys: [] }) })],
    ['a service outside allow_services', { allow_services: ['payments'] }, n()],
    ['a resolved incident', {}, n({ status: 'resolved' })],
    ['a rollback already made', {}, n({ previousRef: 'checkout@v1.4.2' })],
  ])('does not call for %s', async (_why, extra, notif) => {
    expect(await action(extra).send(notif, NEVER)).toEqual({ status: 'sent' });
    expect(server.requests).toHaveLength(0);
  });

  it('honours min_score and allow_services when they admit the deploy', async () => {
    await action({ min_score: 0.9, allow_services: ['checkout'] }).send(n(), NEVER);
    expect(server.requests).toHaveLength(1);
  });

  it('does not call in dry_run and says so in the ref', async () => {
    expect(await action({ dry_run: true }).send(n(), NEVER)).toEqual({ status: 'sent', ref: 'dry-run' });
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [{ status: 409, body: 'already running' }, 'failed'],
    [{ status: 503 }, 'retryable'],
  ])('classifies %j as %s', async (reply, status) => {
    server.reply = () => reply;
    expect((await action().send(n(), NEVER)).status).toBe(status);
  });

  it.each([
    [{ url: 'http://r', min_score: 1.5 }, `${AT}.min_score: expected a number from 0 to 1, got 1.5`],
    [{ url: 'http://r', method: 'DELETE' }, `${AT}.method: expected one of "POST", "PUT", got "DELETE"`],
    [{ url: 'http://r', headers: { 'bad header': 'x' } }, `${AT}.headers["bad header"]: expected an HTTP header name`],
    [{ url: 'http://r', headers: { 'X-Token': 'a\r\nX-Evil: 1' } }, `${AT}.headers["X-Token"]: expected a header value without line breaks, got "a\\r\\nX-Evil: 1"`],
    [{ url: 'http://r', body_template: '{}' }, `${AT}.body_template: unknown field`],
  ])('rejects config %j', (raw, message) => {
    expect(() => rollback.parseConfig(raw, AT)).toThrow(new ConfigError(message));
  });
});

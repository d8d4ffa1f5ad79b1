import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedApp, type EmbeddedApp } from '../../support/embedded-app.js';

const run = promisify(execFile);
const CLI = new URL('../../../dist/cli.js', import.meta.url).pathname;

let apps: EmbeddedApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.cleanup();
  apps = [];
});

const ROUTING = `route:
  receiver: tickets
  routes:
    - matchers: ['severity="sev1"', 'service="checkout"']
      receiver: pager
receivers:
  - name: tickets
  - name: pager
`;

describe('stormcell routes test --incident', () => {
  it('routes a live incident by its routing labels (severity sev1–sev4, common labels)', async () => {
    const a = await startEmbeddedApp({ 'routing.yaml': ROUTING });
    apps.push(a);
    await a.post('/api/v2/alerts', [{ labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical' }, endsAt: new Date(Date.now() + 3_600_000).toISOString() }]);
    const [inc] = (await a.get('/api/v1/incidents')).body as Array<{ id: string; severity: string }>;
    expect(inc!.severity).toBe('sev1');
    const { stdout } = await run(process.execPath, [CLI, 'routes', 'test', '--config', a.configDir, '--incident', inc!.id, '--url', a.url]);
    expect(stdout).toBe('pager\n');
    await expect(run(process.execPath, [CLI, 'routes', 'test', '--config', a.configDir, '--incident', 'inc-nope', '--url', a.url])).rejects.toMatchObject({
      code: 2,
      stderr: `stormcell: routes test: incident inc-nope not found at ${a.url}\n`,
    });
  });
});

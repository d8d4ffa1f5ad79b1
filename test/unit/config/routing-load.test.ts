import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { runCli } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stormcell-routing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const AM_YML = readFileSync(new URL('../../fixtures/routing/alertmanager.yml', import.meta.url), 'utf8');

describe('routing.yaml', () => {
  it('loads an existing alertmanager.yml unchanged: global fallbacks, Go templates in message fields, every receiver', async () => {
    writeFileSync(join(dir, 'routing.yaml'), AM_YML);
    const c = await loadConfig(dir);
    expect(c.routing).not.toBeNull();
    expect([...c.routing!.receivers.keys()]).toContain('pagerduty-oncall');
    const slack = c.routing!.receivers.get('slack-default')![0]!;
    // global.slack_api_url filled in; the templated title is left to stormcell's own.
    expect(slack.config).toMatchObject({ type: 'slack', config: { apiUrl: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', title: undefined } });
    expect(c.routing!.route.match({ severity: 'critical', service: 'checkout', env: 'prod' }).map((r) => r.receiver)).toEqual(['pagerduty-oncall', 'webhook-checkout']);
  });

  it('the shipped example, config/routing.example.yaml, loads and routes sev1 to the pager and the tracker', async () => {
    const ex = join(dir, 'example');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(ex, { recursive: true });
    writeFileSync(join(ex, 'routing.yaml'), readFileSync(new URL('../../../config/routing.example.yaml', import.meta.url), 'utf8'));
    const c = await loadConfig(ex);
    expect(c.routing!.route.match({ severity: 'sev1', cluster: 'eu-1' }).map((r) => r.receiver)).toEqual(['oncall-pager', 'incident-tracking']);
    expect(c.routing!.route.match({ severity: 'sev4' }).map((r) => r.receiver)).toEqual(['dashboards']);
  });

  it('names the file and the path of a bad integration', async () => {
    const bad = join(dir, 'bad');
    rmSync(bad, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bad);
    writeFileSync(join(bad, 'routing.yaml'), 'route: {receiver: x}\nreceivers:\n  - name: x\n    webhook_configs:\n      - url: not a url\n');
    await expect(loadConfig(bad)).rejects.toThrow(/^routing\.yaml: receivers\[0\]\.webhook_configs\[0\]\.url: /);
  });

  it('stormcell routes test prints the receivers a label set reaches, like amtool', () => {
    writeFileSync(join(dir, 'routing.yaml'), AM_YML);
    const r = runCli(['routes', 'test', '--config', dir, 'severity=critical', 'service=checkout', 'env=prod']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('pagerduty-oncall,webhook-checkout\n');
    const tree = runCli(['routes', 'test', '--config', dir, '--tree', 'team=db']);
    expect(tree.stdout).toBe('.\n└── default-route\n    └── {team=~"db|storage"}\n        └── {env!="prod"}  receiver: webhook-db-nonprod\nwebhook-db-nonprod\n');
    const verify = runCli(['routes', 'test', '--config', dir, '--verify-receivers', 'slack-default', 'team=db']);
    expect(verify.status).toBe(1);
    expect(verify.stderr).toBe('WARNING: expected receivers "slack-default" but got "webhook-db-nonprod"\n');
  });
});

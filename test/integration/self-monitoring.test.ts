/**
 * config/stormcell-alerts.yml, the alerting rules for stormcell's own health, checked by the real promtool
 * (Debian package prometheus): the file is valid, its unit tests pass, and every stormcell metric it names is one
 * the server exports.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createScaleOutMetrics } from '../../src/obs/index.js';
import { startEmbeddedApp, type EmbeddedApp } from '../support/embedded-app.js';
import { findBinary, needService } from '../support/services.js';

const promtool = findBinary('PROMTOOL_BIN', ['promtool']);
const RULES = new URL('../../config/stormcell-alerts.yml', import.meta.url).pathname;
const DASHBOARD = new URL('../../config/grafana-dashboard.json', import.meta.url).pathname;
const TESTS = new URL('../fixtures/self-monitoring/stormcell-alerts.test.yml', import.meta.url).pathname;

describe.skipIf(needService('promtool', promtool !== null))('stormcell alerting rules', () => {
  let app: EmbeddedApp | null = null;
  afterAll(async () => app?.cleanup());

  it('pass promtool check rules', () => {
    const r = spawnSync(promtool as string, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 14 rules found');
  });

  it('pass their promtool unit tests (each alert fires on the trouble it names)', () => {
    const r = spawnSync(promtool as string, ['test', 'rules', TESTS], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('name only metrics the server exports (Kafka mode adds its own)', async () => {
    app = await startEmbeddedApp();
    const kafkaMode = new Registry();
    createScaleOutMetrics(kafkaMode);
    const exported = ((await app.get('/metrics')).body as string) + (await kafkaMode.metrics());
    const named = new Set(readFileSync(RULES, 'utf8').match(/stormcell_[a-z_]+/g) ?? []);
    // engine lag, rejected requests, fsync latency, notifications, breaker, SLI input lag; Kafka lag, checkpoint
    // age, rebalances, rejected ingest-topic messages, and the fold's checkpoint age and owed output
    expect(named.size).toBe(12);
    for (const name of named) {
      const base = name.replace(/_bucket$/, '');
      expect(exported, `${name} is not exported`).toMatch(new RegExp(`^# TYPE ${base} `, 'm'));
    }
  });

  it('the example Grafana dashboard queries valid PromQL over exported metrics only', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ id: number; type: string; targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    // promtool parses each query as a recording rule, with Grafana's variables as Grafana would substitute them.
    const dir = mkdtempSync(join(tmpdir(), 'stormcell-dashboard-'));
    const rules = join(dir, 'dashboard-queries.yml');
    const asRules = exprs.map((e, i) => `      - record: dashboard_query_${i}\n        expr: ${JSON.stringify(e.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'))}`);
    writeFileSync(rules, `groups:\n  - name: dashboard\n    rules:\n${asRules.join('\n')}\n`);
    const r = spawnSync(promtool as string, ['check', 'rules', rules], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    app ??= await startEmbeddedApp();
    const kafkaMode = new Registry();
    createScaleOutMetrics(kafkaMode);
    const exported = ((await app.get('/metrics')).body as string) + (await kafkaMode.metrics());
    const named = new Set(exprs.join(' ').match(/stormcell_[a-z_]+/g) ?? []);
    expect(named.size).toBeGreaterThan(20);
    for (const name of named) {
      const base = name.replace(/_bucket$/, '');
      expect(exported, `${name} is not exported`).toMatch(new RegExp(`^# TYPE ${base} `, 'm'));
    }
  });
});

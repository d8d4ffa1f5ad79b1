/**
 * config/stormcell-alerts.yml, the alerting rules for stormcell's own health, checked by the real promtool
 * (Debian package prometheus): the file is valid, its unit tests pass, and every stormcell metric it names is one
 * the server exports.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createScaleOutMetrics } from '../../src/obs/index.js';
import { startEmbeddedApp, type EmbeddedApp } from '../support/embedded-app.js';
import { findBinary, needService } from '../support/services.js';

const promtool = findBinary('PROMTOOL_BIN', ['promtool']);
const RULES = new URL('../../config/stormcell-alerts.yml', import.meta.url).pathname;
const TESTS = new URL('../fixtures/self-monitoring/stormcell-alerts.test.yml', import.meta.url).pathname;

describe.skipIf(needService('promtool', promtool !== null))('stormcell alerting rules', () => {
  let app: EmbeddedApp | null = null;
  afterAll(async () => app?.cleanup());

  it('pass promtool check rules', () => {
    const r = spawnSync(promtool as string, ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 12 rules found');
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
    // engine lag, rejected requests, fsync latency, notifications, breaker; Kafka lag, checkpoint age, rebalances,
    // rejected ingest-topic messages
    expect(named.size).toBe(9);
    for (const name of named) {
      const base = name.replace(/_bucket$/, '');
      expect(exported, `${name} is not exported`).toMatch(new RegExp(`^# TYPE ${base} `, 'm'));
    }
  });
});

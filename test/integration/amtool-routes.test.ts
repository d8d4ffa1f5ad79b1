/**
 * `stormcell routes test` against the real `amtool config routes test` (Debian package prometheus-alertmanager) on
 * the same alertmanager.yml: for each label set, the same receivers in the same order. This checks the route tree
 * (matchers, continue, legacy match/match_re, nesting) against Alertmanager's own implementation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { findBinary, needService } from '../support/services.js';

const amtool = findBinary('AMTOOL_BIN', ['amtool']);
const FIXTURE = new URL('../fixtures/routing/alertmanager.yml', import.meta.url).pathname;

const LABEL_SETS: string[][] = [
  [],
  ['severity=critical'],
  ['severity=critical', 'service=checkout', 'env=prod'],
  ['service=checkout', 'env=staging'],
  ['service=checkout', 'env=dev'],
  ['team=db'],
  ['team=storage', 'env=prod'],
  ['team=db', 'env=staging', 'severity=critical'],
  ['alertname=Watchdog'],
  ['alertname=Watchdog', 'severity=critical'],
  ['team=dbx'],
];

describe.skipIf(needService('amtool', amtool !== null))('routes test agrees with amtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stormcell-amtool-'));
  writeFileSync(join(dir, 'routing.yaml'), readFileSync(FIXTURE, 'utf8'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(LABEL_SETS.map((l) => [l.join(' ') || '(no labels)', l] as const))('%s', (_name, labels) => {
    const theirs = spawnSync(amtool as string, ['config', 'routes', 'test', `--config.file=${FIXTURE}`, ...labels], { encoding: 'utf8' });
    expect(theirs.status, theirs.stderr).toBe(0);
    const ours = runCli(['routes', 'test', '--config', dir, ...labels]);
    expect(ours.status, ours.stderr).toBe(0);
    expect(ours.stdout.trim()).toBe(theirs.stdout.trim());
  });
});

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canaryCommand } from '../../../src/cli/canary.js';
import { ConfigError, InputError } from '../../../src/errors.js';
import type { EvalIo } from '../../../src/eval/index.js';
import { runCli } from '../../support/cli.js';

/**
 * `stormcell canary` through the built CLI (and in-process where the process adds nothing), on a copy of three corpus scenarios: bad-deploy (a deploy's symptoms,
 * joined through topology), network-fault (a cluster-wide fault the burst correlator folds) and slow-degradation
 * (alerts trickling in over half an hour). Candidates are variations of pipelines/default.yaml.
 */
const ROOT = new URL('../../../', import.meta.url).pathname;
const DEFAULT = join(ROOT, 'pipelines', 'default.yaml');
const dir = mkdtempSync(join(tmpdir(), 'stormcell-canary-'));
const corpus = join(dir, 'corpus');
for (const s of ['bad-deploy', 'network-fault', 'slow-degradation']) cpSync(join(ROOT, 'test', 'scenarios', s), join(corpus, s), { recursive: true });
cpSync(join(ROOT, 'test', 'scenarios', 'thresholds.yaml'), join(corpus, 'thresholds.yaml'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** pipelines/default.yaml with one edit; throws if the text to edit is gone, so a variant never silently equals it. */
function variant(name: string, from: RegExp, to: string): string {
  const text = readFileSync(DEFAULT, 'utf8');
  if (!from.test(text)) throw new Error(`pipelines/default.yaml no longer matches ${from}`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text.replace(/^name: default$/m, `name: ${name}`).replace(from, to));
  return file;
}

/** The topology correlator's entry, up to the next correlator. */
const TOPOLOGY_ENTRY = /^ {2}- type: topology\b[\s\S]*?(?=^ {2}- type: )/m;
const noTopology = variant('no-topology', TOPOLOGY_ENTRY, '');

function collector(): EvalIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t), writeFile: async () => {} };
  return io;
}

describe('stormcell canary', () => {
  it('accepts the default pipeline against itself: exit 0, every figure the same', () => {
    const r = runCli(['canary', '--candidate', DEFAULT, '--corpus', corpus]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('**Accepted**');
    expect(r.stdout).toContain(`- candidate: ${DEFAULT} (\`default\`)`);
    expect(r.stdout).toContain("- live: each scenario's own pipeline (`default`)");
    expect(r.stdout).toMatch(/^\| pairwise F1 \| 0\.887 \| 0\.887 \| \+0\.000 \| same \|$/m);
    expect(r.stdout).toContain('Broken: none.');
  });

  it('refuses a candidate that breaks a scenario: a burst correlator that needs 7 entities loses network-fault', () => {
    const r = runCli(['canary', '--candidate', variant('burst-7', /min_entities: 6/, 'min_entities: 7'), '--corpus', corpus]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('**Refused**: 1 scenario broken');
    expect(r.stdout).toMatch(/^\| network-fault \| 0\.893 \| 0\.439 \| -0\.455 \| broken \|$/m);
    expect(r.stdout).toMatch(/^\| bad-deploy \| 1\.000 \| 1\.000 \| \+0\.000 \| same \|$/m);
    // One line on stderr says why, the broken scenario first.
    expect(r.stderr).toMatch(/^canary: refused \(1 scenario broken, \d corpus metrics worse by more than 0\.01[^)]*\): network-fault: pairwiseF1 0\.893 -> 0\.439 \(-0\.455\): worse by more than 0\.01; /);
    expect(r.stderr.trimEnd()).not.toContain('\n');
  });

  it('compares against --live, takes --tolerance and writes the report to --out', () => {
    // Against the no-topology pipeline the default is better everywhere but pairwise precision (-0.033, see below),
    // which a tolerance of 0.05 lets through.
    const out = join(dir, 'report.md');
    const r = runCli(['canary', '--candidate', DEFAULT, '--live', noTopology, '--corpus', corpus, '--tolerance', '0.05', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const report = readFileSync(out, 'utf8');
    expect(report).toContain(`- live: ${noTopology} (\`no-topology\`)`);
    expect(report).toContain('**Accepted**: no metric worse by more than 0.05');
    expect(report).toContain('| pairwise P | 0.979 | 0.946 | -0.033 | within tolerance |');
    expect(report).toContain('Improved (3):');
  });

  it('exits 2 with one line for unusable arguments', () => {
    const r = runCli(['canary', '--candidate', join(dir, 'nope.yaml'), '--corpus', corpus]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stormcell: pipeline file .*nope\.yaml does not exist\n$/);
    expect(r.stdout).toBe('');
  });
});

describe('canaryCommand', () => {
  it('accepts a harmless variation, a longer topology window, and lists the scenario it improves', async () => {
    const io = collector();
    expect(await canaryCommand(['--candidate', variant('topology-25m', /^( {4}window:) 20m/m, '$1 25m'), '--corpus', corpus], io)).toBe(0);
    expect(io.out).toMatch(/^\| slow-degradation \| 0\.736 \| 0\.875 \| \+0\.138 \| improved \|$/m);
    expect(io.out).toContain('Improved (1):\n\n- slow-degradation: pairwiseF1 0.736 -> 0.875 (+0.138)');
    expect(io.err).toBe('');
  });

  it('refuses a candidate without the topology correlator: three scenarios broken, bad-deploy below its bar', async () => {
    const io = collector();
    expect(await canaryCommand(['--candidate', noTopology, '--corpus', corpus], io)).toBe(1);
    expect(io.out).toContain('- bad-deploy: pairwiseF1 0 below its bar 0.35 (live 1.000)');
    expect(io.out).toContain('- corpus: deployRecall 1.000 -> 0.000 (-1.000): worse by more than 0.01');
    expect(io.err).toMatch(/^canary: refused \(3 scenarios broken, /);
  });

  it('refuses at the default tolerance what --tolerance 0.05 let through', async () => {
    const io = collector();
    expect(await canaryCommand(['--candidate', DEFAULT, '--live', noTopology, '--corpus', corpus], io)).toBe(1);
    expect(io.err).toBe('canary: refused (1 corpus metric worse by more than 0.01): corpus: pairwisePrecision 0.979 -> 0.946 (-0.033): worse by more than 0.01\n');
  });

  it.each([
    [['--corpus', 'x'], ConfigError, /^canary needs --candidate FILE; usage: /],
    [['--candidate', DEFAULT], ConfigError, /^canary needs --corpus DIR; usage: /],
    [['--candidate', DEFAULT, '--corpus', 'x', 'extra'], ConfigError, /^canary: Unexpected argument 'extra'/],
    [['--candidate', DEFAULT, '--corpus', corpus, '--tolerance', 'lots'], ConfigError, /^--tolerance: expected a number from 0 to 1, got "lots"/],
    [['--candidate', DEFAULT, '--corpus', corpus, '--tolerance', '1.5'], ConfigError, /^--tolerance: expected a number from 0 to 1, got "1.5"/],
    [['--candidate', DEFAULT, '--corpus', join(dir, 'nope')], InputError, /nope: not a directory/],
    [['--candidate', variant('bad-key', /join_threshold: 0\.5/, 'join_threshold: 0.5\njoin_treshold: 0.4'), '--corpus', corpus], ConfigError, /^bad-key\.yaml: join_treshold: unknown field/],
  ])('refuses %j with a ConfigError or InputError (exit 2)', async (args, type, message) => {
    const io = collector();
    const err = await canaryCommand(args, io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
    expect(io.out).toBe('');
  });
});

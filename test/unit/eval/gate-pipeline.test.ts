import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { DEFAULT_PIPELINE } from '../../../src/engine/index.js';
import { ConfigError } from '../../../src/errors.js';
import { gatePipeline } from '../../../src/eval/index.js';

/** The gate serve's reloads call, on a copy of two corpus scenarios the burst and topology correlators decide. */
const ROOT = new URL('../../../', import.meta.url).pathname;
const DEFAULT = join(ROOT, 'pipelines', 'default.yaml');
const dir = mkdtempSync(join(tmpdir(), 'stormcell-gate-'));
const corpus = join(dir, 'corpus');
for (const s of ['bad-deploy', 'network-fault']) cpSync(join(ROOT, 'test', 'scenarios', s), join(corpus, s), { recursive: true });
cpSync(join(ROOT, 'test', 'scenarios', 'thresholds.yaml'), join(corpus, 'thresholds.yaml'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = readFileSync(DEFAULT, 'utf8');
if (!/min_entities: 6/.test(text)) throw new Error('pipelines/default.yaml no longer has min_entities: 6');
const burst7 = join(dir, 'burst-7.yaml');
writeFileSync(burst7, text.replace('name: default', 'name: burst-7').replace('min_entities: 6', 'min_entities: 7'));

describe('gatePipeline', () => {
  it('accepts the default pipeline against the running built-in default', async () => {
    const r = await gatePipeline({ candidateFile: DEFAULT, livePipeline: DEFAULT_PIPELINE, corpusDir: corpus });
    expect(r.accepted).toBe(true);
    expect(r.reasons).toEqual([]);
    expect(r.report).toContain('- live: the running pipeline (`default`)');
    expect(r.live.scenarios.map((s) => s.pipeline)).toEqual(['default', 'default']);
  });

  it('refuses a candidate that breaks a scenario, with the reasons as data and the report', async () => {
    const r = await gatePipeline({ candidateFile: burst7, corpusDir: corpus, tolerance: 0.01 });
    expect(r.accepted).toBe(false);
    expect(r.reasons[0]).toBe('network-fault: pairwiseF1 0.893 -> 0.439 (-0.455): worse by more than 0.01');
    expect(r.verdict.scenarios.map((s) => [s.name, s.status])).toEqual([['bad-deploy', 'same'], ['network-fault', 'broken']]);
    expect(r.candidate.scenarios.map((s) => s.pipeline)).toEqual(['burst-7', 'burst-7']);
    expect(r.report).toContain('**Refused**: 1 scenario broken');
  });

  it('compares with the pipeline the server runs, not with what its file holds now', async () => {
    // The server loaded burst-7; its file now holds the default: against burst-7, the default mends network-fault.
    const running = (await loadConfig(join(corpus, 'network-fault', 'config'), { pipelineFile: burst7 })).engine.pipeline;
    const r = await gatePipeline({ candidateFile: DEFAULT, livePipeline: running, corpusDir: corpus, tolerance: 0.05 });
    expect(r.verdict.scenarios.map((s) => [s.name, s.status])).toEqual([['bad-deploy', 'same'], ['network-fault', 'improved']]);
    expect(r.accepted).toBe(true);
  });

  it('refuses an unusable tolerance or pipeline file with a ConfigError', async () => {
    await expect(gatePipeline({ candidateFile: DEFAULT, corpusDir: corpus, tolerance: 1.5 })).rejects.toThrow(ConfigError);
    await expect(gatePipeline({ candidateFile: join(dir, 'nope.yaml'), corpusDir: corpus })).rejects.toThrow(/pipeline file .*nope\.yaml does not exist/);
  });
});

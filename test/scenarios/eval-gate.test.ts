import { describe, expect, it } from 'vitest';
import { runEval } from '../../src/eval/index.js';

/**
 * The regression gate of the correlation pipeline: the whole scenario corpus is replayed and scored against its
 * truth, and every bar of thresholds.yaml must hold. A change that makes correlation worse fails here, in CI.
 */
describe('scenario corpus eval gate', () => {
  it('scores the corpus at or above every threshold of test/scenarios/thresholds.yaml', async () => {
    const r = await runEval({ dir: new URL('.', import.meta.url).pathname });
    expect(r.scenarios.length).toBeGreaterThanOrEqual(15);
    const failures = r.failures.map((f) => `${f.scope} ${f.metric} ${f.value} < ${f.min}`);
    expect(failures).toEqual([]);
    expect(r.exitCode).toBe(0);
    // The gate is only worth something if we beat what Alertmanager's group_by pages.
    expect(r.corpus.ours.scores.pairwiseF1).toBeGreaterThan(r.corpus.baseline.scores.pairwiseF1);
  });
});

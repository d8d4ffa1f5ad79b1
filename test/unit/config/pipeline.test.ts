import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { DEFAULT_PIPELINE } from '../../../src/engine/index.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIXTURES = new URL('../../fixtures/config/', import.meta.url).pathname;

describe('pipelines', () => {
  it('pipelines/default.yaml spells out exactly the built-in default', async () => {
    const c = await loadConfig(FIXTURES + 'good', { pipelineFile: ROOT + 'pipelines/default.yaml' });
    expect(c.engine.pipeline).toEqual(DEFAULT_PIPELINE);
  });

  it('--pipeline overrides the config dir, and a missing file is a ConfigError', async () => {
    await expect(loadConfig(FIXTURES + 'good', { pipelineFile: ROOT + 'pipelines/nope.yaml' })).rejects.toThrow(
      /pipeline file .*nope\.yaml does not exist/,
    );
  });

  it('refuses an unknown correlator type with file and path', async () => {
    await expect(loadConfig(FIXTURES + "bad-pipeline")).rejects.toThrow(
      /^pipeline\.yaml: correlators\[0\]\.type: expected one of "topology", "burst", "text", "kmeans", "labels", got "magic"$/,
    );
  });

  it('reads a k-means model relative to the pipeline file, and names a missing one', async () => {
    await expect(loadConfig(FIXTURES + 'bad-kmeans')).rejects.toThrow(/^pipeline\.yaml: correlators\[0\]\.model: cannot read .*nope\.json: /);
  });

  it('pipelines/kmeans.yaml loads with the shipped model', async () => {
    const c = await loadConfig(FIXTURES + 'good', { pipelineFile: ROOT + 'pipelines/kmeans.yaml' });
    const km = c.engine.pipeline.correlators.find((x) => x.type === 'kmeans');
    expect(km?.type === 'kmeans' && km.model.k).toBe(16);
  });
});

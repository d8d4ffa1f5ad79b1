import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS, DEFAULT_PIPELINE, Engine, type CorrelatorSpec } from '../../../src/engine/index.js';
import { parseKmeansModel } from '../../../src/engine/cluster/index.js';
import { alert, at, groups, push } from '../../support/engine-dsl.js';

const model = parseKmeansModel(JSON.parse(readFileSync(new URL('../../../models/kmeans.json', import.meta.url), 'utf8')));

function engine(withKmeans: boolean): Engine {
  const kmeans: CorrelatorSpec = { type: 'kmeans', model, windowMs: 2 * 60_000, score: 0.5, maxAgeMs: 30 * 60_000 };
  const correlators = DEFAULT_PIPELINE.correlators.filter((c) => c.type !== 'text');
  return new Engine({ ...DEFAULT_ENGINE_OPTIONS, pipeline: { ...DEFAULT_PIPELINE, correlators: withKmeans ? [...correlators, kmeans] : correlators } });
}

describe('k-means correlator (opt-in)', () => {
  const crash = (ts: number, ns: string) =>
    alert(ts, { alertname: 'KubePodCrashLooping', cluster: 'eu-1', namespace: ns, pod: `${ns}-api-7d9f8b6c5d-x2x9z`, job: 'kube-state-metrics', severity: 'warning' }, {
      annotations: { summary: `Pod ${ns}/${ns}-api is crash looping.` },
    });

  it('groups alerts of the same learned kind that start together, where labels and topology say nothing', () => {
    const events = [crash(at('10:00:00'), 'shop'), crash(at('10:00:40'), 'billing'), crash(at('10:30:00'), 'search')];
    const without = engine(false);
    push(without, ...events);
    expect(groups(without)).toHaveLength(3);
    const withModel = engine(true);
    push(withModel, ...events);
    expect(groups(withModel).map((g) => g.length)).toEqual([2, 1]);
    const joined = withModel.incidentWithTimeline(withModel.incidentDocs()[0]!.id)!.timeline.filter((t) => t.type === 'alert-attached')[1];
    expect(joined!.reason).toMatch(/^same k-means cluster \d+$/);
  });
});

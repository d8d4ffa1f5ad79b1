import { describe, expect, it } from 'vitest';
import { TextMemory } from '../../../src/engine/text-memory.js';

const alert = (cluster: string | undefined, summary: string) => ({
  labels: { alertname: 'CPUThrottlingHigh', ...(cluster === undefined ? {} : { cluster }) },
  annotations: { summary },
});

describe('TextMemory', () => {
  it('counts document frequencies per cluster: one cluster\'s alerts do not change another\'s vectors', () => {
    const both = new TextMemory();
    const alone = new TextMemory();
    for (let i = 0; i < 20; i++) both.observeAlert(alert('us-1', 'throttled container in reviews').labels, alert('us-1', 'throttled container in reviews').annotations);
    const a = alert('eu-1', 'throttled container in checkout');
    expect(both.observeAlert(a.labels, a.annotations)).toEqual(alone.observeAlert(a.labels, a.annotations));
    expect(both.vector('checkout is slow', 'eu-1')).toEqual(alone.vector('checkout is slow', 'eu-1'));
    expect(both.vector('reviews checkout', 'us-1')).not.toEqual(alone.vector('reviews checkout', 'us-1')); // us-1 has seen 'reviews' often
  });

  it('restores its state exactly, and an older snapshot\'s single index seeds every cluster', () => {
    const m = new TextMemory();
    const a = alert('eu-1', 'disk full on node');
    const v = m.observeAlert(a.labels, a.annotations).vector;
    m.addToIncident('inc-1', v);
    const copy = new TextMemory();
    copy.restore(JSON.parse(JSON.stringify(m.toJSON())));
    expect(copy.toJSON()).toEqual(m.toJSON());
    expect(copy.similarity('inc-1', v)).toBeCloseTo(1, 10);

    const legacy = new TextMemory();
    const { indexes, ...rest } = m.toJSON();
    legacy.restore({ ...rest, index: indexes?.['eu-1'] });
    expect(legacy.vector('disk full', 'us-9')).toEqual(m.vector('disk full', 'eu-1'));
  });
});

import { describe, expect, it } from 'vitest';
import { handleRead, type ReadModel } from '../../../src/api/index.js';

const kafkaMode: ReadModel = { incidents: () => [], incident: () => undefined, slos: () => [], deadLetters: () => [] };

describe('read API: SLO history', () => {
  it('answers 404 where no engine keeps the history (Kafka mode)', async () => {
    expect(await handleRead(kafkaMode, '/api/v1/slos/checkout/history', new URLSearchParams())).toEqual({
      status: 404,
      body: { error: 'SLO history is not available in Kafka mode' },
    });
  });

  it('passes the parsed times on and leaves absent ones to the engine', async () => {
    const calls: unknown[] = [];
    const model: ReadModel = { ...kafkaMode, sloHistory: (name, from, to) => (calls.push([name, from, to]), { step: 300_000, points: [{ at: 0, burnRates: { '5m': 1.5, '1h': null, '6h': null } }] }) };
    const r = await handleRead(model, '/api/v1/slos/a%2Fb/history', new URLSearchParams('from=1970-01-01T00:00:00Z'));
    expect(calls).toEqual([['a/b', 0, undefined]]);
    expect(r).toEqual({ status: 200, body: { slo: 'a/b', step: 300_000, points: [{ at: '1970-01-01T00:00:00.000Z', burnRates: { '5m': 1.5, '1h': null, '6h': null } }] } });
  });
});

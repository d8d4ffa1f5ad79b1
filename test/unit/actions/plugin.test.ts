import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyFetchError, classifyResponse, parseRetryAfter } from '../../../src/actions/index.js';
import { NEVER, NOW, RecordingServer } from './support.js';

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    [new Date(NOW + 30_000).toUTCString(), 30_000],
    [new Date(NOW - 30_000).toUTCString(), 0],
    ['soon', undefined],
    ['1.5', undefined],
    ['-1', undefined],
  ])('reads %j as %j ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('is undefined without the header', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('classifyResponse', () => {
  it.each([
    [200, undefined, 'sent'],
    [202, undefined, 'sent'],
    [204, undefined, 'sent'],
    [400, undefined, 'failed'],
    [401, undefined, 'failed'],
    [404, undefined, 'failed'],
    [409, undefined, 'failed'],
    [429, '3', 'retryable'],
    [500, undefined, 'retryable'],
    [503, '10', 'retryable'],
  ])('classifies HTTP %i (Retry-After %s) as %s', async (status, retryAfter, expected) => {
    const res = new Response(status === 204 ? null : 'body', { status, headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter } });
    const r = await classifyResponse(res, NOW, 'remote');
    expect(r.status).toBe(expected);
    if (retryAfter !== undefined) expect(r).toMatchObject({ retryAfterMs: Number(retryAfter) * 1000 });
  });
});

describe('classifyFetchError', () => {
  let server: RecordingServer;
  beforeEach(async () => {
    server = await new RecordingServer().start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('treats fetch failed (a network TypeError with a cause) as retryable', async () => {
    const url = server.url;
    await server.close();
    const err = await fetch(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(classifyFetchError(err, NEVER, 'remote')).toMatchObject({ status: 'retryable' });
  });

  it('rethrows a TypeError that fetch raises for our own bad arguments: a bug, never retried', async () => {
    const err = await fetch(server.url, { headers: { 'X-Bad': 'line\nbreak' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(() => classifyFetchError(err, NEVER, 'remote')).toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it('rethrows programmer errors of other kinds', () => {
    expect(() => classifyFetchError(new RangeError('bad index'), NEVER, 'remote')).toThrow(RangeError);
    expect(() => classifyFetchError(new TypeError('x is not a function'), NEVER, 'remote')).toThrow(TypeError);
  });

  it('treats anything thrown after our signal aborted as retryable', () => {
    const c = new AbortController();
    c.abort(new Error('attempt timed out after 10 ms'));
    const r = classifyFetchError(new TypeError('whatever'), c.signal, 'remote');
    expect(r).toMatchObject({ status: 'retryable' });
    expect(r.status === 'retryable' && r.error.message).toBe('remote: request aborted: attempt timed out after 10 ms');
  });
});

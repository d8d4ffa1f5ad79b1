import { describe, expect, it } from 'vitest';
import { sameLabelSet } from '../../../src/model/index.js';

describe('sameLabelSet', () => {
  it.each([
    [{ a: '1', b: '2' }, { b: '2', a: '1' }, true],
    [{ a: '1' }, { a: '1', b: '2' }, false],
    [{ a: '1', b: '2' }, { a: '1' }, false],
    [{ a: '1' }, { a: '2' }, false],
    [{}, {}, true],
    [{ a: '1' }, { constructor: '1' }, false],
    [Object.assign(Object.create(null) as Record<string, string>, { a: '' }), { a: '' }, true],
  ])('%j vs %j → %s', (a, b, same) => {
    expect(sameLabelSet(a, b)).toBe(same);
    expect(sameLabelSet(b, a)).toBe(same);
  });
});

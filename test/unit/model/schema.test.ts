import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { compileSchema, describeValue, formatPath } from '../../../src/model/schema.js';

const Item = Type.Object({
  name: Type.String({ minLength: 1 }),
  tags: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
  count: Type.Optional(Type.Number({ minimum: 0 })),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
  version: Type.Optional(Type.Literal('4')),
  on: Type.Optional(Type.Boolean()),
  labels: Type.Optional(Type.Object({}, { additionalProperties: Type.String() })),
  meta: Type.Optional(Type.Union([Type.Object({ id: Type.String() }), Type.Null()])),
  when: Type.Optional(Type.String({ expected: 'an RFC 3339 time' })),
  either: Type.Optional(Type.Union([Type.String(), Type.Number()])),
});
const checkItems = compileSchema(Type.Array(Item));
const checkStrict = compileSchema(Type.Object({ a: Type.String() }, { additionalProperties: false }));

describe('compileSchema', () => {
  it('returns null for valid values', () => {
    expect(checkItems([], 'items')).toBeNull();
    expect(checkItems([{ name: 'x', tags: ['t'], count: 0, level: 5, kind: 'b', version: '4', on: false, labels: {}, meta: null, either: 1 }], 'items')).toBeNull();
    expect(checkStrict({ a: '' }, '')).toBeNull();
  });

  it.each([
    ['a body of the wrong type', {}, 'body: expected an array, got object'],
    ['an element of the wrong type', [{ name: 'x' }, null], 'items[1]: expected an object, got null'],
    ['a missing field', [{}], 'items[0].name: missing, expected a non-empty string'],
    ['an empty string', [{ name: '' }], 'items[0].name: must be a non-empty string'],
    ['a string field given a number', [{ name: 7 }], 'items[0].name: expected a non-empty string, got number'],
    ['an empty array with minItems', [{ name: 'x', tags: [] }], 'items[0].tags: expected at least 1 item(s), got 0'],
    ['an array element', [{ name: 'x', tags: ['ok', 3] }], 'items[0].tags[1]: expected a string, got number'],
    ['a number below its minimum', [{ name: 'x', count: -0.5 }], 'items[0].count: expected a number >= 0, got -0.5'],
    ['an integer out of range', [{ name: 'x', level: 9 }], 'items[0].level: expected an integer from 1 to 5, got 9'],
    ['a fractional integer', [{ name: 'x', level: 1.5 }], 'items[0].level: expected an integer from 1 to 5, got number'],
    ['an unknown enum value', [{ name: 'x', kind: 'c' }], 'items[0].kind: expected one of "a", "b", got "c"'],
    ['a wrong literal', [{ name: 'x', version: '1' }], 'items[0].version: expected "4", got "1"'],
    ['a boolean given a string', [{ name: 'x', on: 'yes' }], 'items[0].on: expected a boolean, got "yes"'],
    ['a map value', [{ name: 'x', labels: { 'a.b': 1 } }], 'items[0].labels["a.b"]: expected a string, got number'],
    ['a map key with a slash and a tilde (JSON pointer escapes)', [{ name: 'x', labels: { 'a/b~c': false } }], 'items[0].labels["a/b~c"]: expected a string, got boolean'],
    ['a numeric map key, not an index', [{ name: 'x', labels: { '0': null } }], 'items[0].labels["0"]: expected a string, got null'],
    ['inside the one union variant the value fits', [{ name: 'x', meta: { id: 1 } }], 'items[0].meta.id: expected a string, got number'],
    ['a union no variant fits', [{ name: 'x', meta: 'm' }], 'items[0].meta: expected an object or null, got "m"'],
    ['a union of plain types', [{ name: 'x', either: true }], 'items[0].either: expected a string or a number, got boolean'],
    ['a custom expectation', [{ name: 'x', when: 5 }], 'items[0].when: expected an RFC 3339 time, got number'],
    ['a long string, cut', [{ name: 'x', kind: 'k'.repeat(50) }], `items[0].kind: expected one of "a", "b", got "${'k'.repeat(40)}"…`],
  ])('reports %s', (_name, value, message) => {
    expect(checkItems(value, 'items')).toBe(message);
  });

  it.each([
    ['an unknown field of a strict object', { a: 'x', b: 1 }, 'b: unknown field'],
    ['a missing field at the root', {}, 'a: missing, expected a string'],
    ['a non-object root', [], 'body: expected an object, got array'],
  ])('with an empty root reports %s from the body root', (_name, value, message) => {
    expect(checkStrict(value, '')).toBe(message);
  });

  it('reports the first problem only, in a stable order', () => {
    const value = [{ name: '', count: -1 }, { name: 5 }];
    expect(checkItems(value, 'items')).toBe('items[0].name: must be a non-empty string');
    expect(checkItems(value, 'items')).toBe(checkItems(structuredClone(value), 'items'));
  });
});

describe('formatPath', () => {
  it.each([
    ['', [], 'body'],
    ['', ['issue', 'fields', 'summary'], 'issue.fields.summary'],
    ['alerts', [3, 'labels', 'alertname'], 'alerts[3].labels.alertname'],
    ['alerts', [0, 'labels', ''], 'alerts[0].labels[""]'],
    ['', ['labels', 'service.name'], 'labels["service.name"]'],
    ['', ['labels', '$ok_1'], 'labels.$ok_1'],
    ['', ['labels', 'a"b'], 'labels["a\\"b"]'],
  ])('%j + %j → %s', (root, segments, expected) => {
    expect(formatPath(root, segments)).toBe(expected);
  });
});

describe('describeValue', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'null'],
    [[], 'array'],
    [{}, 'object'],
    [3, 'number'],
    [true, 'boolean'],
    ['soon', '"soon"'],
    ['a"b', '"a\\"b"'],
    ['x'.repeat(41), `"${'x'.repeat(40)}"…`],
  ])('%j → %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});

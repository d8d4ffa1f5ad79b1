import { Kind, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';

/**
 * Checks a value against a compiled schema: null when it is valid, else the first problem as one message
 * `"<where>: <what is wrong>"`. `root` names the value itself (`alerts` for a top-level array, `''` for an
 * object whose fields are named from the body root); a problem with the value as a whole is reported at `body`.
 */
export type SchemaCheck = (value: unknown, root: string) => string | null;

/**
 * Compiles a TypeBox schema into a {@link SchemaCheck}, the one validator that HTTP bodies and config files share
 * (STYLE §D, §E). The compiled check runs first, so a valid value never pays for error reporting; only a failing
 * value walks TypeBox's `Errors()` for its first problem.
 *
 * A schema may carry the option `expected: 'an RFC 3339 time'` to name, in messages, what a plain type can't say.
 */
export function compileSchema<T extends TSchema>(schema: T): SchemaCheck {
  const compiled = TypeCompiler.Compile(schema);
  return (value, root) => {
    if (compiled.Check(value)) return null;
    const first = compiled.Errors(value).First();
    // Check and Errors come from one schema, so a failed Check always has an error; guard anyway, never pass.
    if (first === undefined) return `${root === '' ? 'body' : root}: invalid`;
    const error = narrowUnion(first);
    return `${formatPointer(root, error.path, value)}: ${describeError(error)}`;
  };
}

/**
 * Renders a path JS-style from a root name and segments: `alerts[3].labels.alertname`, `labels["service.name"]`.
 * Numbers are array indices. An empty result is the body itself, rendered `body`. Only called on the error path.
 */
export function formatPath(root: string, segments: readonly (string | number)[]): string {
  let out = root;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out === '' ? 'body' : out;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_SHOWN_STRING = 40;

/**
 * Describes a received value for a message's "got" part: strings are shown quoted (cut at 40 characters),
 * anything else by its JSON type (`number`, `object`, `array`, `null`), so a message never echoes a large body.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') {
    return value.length > MAX_SHOWN_STRING ? `${JSON.stringify(value.slice(0, MAX_SHOWN_STRING))}…` : JSON.stringify(value);
  }
  return typeof value;
}

/**
 * Turns TypeBox's JSON pointer (`/3/labels/alertname`) into a JS-style path. It walks the value alongside,
 * so that `[3]` (array index) and `["3"]` (object key) stay distinct.
 */
function formatPointer(root: string, pointer: string, value: unknown): string {
  if (pointer === '') return 'body';
  const segments: (string | number)[] = [];
  let at: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(at)) {
      segments.push(Number(key));
      at = at[Number(key)];
    } else {
      segments.push(key);
      at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    }
  }
  return formatPath(root, segments);
}

/**
 * TypeBox reports a failed union as a whole ("expected an object or null"). When the value's JSON type fits
 * exactly one variant, the problem is inside that variant, so report its first error instead
 * (`annotations.summary: expected a string`, not `annotations: expected an object of strings or null`).
 */
function narrowUnion(e: ValueError): ValueError {
  if (e.type !== ValueErrorType.Union) return e;
  const variants = e.schema.anyOf as TSchema[];
  let match = -1;
  for (let i = 0; i < variants.length; i++) {
    if (!fitsJsonType(variants[i] as TSchema, e.value)) continue;
    if (match !== -1) return e;
    match = i;
  }
  const inner = match === -1 ? undefined : e.errors[match]?.First();
  return inner === undefined ? e : narrowUnion(inner);
}

function fitsJsonType(s: TSchema, value: unknown): boolean {
  switch (s[Kind]) {
    case 'Object':
    case 'Record':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'Array':
      return Array.isArray(value);
    case 'String':
      return typeof value === 'string';
    case 'Number':
    case 'Integer':
      return typeof value === 'number';
    case 'Boolean':
      return typeof value === 'boolean';
    case 'Null':
      return value === null;
    case 'Literal':
      return typeof value === typeof s.const;
    default:
      return false;
  }
}

function describeError(e: ValueError): string {
  const s = e.schema;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `missing, expected ${describeSchema(s)}`;
    case ValueErrorType.ObjectAdditionalProperties:
      return 'unknown field';
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must be a non-empty string' : `expected ${describeSchema(s)}, got ${describeValue(e.value)}`;
    case ValueErrorType.ArrayMinItems:
      return `expected at least ${s.minItems as number} item(s), got ${(e.value as unknown[]).length}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.NumberExclusiveMaximum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
      return `expected ${describeSchema(s)}, got ${String(e.value)}`;
    default:
      return `expected ${describeSchema(s)}, got ${describeValue(e.value)}`;
  }
}

/** What a schema accepts, in words: `a string`, `an object of strings or null`, `one of "open", "resolved"`. */
function describeSchema(s: TSchema): string {
  if (typeof s.expected === 'string') return s.expected;
  switch (s[Kind]) {
    case 'String':
      return s.minLength === 1 ? 'a non-empty string' : 'a string';
    case 'Number':
    case 'Integer': {
      const noun = s[Kind] === 'Integer' ? 'an integer' : 'a number';
      if (typeof s.minimum === 'number' && typeof s.maximum === 'number') return `${noun} from ${s.minimum} to ${s.maximum}`;
      if (typeof s.minimum === 'number') return `${noun} >= ${s.minimum}`;
      if (typeof s.exclusiveMinimum === 'number') return `${noun} > ${s.exclusiveMinimum}`;
      if (typeof s.maximum === 'number') return `${noun} <= ${s.maximum}`;
      return noun;
    }
    case 'Boolean':
      return 'a boolean';
    case 'Null':
      return 'null';
    case 'Literal':
      return JSON.stringify(s.const);
    case 'Array':
      return s.items !== undefined && s.items[Kind] === 'String' ? 'an array of strings' : 'an array';
    case 'Record':
      return 'an object';
    case 'Object': {
      const extra = s.additionalProperties as TSchema | boolean | undefined;
      const empty = s.properties === undefined || Object.keys(s.properties as object).length === 0;
      if (empty && typeof extra === 'object' && extra[Kind] === 'String') return 'an object of strings';
      return 'an object';
    }
    case 'Union': {
      const variants = s.anyOf as TSchema[];
      if (variants.every((v) => v[Kind] === 'Literal')) return `one of ${variants.map((v) => JSON.stringify(v.const)).join(', ')}`;
      return variants.map(describeSchema).join(' or ');
    }
    default:
      return String(s[Kind]).toLowerCase();
  }
}

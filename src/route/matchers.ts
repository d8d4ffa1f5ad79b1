import { ConfigError, InputError } from '../errors.js';
import type { LabelSet } from '../model/index.js';

/**
 * Alertmanager's label matchers: the `matchers:` strings of routes and inhibit rules (`env!="prod"`,
 * `{a="b", c=~"d.*"}`), the legacy `match`/`match_re` maps, and what silences are made of.
 *
 * Parsing follows Alertmanager's classic parser (pkg/labels/parse.go) character for character, plus the one form
 * its UTF-8 parser (matcher/parse, the default since 0.27 in its fallback mode) adds that the classic one refuses:
 * a double-quoted label name (`"service.name"="api"`). Where both parsers accept an input Alertmanager keeps the
 * classic result, so this union is what an Alertmanager with default flags accepts.
 */

/** The four operators, as written. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** Where a matcher string failed to parse: a 1-based column (in characters) and what went wrong there. */
export interface MatcherSyntaxError {
  readonly column: number;
  readonly message: string;
}

/**
 * One label matcher. Regular expressions are anchored (`^(?:re)$`) as in Alertmanager, and a missing label
 * matches as the empty string, so `foo=""` matches a set without `foo`. Immutable once built.
 */
export class Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  readonly #re: RegExp | null;

  private constructor(type: MatchType, name: string, value: string, re: RegExp | null) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.#re = re;
    Object.freeze(this);
  }

  /** Builds a matcher, or returns why it can't be built (only a regular expression can fail). */
  static tryCreate(type: MatchType, name: string, value: string): Matcher | string {
    if (type === '=' || type === '!=') return new Matcher(type, name, value, null);
    const re = compileAnchored(value);
    return typeof re === 'string' ? re : new Matcher(type, name, value, re);
  }

  /**
   * A `match_re` matcher as Alertmanager builds it: its value is the anchored `^(?:re)$` that Go's compiled Regexp
   * prints (route keys show it), while matching uses `re` itself, so a leading flag group still applies.
   */
  static tryCreateLegacyRegex(name: string, re: string): Matcher | string {
    const compiled = compileAnchored(re);
    return typeof compiled === 'string' ? compiled : new Matcher('=~', name, `^(?:${re})$`, compiled);
  }

  /**
   * Builds a matcher or throws `<where>: <problem>` as a ConfigError (or an InputError with `kind: 'input'`):
   * for values already split into name, operator and value, like a silence's matchers.
   */
  static create(type: MatchType, name: string, value: string, where = '', kind: ErrorKind = 'config'): Matcher {
    const m = Matcher.tryCreate(type, name, value);
    if (typeof m === 'string') throw makeError(kind, where === '' ? m : `${where}: ${m}`);
    return m;
  }

  /** Whether a label value (the empty string for a missing label) satisfies this matcher. */
  matches(value: string): boolean {
    switch (this.type) {
      case '=':
        return value === this.value;
      case '!=':
        return value !== this.value;
      case '=~':
        return (this.#re as RegExp).test(value);
      case '!~':
        return !(this.#re as RegExp).test(value);
    }
  }

  /** Whether the set's value of this matcher's label (the empty string when missing) satisfies it. */
  matchesLabels(labels: LabelSet): boolean {
    return this.matches(labelValue(labels, this.name));
  }

  /** As Alertmanager prints a matcher: `name="value"` with OpenMetrics escapes, both quoted when the name needs it. */
  toString(): string {
    if (RESERVED_IN_NAME.test(this.name)) return `${JSON.stringify(this.name)}${this.type}${JSON.stringify(this.value)}`;
    return `${this.name}${this.type}"${openMetricsEscape(this.value)}"`;
  }
}

/** Which error class a parse failure throws: ConfigError for config files, InputError for request bodies. */
export type ErrorKind = 'config' | 'input';

/** The value of `name` in a label set, or the empty string when it has none (never an inherited property). */
export function labelValue(labels: LabelSet, name: string): string {
  return Object.hasOwn(labels, name) ? (labels[name] as string) : '';
}

/** Whether every matcher is satisfied by the label set; true for no matchers. */
export function matchesAll(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const m of matchers) if (!m.matchesLabels(labels)) return false;
  return true;
}

/**
 * Sorts matchers as Alertmanager's `labels.Matchers` does (name, then value, then operator, strings by code point
 * as Go compares UTF-8 bytes). Route keys print matchers in this order. Returns a new array.
 */
export function sortMatchers(matchers: readonly Matcher[]): Matcher[] {
  return [...matchers].sort((a, b) => compareCodePoints(a.name, b.name) || compareCodePoints(a.value, b.value) || TYPE_ORDER[a.type] - TYPE_ORDER[b.type]);
}

/** Renders matchers as Alertmanager's `Matchers.String()`: `{a="b",c=~"d"}`. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map(String).join(',')}}`;
}

/**
 * Parses a comma-separated list of matchers, braces optional (`{a="b", c!~"d.*"}`, `a=b,c!=d`, one matcher alone),
 * or returns where it failed. The empty string and `{}` are no matchers.
 */
export function tryParseMatchers(input: string): Matcher[] | MatcherSyntaxError {
  let start = 0;
  let end = input.length;
  if (input.startsWith('{')) start = 1;
  if (end > start && input.endsWith('}')) end -= 1;
  const out: Matcher[] = [];
  let insideQuotes = false;
  let escaped = false;
  let tokenStart = start;
  for (let i = start; i < end; i++) {
    const c = input[i];
    if (c === ',' && !insideQuotes) {
      // Like Alertmanager, a token ended by a comma is parsed even when blank, so `{,}` is an error.
      const m = parseOne(input, tokenStart, i);
      if (!(m instanceof Matcher)) return m;
      out.push(m);
      tokenStart = i + 1;
      continue;
    }
    // As Go's switch: a comma inside quotes leaves `escaped` as it was.
    if (c === '"') {
      if (!escaped) insideQuotes = !insideQuotes;
      else escaped = false;
    } else if (c === '\\') escaped = !escaped;
    else if (c !== ',') escaped = false;
  }
  // The last token is trimmed (Go's TrimSpace) and skipped when blank, which allows a trailing comma.
  const last = input.slice(tokenStart, end);
  const trimmed = last.trim();
  if (trimmed !== '') {
    const from = tokenStart + (last.length - last.trimStart().length);
    const m = parseOne(input, from, from + trimmed.length);
    if (!(m instanceof Matcher)) return m;
    out.push(m);
  }
  return out;
}

/**
 * Parses a matcher list as {@link tryParseMatchers} does or throws `<where>: column <n>: <problem>`:
 * a ConfigError, or an InputError with `kind: 'input'`.
 */
export function parseMatchers(input: string, where = '', kind: ErrorKind = 'config'): Matcher[] {
  const r = tryParseMatchers(input);
  if (!Array.isArray(r)) throw makeError(kind, `${where === '' ? '' : `${where}: `}column ${r.column}: ${r.message}`);
  return r;
}

/**
 * Parses exactly one matcher (`severity="sev1"`); braces are refused, as Alertmanager's single-matcher parser
 * refuses them. Throws like {@link parseMatchers}.
 */
export function parseMatcher(input: string, where = '', kind: ErrorKind = 'config'): Matcher {
  const prefix = where === '' ? '' : `${where}: `;
  if (input.startsWith('{') || input.endsWith('}')) throw makeError(kind, `${prefix}unexpected open or close brace: ${input}`);
  const list = parseMatchers(input, where, kind);
  if (list.length !== 1) throw makeError(kind, `${prefix}expected 1 matcher, found ${list.length}`);
  return list[0] as Matcher;
}

/**
 * Builds matchers from the legacy `match` (equality) and `match_re` (regex) maps, as Alertmanager's route and
 * inhibit rule do. A `match_re` value is kept as `^(?:re)$`, the string Alertmanager's compiled Regexp prints,
 * so route keys come out as Alertmanager's. Label names must be classic (`[a-zA-Z_][a-zA-Z0-9_]*`).
 * Throws ConfigError `<where>.<map>.<name>: <problem>`.
 */
export function matchersFromMaps(
  match: Readonly<Record<string, string>> | undefined,
  matchRe: Readonly<Record<string, string>> | undefined,
  path: (map: 'match' | 'match_re', name: string) => string,
): Matcher[] {
  const out: Matcher[] = [];
  for (const [name, value] of Object.entries(match ?? {})) {
    if (!CLASSIC_LABEL_NAME.test(name)) throw new ConfigError(`${path('match', name)}: invalid label name ${JSON.stringify(name)}`);
    out.push(Matcher.create('=', name, value));
  }
  for (const [name, re] of Object.entries(matchRe ?? {})) {
    if (!CLASSIC_LABEL_NAME.test(name)) throw new ConfigError(`${path('match_re', name)}: invalid label name ${JSON.stringify(name)}`);
    const m = Matcher.tryCreateLegacyRegex(name, re);
    if (typeof m === 'string') throw new ConfigError(`${path('match_re', name)}: ${m}`);
    out.push(m);
  }
  return out;
}

/** A Prometheus classic label name, which the legacy maps require. */
export const CLASSIC_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const TYPE_ORDER: Readonly<Record<MatchType, number>> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };
const RESERVED_IN_NAME = /[\s{}!=~,\\"'`]/;
/** Go's `\s` in the classic parser's regexp: ASCII whitespace without the vertical tab. */
const GO_SPACE = new Set(['\t', '\n', '\f', '\r', ' ']);

function isNameStart(c: string | undefined): boolean {
  return c !== undefined && /[a-zA-Z_:]/.test(c);
}

function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[a-zA-Z0-9_:]/.test(c);
}

/**
 * Parses input[from, to) as one matcher the way pkg/labels ParseMatcher does: the regexp
 * `^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*(.*?)\s*$`, then OpenMetrics unescaping of the value.
 */
function parseOne(input: string, from: number, to: number): Matcher | MatcherSyntaxError {
  const token = input.slice(from, to);
  const col = (i: number): number => Array.from(input.slice(0, i)).length + 1;
  let i = from;
  while (i < to && GO_SPACE.has(input[i] as string)) i++;
  let name: string;
  if (input[i] === '"') {
    const quoted = readQuotedName(input, i, to);
    if (typeof quoted === 'number') return { column: col(quoted), message: `bad matcher format, unterminated label name: ${token}` };
    name = quoted.name;
    if (name === '') return { column: col(i), message: `bad matcher format, empty label name: ${token}` };
    i = quoted.next;
  } else {
    if (!isNameStart(input[i])) return { column: col(i), message: `bad matcher format, expected a label name: ${token}` };
    const nameStart = i;
    while (i < to && isNameChar(input[i])) i++;
    name = input.slice(nameStart, i);
  }
  while (i < to && GO_SPACE.has(input[i] as string)) i++;
  const op = readOperator(input, i, to);
  if (op === null) return { column: col(i), message: `bad matcher format, expected one of =, !=, =~, !~: ${token}` };
  i += op.length;
  while (i < to && GO_SPACE.has(input[i] as string)) i++;
  let valueEnd = to;
  while (valueEnd > i && GO_SPACE.has(input[valueEnd - 1] as string)) valueEnd--;
  const value = unescapeValue(input, i, valueEnd);
  if (typeof value === 'number') {
    return { column: col(value), message: `matcher value contains unescaped double quote: ${input.slice(i, valueEnd)}` };
  }
  const m = Matcher.tryCreate(op, name, value);
  return typeof m === 'string' ? { column: col(i), message: m } : m;
}

function readOperator(input: string, i: number, to: number): MatchType | null {
  const two = i + 2 <= to ? input.slice(i, i + 2) : '';
  if (two === '=~' || two === '!=' || two === '!~') return two;
  return i < to && input[i] === '=' ? '=' : null;
}

/** A double-quoted label name from input[at] (a `"`): the name and where parsing goes on, or where it failed. */
function readQuotedName(input: string, at: number, to: number): { name: string; next: number } | number {
  let name = '';
  for (let i = at + 1; i < to; i++) {
    const c = input[i] as string;
    if (c === '"') return { name, next: i + 1 };
    if (c === '\\' && i + 1 < to) {
      const n = input[++i] as string;
      name += n === 'n' ? '\n' : n === '"' || n === '\\' ? n : `\\${n}`;
    } else name += c;
  }
  return at;
}

/**
 * Unescapes a raw matcher value input[from, to) as ParseMatcher does: an optional opening quote that then needs a
 * closing one, `\"`, `\\` and `\n` escapes, any other backslash literal. Returns the index of an offending quote.
 */
function unescapeValue(input: string, from: number, to: number): string | number {
  let i = from;
  let expectTrailingQuote = false;
  if (i < to && input[i] === '"') {
    expectTrailingQuote = true;
    i++;
  }
  let out = '';
  let escaped = false;
  for (; i < to; i++) {
    const c = input[i] as string;
    if (escaped) {
      escaped = false;
      out += c === 'n' ? '\n' : c === '"' || c === '\\' ? c : `\\${c}`;
      continue;
    }
    if (c === '\\') {
      if (i < to - 1) escaped = true;
      else out += '\\'; // a backslash as the last character is literal
    } else if (c === '"') {
      if (!expectTrailingQuote || i < to - 1) return i;
      expectTrailingQuote = false;
    } else out += c;
  }
  return expectTrailingQuote ? from : out;
}

/**
 * Compiles `^(?:re)$` or returns why it can't. Alertmanager uses Go's RE2; ECMAScript differs in places, so the
 * pattern is adapted where the meaning is clear: a leading flag group `(?i)`, `(?s)`, `(?m)` (or a mix) becomes a
 * RegExp flag, `(?P<name>` becomes `(?<name>`. Code points are matched (the `u` flag, as RE2 matches runes), unless
 * the pattern uses an escape `u` refuses, such as `\-`, which RE2 allows. With `m`, the anchors are written as
 * lookarounds so they still anchor the whole value, as Go's outer `^…$` do.
 */
function compileAnchored(re: string): RegExp | string {
  let body = re;
  let flags = '';
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (lead !== null) {
    const given = lead[1] as string;
    if (!/^[ims]+$/.test(given)) return `invalid regular expression ${JSON.stringify(re)}: flag group (?${given}) is not supported`;
    flags = [...new Set(given)].join('');
    body = body.slice(lead[0].length);
  }
  body = body.replaceAll('(?P<', '(?<');
  const source = flags.includes('m') ? `(?<![\\s\\S])(?:${body})(?![\\s\\S])` : `^(?:${body})$`;
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    // Not a failure yet: RE2 accepts identity escapes (`\-`, `\_`) that the u flag refuses.
  }
  try {
    return new RegExp(source, flags);
  } catch (err) {
    const reason = String((err as Error).message).split(': ').pop() ?? 'invalid';
    return `invalid regular expression ${JSON.stringify(re)}: ${reason}`;
  }
}

function openMetricsEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Compares strings by code point, the order Go gives UTF-8 strings (UTF-16 order differs above U+D7FF). */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function makeError(kind: ErrorKind, message: string): Error {
  return kind === 'input' ? new InputError(message) : new ConfigError(message);
}

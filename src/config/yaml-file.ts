import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from '../errors.js';
import type { SchemaCheck } from '../model/schema.js';

/**
 * Reads one YAML file of the config directory: undefined when it does not exist, else its value checked
 * against `check`. Errors name the file, and the line for syntax errors (`topology.yaml:3:7: …`).
 */
export async function readYamlFile(dir: string, name: string, check: SchemaCheck): Promise<unknown | undefined> {
  const text = await readConfigText(dir, name);
  return text === undefined ? undefined : parseYamlText(text, name, check);
}

/**
 * Parses YAML text named `name` in messages and checks its value against `check`: the one place config files
 * and other YAML inputs (eval thresholds) get their syntax errors with line and column and their schema errors
 * with a path.
 */
export function parseYamlText(text: string, name: string, check: SchemaCheck): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const first = doc.errors[0];
  if (first !== undefined) throw syntaxError(name, lineCounter, first);
  const value: unknown = doc.toJS() ?? {};
  checkYamlValue(value, name, check);
  return value;
}

/** One document of a YAML stream: its position in the stream (from 1) and its value, null when it is empty. */
export interface YamlDocument {
  readonly index: number;
  readonly value: unknown;
}

/**
 * Reads a config file that may hold several `---`-separated documents: undefined when it does not exist, else
 * its documents, unchecked, since each may follow a different schema. Syntax errors are thrown as in
 * {@link readYamlFile}, with the line and column counted from the start of the file.
 */
export async function readYamlDocuments(dir: string, name: string): Promise<YamlDocument[] | undefined> {
  const text = await readConfigText(dir, name);
  return text === undefined ? undefined : parseYamlDocuments(text, name);
}

/**
 * Parses a YAML stream named `name` in messages into its documents (none for empty text). The first syntax
 * error of any document is thrown as `name:line:col: message`, line and column counted in the whole text.
 */
export function parseYamlDocuments(text: string, name: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  // Without documents (only comments, or nothing) the parser returns an EmptyStream, which is an empty array too.
  for (const doc of docs) {
    const first = doc.errors[0];
    if (first !== undefined) throw syntaxError(name, lineCounter, first);
  }
  return docs.map((doc, i) => ({ index: i + 1, value: (doc.toJS() as unknown) ?? null }));
}

/**
 * Checks one parsed YAML value against `check` and throws `<where>: <path>: <problem>`. A problem with the value
 * as a whole comes back from the check as `body: …`; in a file that is the file (or document) itself.
 */
export function checkYamlValue(value: unknown, where: string, check: SchemaCheck): void {
  const problem = check(value, '');
  if (problem !== null) throw new ConfigError(`${where}: ${problem.startsWith('body: ') ? problem.slice(6) : problem}`);
}

async function readConfigText(dir: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`${name}: cannot read: ${(err as Error).message}`, { cause: err });
  }
}

function syntaxError(name: string, lineCounter: LineCounter, err: YAMLError): ConfigError {
  const pos = lineCounter.linePos(err.pos[0]);
  return new ConfigError(`${name}:${pos.line}:${pos.col}: ${err.message.split('\n')[0]}`);
}

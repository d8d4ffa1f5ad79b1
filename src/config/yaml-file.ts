import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import type { SchemaCheck } from '../model/schema.js';

/**
 * Reads one YAML file of the config directory: undefined when it does not exist, else its value checked
 * against `check`. Errors name the file, and the line for syntax errors (`topology.yaml:3:7: …`).
 */
export async function readYamlFile(dir: string, name: string, check: SchemaCheck): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`${name}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  return parseYamlText(text, name, check);
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
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0]);
    const where = `${name}:${pos.line}:${pos.col}`;
    throw new ConfigError(`${where}: ${first.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS() ?? {};
  const problem = check(value, '');
  // A problem with the document as a whole comes back as `body: …`; in a file that is the file itself.
  if (problem !== null) throw new ConfigError(`${name}: ${problem.startsWith('body: ') ? problem.slice(6) : problem}`);
  return value;
}

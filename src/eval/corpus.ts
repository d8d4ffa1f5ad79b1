import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { THRESHOLDS_FILE } from './thresholds.js';

/** One scenario directory: `capture.ndjson`, `config/`, `truth.json`. */
export interface ScenarioDir {
  readonly name: string;
  /** As the user named it (for messages). */
  readonly dir: string;
}

/** What `stormcell eval DIR` scores, and where its thresholds live. */
export interface Corpus {
  readonly scenarios: readonly ScenarioDir[];
  readonly thresholdsFile: string;
}

/** The capture file that marks a directory as a scenario rather than a corpus. */
export const CAPTURE_FILE = 'capture.ndjson';

/**
 * Resolves DIR into scenarios. A directory holding `capture.ndjson` is one scenario; any other is a corpus whose
 * subdirectories (sorted by name, those starting with `_` or `.` skipped) are its scenarios, each of which must
 * hold a capture. A corpus keeps `thresholds.yaml` at its top; a lone scenario keeps its own or, failing that, uses
 * its parent corpus's, so one scenario of a corpus can be scored alone against the same bars.
 * Throws InputError for a missing directory, an empty corpus or a subdirectory without a capture.
 */
export async function findCorpus(dir: string): Promise<Corpus> {
  if (!(await isDirectory(dir))) throw new InputError(`${dir}: not a directory`);
  if (await exists(join(dir, CAPTURE_FILE))) {
    const own = join(dir, THRESHOLDS_FILE);
    const parent = join(dirname(resolve(dir)), THRESHOLDS_FILE);
    const thresholdsFile = (await exists(own)) || !(await exists(parent)) ? own : parent;
    return { scenarios: [{ name: basename(resolve(dir)), dir }], thresholdsFile };
  }
  const names = (await readdir(dir)).filter((n) => !n.startsWith('_') && !n.startsWith('.')).sort();
  const scenarios: ScenarioDir[] = [];
  for (const name of names) {
    const sub = join(dir, name);
    if (!(await isDirectory(sub))) continue;
    if (!(await exists(join(sub, CAPTURE_FILE)))) {
      throw new InputError(`${sub}: not a scenario: no ${CAPTURE_FILE} (prefix the name with _ to keep other things in a corpus)`);
    }
    scenarios.push({ name, dir: sub });
  }
  if (scenarios.length === 0) throw new InputError(`${dir}: neither a scenario (no ${CAPTURE_FILE}) nor a corpus (no scenario directories)`);
  return { scenarios, thresholdsFile: join(dir, THRESHOLDS_FILE) };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

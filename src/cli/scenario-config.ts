import { copyFile, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';

/**
 * The config files that decide how a capture replays into incidents. routing.yaml stays behind: eval never
 * routes, and receivers hold URLs and keys that do not belong in a test corpus.
 */
export const SCENARIO_CONFIG_FILES = ['stormcell.yaml', 'topology.yaml', 'slos.yaml', 'pipeline.yaml'] as const;

/**
 * Copies a server's config files into a scenario's `config/` (`to` exists). pipeline.yaml's k-means model paths
 * are relative to the pipeline file, so each model is copied beside it and its path rewritten to the copy (comments
 * and layout kept); every other file is copied byte for byte. Returns the names written. The caller loads the
 * copy afterwards, so a file that does not check fails there with the loader's message.
 */
export async function copyScenarioConfig(from: string, to: string): Promise<string[]> {
  const written: string[] = [];
  for (const name of SCENARIO_CONFIG_FILES) {
    const src = join(from, name);
    if (!(await isFile(src))) continue;
    if (name === 'pipeline.yaml') written.push(...(await copyPipeline(src, from, to)));
    else {
      await copyFile(src, join(to, name));
      written.push(name);
    }
  }
  return written;
}

async function copyPipeline(src: string, from: string, to: string): Promise<string[]> {
  const doc = parseDocument(await readFile(src, 'utf8'));
  if (doc.errors.length > 0) throw new ConfigError(`${src}: not YAML: ${(doc.errors[0] as Error).message.split('\n')[0]}`);
  const written = ['pipeline.yaml'];
  const correlators = isMap(doc.contents) ? doc.contents.get('correlators', true) : undefined;
  if (isSeq(correlators)) {
    for (const item of correlators.items) {
      if (!isMap(item) || item.get('type') !== 'kmeans') continue;
      const model = item.get('model', true);
      if (!isScalar(model) || typeof model.value !== 'string') continue;
      const name = basename(model.value);
      if (written.includes(name) || (SCENARIO_CONFIG_FILES as readonly string[]).includes(name)) {
        throw new ConfigError(`${src}: k-means model ${model.value} would overwrite ${name} in the scenario's config/; rename the model file`);
      }
      await copyFile(resolve(from, model.value), join(to, name));
      model.value = name;
      written.push(name);
    }
  }
  await writeFile(join(to, 'pipeline.yaml'), doc.toString());
  return written;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

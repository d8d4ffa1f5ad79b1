import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { renderPostmortem, type PostmortemInput } from '../learn/index.js';
import type { Instant, SloDoc } from '../model/index.js';
import { DEFAULT_SERVER_URL, getJson } from './read-api-client.js';

export const POSTMORTEM_USAGE = `stormcell postmortem ID [--url ${DEFAULT_SERVER_URL}] [--out FILE]`;

/**
 * `stormcell postmortem ID [--url URL] [--out FILE]`: reads incident ID with its timeline and the SLOs from a
 * running server and writes a blameless postmortem draft in Markdown (to FILE, else stdout). `now` dates the draft
 * and ends the duration of an incident still open; the CLI passes the wall clock, tests a fixed time.
 */
export async function postmortemCommand(args: string[], now: () => Instant = Date.now): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { url: { type: 'string' }, out: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError(`postmortem: ${(err as Error).message}; usage: ${POSTMORTEM_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new ConfigError(`postmortem expects one incident ID, got ${positionals.length} argument(s); usage: ${POSTMORTEM_USAGE}`);
  const id = positionals[0] as string;
  const url = values.url ?? DEFAULT_SERVER_URL;
  const incident = (await getJson(url, `/api/v1/incidents/${encodeURIComponent(id)}`, 'postmortem', `incident ${id}`)) as PostmortemInput['incident'];
  const slos = (await getJson(url, '/api/v1/slos', 'postmortem', 'the SLOs')) as SloDoc[];
  const text = renderPostmortem({ incident, slos, now: now() });
  if (values.out === undefined) process.stdout.write(text);
  else await writeFile(values.out, text);
  return 0;
}

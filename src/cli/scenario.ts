import { createReadStream } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { ConfigError, InputError } from '../errors.js';
import { parseTruth } from '../eval/index.js';
import { exportWindow, firstAlertArrival, scenarioReadme, sliceCapture, toScenarioTruth, type CaptureSlice } from '../learn/index.js';
import { formatInstant, parseDuration, parseRfc3339, type IncidentDoc, type Instant, type TimelineEntry } from '../model/index.js';
import { DEFAULT_SERVER_URL, getJson } from './read-api-client.js';
import { copyScenarioConfig } from './scenario-config.js';
import { openWalCopy } from './wal-copy.js';

export const SCENARIO_USAGE = `stormcell scenario export ID (--capture FILE | --data DIR) --config DIR --out DIR [--url ${DEFAULT_SERVER_URL}] [--margin 10m]`;

const DEFAULT_MARGIN = '10m';

/**
 * `stormcell scenario export ID …`: turns a live incident into a regression scenario of the eval corpus
 * (`DIR/{capture.ndjson, config/, truth.json, README.md}`). The traffic comes from a `serve --record` capture or
 * from the WAL of the server's data dir (read from a copy; the server may keep running); the config from the
 * server's config dir, which the read API does not reveal, hence `--config`; the truth from the read API (see
 * src/learn/scenario-export.ts for what it holds and how to review it). `now` dates the README.
 */
export async function scenarioCommand(args: string[], now: () => Instant = Date.now): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'export') throw new ConfigError(`scenario: expected "export", got ${JSON.stringify(sub ?? '')}; usage: ${SCENARIO_USAGE}`);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { url: { type: 'string' }, capture: { type: 'string' }, data: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, margin: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError(`scenario export: ${(err as Error).message}; usage: ${SCENARIO_USAGE}`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length !== 1) throw new ConfigError(`scenario export expects one incident ID, got ${positionals.length} argument(s); usage: ${SCENARIO_USAGE}`);
  if ((v.capture === undefined) === (v.data === undefined)) throw new ConfigError(`scenario export needs one of --capture FILE (a serve --record capture) or --data DIR (the server's data dir); usage: ${SCENARIO_USAGE}`);
  if (v.config === undefined) throw new ConfigError('scenario export needs --config DIR: the config dir the server runs with (the read API does not say which it is)');
  if (v.out === undefined) throw new ConfigError(`scenario export needs --out DIR; usage: ${SCENARIO_USAGE}`);
  const marginMs = parseDuration(v.margin ?? DEFAULT_MARGIN);
  if (marginMs === null) throw new ConfigError(`--margin: expected a duration like 10m, got ${JSON.stringify(v.margin)}`);
  const id = positionals[0] as string;
  const url = v.url ?? DEFAULT_SERVER_URL;
  const out = v.out;

  const config = await loadConfig(v.config);
  await checkEmptyOut(out);
  const incident = (await getJson(url, `/api/v1/incidents/${encodeURIComponent(id)}`, 'scenario export', `incident ${id}`)) as IncidentDoc & { timeline: TimelineEntry[] };
  const all = (await getJson(url, '/api/v1/incidents', 'scenario export', 'the incident list')) as IncidentDoc[];
  const window = exportWindow(incident, marginMs, rfc3339);

  let slice: CaptureSlice;
  let source: string;
  if (v.capture !== undefined) {
    const file = v.capture;
    source = `the capture ${file}`;
    slice = await sliceCapture(() => fileLines(file), file, incident, window);
    const arrival = firstAlertArrival(incident, rfc3339);
    if (slice.sourceFirstTs !== null && slice.sourceFirstTs > arrival) {
      process.stderr.write(`scenario export: warning: ${file} begins at ${formatInstant(slice.sourceFirstTs)}, after the incident's first alert arrived (${formatInstant(arrival)}): the recording misses its first requests\n`);
    }
  } else {
    const wal = await openWalCopy(v.data as string);
    source = `the WAL of ${v.data as string} (offsets ${wal.firstOffset} to ${wal.nextOffset - 1})`;
    try {
      slice = await sliceCapture(() => wal.lines(), `${join(v.data as string, 'wal')} entry`, incident, window);
    } finally {
      await wal.close();
    }
    if (wal.firstOffset > 0 && (slice.sourceFirstTs === null || slice.sourceFirstTs > slice.window.from)) {
      const oldest = slice.sourceFirstTs === null ? 'nothing' : `its oldest entry (offset ${wal.firstOffset}, ${formatInstant(slice.sourceFirstTs)})`;
      throw new InputError(
        `scenario export: the WAL of ${v.data as string} no longer holds the start of the window (${formatInstant(slice.window.from)}): ` +
          `snapshots truncated it and ${oldest} is later; export from a serve --record capture, or pass a smaller --margin`,
      );
    }
  }
  if (slice.lines.length === 0) throw new InputError(`scenario export: ${source} holds no request between ${formatInstant(slice.window.from)} and ${slice.window.to === Infinity ? 'its end' : formatInstant(slice.window.to)}`);

  const entities = new Set(config.engine.topology.entities.map((e) => e.id));
  const truth = toScenarioTruth(incident, all, slice, entities);
  if (truth === null) throw new InputError(`scenario export: none of the alerts of ${id} was received in the slice of ${source}; is it the traffic of the server at ${url}?`);
  parseTruth(truth, join(out, 'truth.json')); // the schema eval reads it with; a failure here is a bug of the export

  await mkdir(join(out, 'config'), { recursive: true });
  await writeFile(join(out, 'capture.ndjson'), slice.lines.join('\n') + '\n');
  const copied = await copyScenarioConfig(config.dir, join(out, 'config'));
  await loadConfig(join(out, 'config')); // the copy must load as the original did
  await writeFile(join(out, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  await writeFile(join(out, 'README.md'), scenarioReadme({ incident, source, window: slice.window, lines: slice.lines.length, truth, now: now() }));

  const first = truth.incidents[0] as { alerts: string[] };
  process.stdout.write(
    `scenario ${out}: ${slice.lines.length} requests from ${source}` +
      `${slice.refused > 0 ? ` (${slice.refused} refused by the receivers, as replay will refuse them)` : ''}; ` +
      `config ${copied.join(', ') || '(defaults)'}; truth: ${truth.incidents.length} incident(s), ${first.alerts.length} alert(s) of ${id}. ` +
      `Review truth.json (README.md there says how), then score it with stormcell eval on the corpus that holds it\n`,
  );
  return 0;
}

function rfc3339(s: string): Instant {
  const ms = parseRfc3339(s);
  if (ms === null) throw new InputError(`scenario export: the server sent ${JSON.stringify(s)} where an RFC 3339 time belongs`);
  return ms;
}

async function* fileLines(file: string): AsyncIterable<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) yield line;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${file}: no such file`);
    throw err;
  } finally {
    input.destroy();
  }
}

/** An export never mixes with an older one: DIR must be new or empty. */
async function checkEmptyOut(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new InputError(`--out ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (entries.length > 0) throw new InputError(`--out ${dir}: not empty; an export writes a fresh scenario directory`);
}

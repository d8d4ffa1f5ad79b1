import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { kmeans } from 'ml-kmeans';
import { alertFeatures, DEFAULT_FEATURE_DIMS, toKmeansModelJson, type KmeansModel } from '../engine/cluster/index.js';
import { alertText, TextIndex, ticketText, Tokenizer } from '../engine/text/index.js';
import { ConfigError, InputError } from '../errors.js';
import { parseCaptureLine } from '../ingest/index.js';
import type { AlertEvent, TicketEvent } from '../model/index.js';
import { normalize } from '../normalize/index.js';

/** The usage line of train-kmeans, for the CLI's help text; every argument error repeats it. */
export const TRAIN_KMEANS_USAGE = 'stormcell train-kmeans CAPTURE.ndjson... --out FILE [--k 16] [--seed 1] [--dims 64]';

const DEFAULT_K = 16;
const DEFAULT_SEED = 1;
/** Lloyd iterations allowed; the generated captures converge in well under this. */
const MAX_ITERATIONS = 300;

/**
 * `stormcell train-kmeans CAPTURE.ndjson... --out FILE [--k 16] [--seed 1] [--dims 64]`: trains the k-means
 * model of alert kinds from captures and writes it (models/kmeans.json). Each distinct alert (by fingerprint,
 * as first received) is one point; tickets (by id) only add to the document frequencies. Requests the receivers
 * would refuse are skipped, as replay skips them. k-means++ seeded with `--seed`: the same captures, flags and
 * code give a byte-identical file. Bad arguments throw ConfigError, a bad capture line InputError (exit 2).
 */
export async function trainKmeansCommand(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const corpus: Corpus = { alerts: new Map(), tickets: new Map() };
  for (const file of options.captures) await readCapture(file, corpus);

  const alerts = [...corpus.alerts.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  if (alerts.length < options.k) {
    throw new ConfigError(`--k ${options.k}: the captures hold only ${alerts.length} distinct alert(s); give a smaller --k`);
  }
  const tokenizer = new Tokenizer();
  const index = new TextIndex();
  const points: number[][] = [];
  for (const a of alerts) {
    const tokens = tokenizer.tokenize(alertText(a.labels, a.annotations));
    index.add(tokens);
    points.push(alertFeatures(tokens, a.labels, options.dims));
  }
  const tickets = [...corpus.tickets.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const t of tickets) index.add(tokenizer.tokenize(ticketText(t.title, t.body)));

  const result = kmeans(points, options.k, {
    initialization: 'kmeans++',
    seed: options.seed,
    maxIterations: MAX_ITERATIONS,
  });
  const model: KmeansModel = {
    version: 1,
    dims: options.dims,
    k: options.k,
    trainedOn: { captures: options.captures.map((f) => basename(f)), alerts: alerts.length, seed: options.seed, iterations: result.iterations },
    centroids: result.centroids,
    documentFrequencies: index.documentFrequencies(),
  };
  const text = toKmeansModelJson(model);
  try {
    await writeFile(options.out, text);
  } catch (err) {
    throw new ConfigError(`--out ${options.out}: cannot write: ${(err as Error).message}`, { cause: err });
  }
  process.stdout.write(
    `${options.out}: k=${options.k} over ${alerts.length} distinct alerts and ${tickets.length} tickets, ` +
      `${result.iterations} iterations${result.converged ? '' : ' (not converged)'}, ${text.length} bytes\n`,
  );
  return 0;
}

interface TrainOptions {
  readonly captures: readonly string[];
  readonly out: string;
  readonly k: number;
  readonly seed: number;
  readonly dims: number;
}

function parseOptions(args: string[]): TrainOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { out: { type: 'string' }, k: { type: 'string' }, seed: { type: 'string' }, dims: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}; usage: ${TRAIN_KMEANS_USAGE}`, { cause: err });
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new ConfigError(`train-kmeans needs at least one capture file; usage: ${TRAIN_KMEANS_USAGE}`);
  if (values.out === undefined) throw new ConfigError(`train-kmeans needs --out FILE; usage: ${TRAIN_KMEANS_USAGE}`);
  return {
    captures: positionals,
    out: values.out,
    k: parseInteger('--k', values.k, DEFAULT_K, 1, 1024),
    // ml-kmeans seeds XSadd, a 32-bit generator.
    seed: parseInteger('--seed', values.seed, DEFAULT_SEED, 0, 0xffffffff),
    dims: parseInteger('--dims', values.dims, DEFAULT_FEATURE_DIMS, 1, 4096),
  };
}

function parseInteger(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** The distinct alerts and tickets of the captures, each as first received. */
interface Corpus {
  readonly alerts: Map<string, AlertEvent>;
  readonly tickets: Map<string, TicketEvent>;
}

async function readCapture(file: string, corpus: Corpus): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const rec = parseCaptureLine(line, `${file}:${n}`);
      let events;
      try {
        events = normalize(rec.path, rec.body, rec.ts);
      } catch (err) {
        if (err instanceof InputError) continue; // refused by the receivers, so never part of what the engine sees
        throw err;
      }
      for (const e of events) {
        if (e.kind === 'alert' && !corpus.alerts.has(e.fingerprint)) corpus.alerts.set(e.fingerprint, e);
        else if (e.kind === 'ticket' && !corpus.tickets.has(e.id)) corpus.tickets.set(e.id, e);
      }
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${file}: no such file`, { cause: err });
    if (code === 'EISDIR') throw new InputError(`${file}: is a directory`, { cause: err });
    throw err;
  }
}

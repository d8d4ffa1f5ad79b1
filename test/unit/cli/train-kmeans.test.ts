import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trainKmeansCommand } from '../../../src/cli/train-kmeans.js';
import { alertFeatures, assignCluster, parseKmeansModel } from '../../../src/engine/cluster/index.js';
import { alertText, tokenize } from '../../../src/engine/text/index.js';
import { ConfigError, InputError } from '../../../src/errors.js';
import type { LabelSet } from '../../../src/model/index.js';

const dir = mkdtempSync(join(tmpdir(), 'stormcell-train-'));

type Alert = { labels: LabelSet; annotations: LabelSet };
const crash = (namespace: string, pod: string): Alert => ({
  labels: { alertname: 'KubePodCrashLooping', namespace, pod, severity: 'warning' },
  annotations: { summary: 'Pod is crash looping.', description: `Pod ${namespace}/${pod} is in waiting state (reason: "CrashLoopBackOff").` },
});
const diskFull = (instance: string): Alert => ({
  labels: { alertname: 'NodeFilesystemSpaceFillingUp', instance, device: '/dev/sda1', mountpoint: '/', severity: 'critical' },
  annotations: { summary: 'Filesystem is predicted to run out of space within the next 4 hours.', description: `Filesystem on /dev/sda1 at ${instance} has only 9.5% available space left and is filling up.` },
});
const errors = (service: string): Alert => ({
  labels: { alertname: 'HighErrorRate', service, severity: 'critical' },
  annotations: { summary: 'High HTTP 5xx error rate.', description: `${service} answers 12% of requests with 5xx.` },
});

const CRASH = [crash('shop', 'checkout-7d9f8b6c5d-x2x7q'), crash('billing', 'invoice-5c6b7d8f9g-k2m4n'), crash('search', 'indexer-6f7g8h9j2k-p4q5r')];
const DISK = [diskFull('node-1'), diskFull('node-2'), diskFull('node-3')];
const ERRORS = [errors('checkout'), errors('payments')];

const line = (ts: string, path: string, body: unknown): string => JSON.stringify({ ts, path, body });
const CAPTURE = [
  line('2026-03-01T10:00:00Z', '/api/v2/alerts', [...CRASH.slice(0, 2), DISK[0]]),
  line('2026-03-01T10:00:05Z', '/api/v2/alerts', [CRASH[2], ...DISK.slice(1), ...ERRORS]),
  line('2026-03-01T10:00:30Z', '/api/v2/alerts', CRASH), // a re-send: no new alerts
  line('2026-03-01T10:00:40Z', '/api/v2/alerts', [{ labels: {} }]), // refused by the receiver, skipped
  '',
  line('2026-03-01T10:01:00Z', '/webhook/tickets/generic', { id: 'SUP-7', title: 'cannot check out', createdAt: '2026-03-01T10:01:00Z', services: ['checkout'] }),
].join('\n') + '\n';
const capture = join(dir, 'capture.ndjson');
writeFileSync(capture, CAPTURE);

describe('stormcell train-kmeans', () => {
  let stdout: string[];
  beforeEach(() => {
    stdout = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes the same bytes on two runs over the same capture and seed', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect(await trainKmeansCommand([capture, '--out', a, '--k', '3', '--seed', '7'])).toBe(0);
    expect(await trainKmeansCommand([capture, '--out', b, '--k', '3', '--seed', '7'])).toBe(0);
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));
    expect(stdout[0]).toMatch(/a\.json: k=3 over 8 distinct alerts and 1 tickets, \d+ iterations, \d+ bytes\n/);
  });

  it('trains a valid model whose clusters keep alert kinds apart', async () => {
    const out = join(dir, 'model.json');
    await trainKmeansCommand([capture, '--out', out, '--k', '3', '--seed', '7']);
    const model = parseKmeansModel(JSON.parse(readFileSync(out, 'utf8')));
    expect(model).toMatchObject({ version: 1, dims: 64, k: 3, trainedOn: { captures: ['capture.ndjson'], alerts: 8, seed: 7 } });
    // 8 distinct alerts and 1 ticket are the documents; every crash-looping alert's text has "pod".
    expect(model.documentFrequencies.documents).toBe(9);
    expect(model.documentFrequencies.df['pod']).toBe(3);
    const cluster = (a: Alert): number => assignCluster(model, alertFeatures(tokenize(alertText(a.labels, a.annotations)), a.labels, model.dims));
    const kinds = [CRASH, DISK, ERRORS].map((group) => new Set(group.map(cluster)));
    for (const k of kinds) expect(k.size).toBe(1);
    expect(new Set(kinds.map((k) => [...k][0])).size).toBe(3);
  });

  it.each<[string, string[], typeof ConfigError | typeof InputError, RegExp]>([
    ['no capture', ['--out', 'x.json'], ConfigError, /needs at least one capture file/],
    ['no --out', [capture], ConfigError, /needs --out FILE/],
    ['an unknown flag', [capture, '--out', 'x.json', '--kk', '3'], ConfigError, /Unknown option '--kk'/],
    ['a k above the distinct alerts', [capture, '--out', 'x.json', '--k', '9'], ConfigError, /^--k 9: the captures hold only 8 distinct alert\(s\); give a smaller --k$/],
    ['a seed that is not an integer', [capture, '--out', 'x.json', '--seed', '1.5'], ConfigError, /^--seed: expected an integer from 0 to 4294967295, got "1\.5"$/],
    ['a missing capture', [join(dir, 'nope.ndjson'), '--out', 'x.json'], InputError, /nope\.ndjson: no such file$/],
  ])('refuses %s', async (_name, args, type, message) => {
    const err = await trainKmeansCommand(args).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a line that is not a capture line, naming file and line', async () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, CAPTURE + 'not json\n');
    await expect(trainKmeansCommand([bad, '--out', join(dir, 'bad.json'), '--k', '2'])).rejects.toThrow(/bad\.ndjson:7: not JSON/);
  });
});

/**
 * The EventLog on a real Kafka 3.9.1 broker (issue #6): offsets, group commit order, reads, reopening, a broker
 * restart, retention and a broker that is down. One broker for the file; a unique topic per test.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaLog, type EventLog, type KafkaLogOptions, type LogEntry } from '../../src/log/index.js';
import { kafkaAvailable, startKafka, type KafkaBroker } from '../support/kafka.js';
import { needService } from '../support/services.js';
import { waitFor } from '../support/wait-for.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function entries(...texts: string[]): Uint8Array[] {
  return texts.map((t) => enc.encode(t));
}

async function readAll(log: EventLog, from: number): Promise<Array<{ offset: number; text: string }>> {
  const out: Array<{ offset: number; text: string }> = [];
  for await (const entry of log.read(from) as AsyncIterable<LogEntry>) out.push({ offset: entry.offset, text: dec.decode(entry.data) });
  return out;
}

describe.skipIf(needService('kafka', kafkaAvailable))('KafkaLog on a real broker', () => {
  let broker: KafkaBroker;
  const opened: EventLog[] = [];

  beforeAll(async () => {
    broker = await startKafka();
  });

  afterAll(async () => {
    await broker?.dispose();
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') console.error(broker.diagnostics());
    // Sequential: a log whose broker is gone must not hold up the others' close.
    for (const log of opened.splice(0)) await log.close().catch(() => undefined);
  });

  /** A log on `topic`, created if missing, closed after the test. */
  function makeLog(topic: string, extra: Partial<KafkaLogOptions> = {}): EventLog {
    const log = createKafkaLog({ brokers: [broker.brokers], topic, clientId: 'stormcell-test', createTopic: {}, ...extra });
    opened.push(log);
    return log;
  }

  function uniqueTopic(name: string): string {
    return `stormcell-${name}-${randomUUID().slice(0, 8)}`;
  }

  it('appends and reads back entries with offsets from 0 on a fresh topic', async () => {
    const log = makeLog(uniqueTopic('roundtrip'));
    expect(await log.open()).toEqual({ entries: 0, truncatedBytes: 0 });
    expect([log.firstOffset(), log.nextOffset()]).toEqual([0, 0]);

    expect(await log.append(entries('a', 'b', 'c'))).toBe(0);
    expect(await log.append(entries('{"x":"ü"}'))).toBe(3);
    expect(log.nextOffset()).toBe(4);
    expect(await readAll(log, 0)).toEqual([
      { offset: 0, text: 'a' },
      { offset: 1, text: 'b' },
      { offset: 2, text: 'c' },
      { offset: 3, text: '{"x":"ü"}' },
    ]);
  });

  it('keeps the order of concurrent appends and gives them consecutive offsets', async () => {
    const log = makeLog(uniqueTopic('concurrent'));
    await log.open();
    const calls = Array.from({ length: 60 }, (_, i) => entries(...Array.from({ length: (i % 3) + 1 }, (_, j) => `e${i}.${j}`)));
    // All issued in one turn: the group commit sends them in as few requests as it likes, but in call order.
    const offsets = await Promise.all(calls.map((c) => log.append(c)));
    let expected = 0;
    for (let i = 0; i < calls.length; i++) {
      expect(offsets[i], `append #${i}`).toBe(expected);
      expected += (calls[i] as Uint8Array[]).length;
    }
    expect(log.nextOffset()).toBe(expected);
    const read = await readAll(log, 0);
    expect(read.map((e) => e.text)).toEqual(calls.flat().map((e) => dec.decode(e)));
    expect(read.map((e) => e.offset)).toEqual(Array.from({ length: expected }, (_, i) => i));
  });

  it('sends a group commit larger than maxBatchBytes as several requests, still in order and consecutive', async () => {
    const log = makeLog(uniqueTopic('chunks'), { maxBatchBytes: 2_000 });
    await log.open();
    const big = entries(...Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')}:${'x'.repeat(197)}`));
    const [first, second] = await Promise.all([log.append(big), log.append(entries('tail'))]);
    expect([first, second, log.nextOffset()]).toEqual([0, 30, 31]);
    const read = await readAll(log, 0);
    expect(read.map((e) => e.text)).toEqual([...big.map((e) => dec.decode(e)), 'tail']);
    await expect(log.append([new Uint8Array(2_000)])).rejects.toThrow(/entries\[0\] is 2000 bytes; entries must be 1\.\.1915 bytes/);
  });

  it('reads from the middle, up to the end as of the call', async () => {
    const log = makeLog(uniqueTopic('middle'));
    await log.open();
    await log.append(entries(...Array.from({ length: 10 }, (_, i) => `m${i}`)));
    const fromSix = log.read(6);
    await log.append(entries('later'));
    const got: number[] = [];
    for await (const e of fromSix) got.push(e.offset);
    expect(got).toEqual([6, 7, 8, 9]);
    expect((await readAll(log, 9)).map((e) => e.text)).toEqual(['m9', 'later']);
    expect(await readAll(log, 11)).toEqual([]);
  });

  it('throws a RangeError for offsets outside the log', async () => {
    const log = makeLog(uniqueTopic('range'));
    await log.open();
    await log.append(entries('a', 'b'));
    expect(() => log.read(-1)).toThrow(RangeError);
    expect(() => log.read(3)).toThrow(/cannot read from offset 3; readable offsets start at 0 and end before 2/);
    expect(() => log.read(1.5)).toThrow(RangeError);
    await expect(log.append([new Uint8Array(0)])).rejects.toThrow(RangeError);
    expect(await log.append(entries('c'))).toBe(2); // an invalid append does not fail the log
  });

  it('continues at the next offset when a new KafkaLog opens the same topic', async () => {
    const topic = uniqueTopic('reopen');
    const first = makeLog(topic);
    await first.open();
    await first.append(entries('one', 'two', 'three'));
    await first.close();
    await expect(first.append(entries('x'))).rejects.toThrow(/append while closed/);

    const second = makeLog(topic, { createTopic: undefined }); // the topic exists: no creation needed
    expect(await second.open()).toEqual({ entries: 3, truncatedBytes: 0 });
    expect(second.nextOffset()).toBe(3);
    expect(await second.append(entries('four'))).toBe(3);
    expect((await readAll(second, 0)).map((e) => e.text)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('refuses to open a missing topic when createTopic is not set', async () => {
    const topic = uniqueTopic('missing');
    const log = makeLog(topic, { createTopic: undefined });
    await expect(log.open()).rejects.toThrow(
      `kafka log ${topic}/0 on ${broker.brokers}: open failed while checking the topic: the topic does not exist, and createTopic is not set`,
    );
  });

  it('reports the low watermark after retention deleted old entries, and refuses reads below it', async () => {
    const topic = uniqueTopic('retention');
    const before = makeLog(topic);
    await before.open();
    await before.append(entries('old-0', 'old-1', 'old-2'));
    await broker.alterTopicConfig(topic, { 'retention.ms': '1' });
    // The broker checks retention every second (.ci/kafka.sh); a fresh log sees the moved low watermark.
    const after = await waitFor(
      async () => {
        const log = createKafkaLog({ brokers: [broker.brokers], topic, clientId: 'stormcell-test' });
        await log.open();
        await log.close();
        return log.firstOffset() > 0 ? log : null;
      },
      { what: `retention to delete the first segment of ${topic}`, timeoutMs: 20_000, intervalMs: 500 },
    );
    // Kafka rolls the active segment when every segment is expired, so all three went and offsets do not restart.
    expect([after.firstOffset(), after.nextOffset()]).toEqual([3, 3]);
    await broker.alterTopicConfig(topic, { 'retention.ms': '-1' }); // keep what comes next

    const fresh = makeLog(topic);
    await fresh.open();
    expect(() => fresh.read(2)).toThrow(RangeError);
    expect(await fresh.append(entries('new-3'))).toBe(3);
    expect(await readAll(fresh, 3)).toEqual([{ offset: 3, text: 'new-3' }]);
    // A log opened before the deletion still believes in offset 0: its read fails instead of skipping the gap.
    await expect(readAll(before, 0)).rejects.toThrow(/cannot read from offset 0; retention deleted the entries before 3/);
    expect(before.firstOffset()).toBe(3);
  });

  it('rejects an append with what failed where while the broker is down, and every later one until reopened', async () => {
    const topic = uniqueTopic('down');
    const log = makeLog(topic, { retry: { retries: 2, initialRetryTimeMs: 100, maxRetryTimeMs: 500 } });
    await log.open();
    expect(await log.append(entries('before'))).toBe(0);
    await broker.stop();
    try {
      const started = performance.now();
      const failed = log.append(entries('lost-1', 'lost-2'));
      await expect(failed).rejects.toThrow(
        new RegExp(`^kafka log ${topic}/0 on ${broker.brokers}: sending 2 entries \\(expected at offsets 1\\.\\.2\\) failed: `),
      );
      expect(performance.now() - started).toBeLessThan(20_000);
      await expect(log.append(entries('after'))).rejects.toThrow(/the log failed earlier and accepts no appends until reopened/);
    } finally {
      await broker.start();
    }
    await log.close();
    await log.open(); // reopening is the recovery path, with a new producer
    expect(log.nextOffset()).toBe(1);
    expect(await log.append(entries('again'))).toBe(1);
    expect((await readAll(log, 0)).map((e) => e.text)).toEqual(['before', 'again']);
  });

  it('reopens after a broker restart on the same data dir, and an open log keeps appending across it', async () => {
    const topic = uniqueTopic('restart');
    const kept = makeLog(topic);
    await kept.open();
    expect(await kept.append(entries('r0', 'r1'))).toBe(0);

    await broker.restart();

    const reopened = makeLog(topic);
    expect(await reopened.open()).toEqual({ entries: 2, truncatedBytes: 0 });
    expect(reopened.nextOffset()).toBe(2);
    // The producer of the log that stayed open reconnects by itself; its idempotent sequence survives the restart.
    expect(await kept.append(entries('r2'))).toBe(2);
    await kept.close();
    await reopened.close();

    const last = makeLog(topic);
    await last.open();
    expect(await last.append(entries('r3'))).toBe(3);
    expect((await readAll(last, 0)).map((e) => e.text)).toEqual(['r0', 'r1', 'r2', 'r3']);
  });

  it('recovers acknowledged entries after the broker is killed with SIGKILL', async () => {
    const topic = uniqueTopic('kill9');
    const log = makeLog(topic);
    await log.open();
    const acked = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entries(`k${i}`))));
    expect(acked).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await broker.kill9();
    await broker.start();
    const after = makeLog(topic);
    await after.open();
    expect(after.nextOffset()).toBe(20);
    expect((await readAll(after, 0)).map((e) => e.text)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
  });
});

/**
 * Trace context crosses Kafka in message headers (issue #6): whatever the process's registered propagator carries
 * on a message of `stormcell.ingest` arrives on the stage messages that come of it, and an HTTP request's context
 * goes onto the ingest message its receiver writes. A tiny propagator stands in for W3C trace context here: the
 * code under test only talks to `@opentelemetry/api`.
 */
import { randomUUID } from 'node:crypto';
import { createContextKey, propagation, type Context, type TextMapPropagator } from '@opentelemetry/api';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/obs/index.js';
import { ScaledApp } from '../../src/scaled-app.js';
import { kafkaAvailable, startKafka, type KafkaBroker } from '../support/kafka.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { makeTempDir, needService, removeDir } from '../support/services.js';
import { waitFor } from '../support/wait-for.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const KEY = createContextKey('test-trace');
const HEADER = 'x-test-trace';

/** Carries one string value through a context, as traceparent carries a span context. */
const testPropagator: TextMapPropagator = {
  inject(ctx: Context, carrier: unknown, setter) {
    const v = ctx.getValue(KEY);
    if (typeof v === 'string') setter.set(carrier, HEADER, v);
  },
  extract(ctx: Context, carrier: unknown, getter) {
    const v = getter.get(carrier, HEADER);
    const one = Array.isArray(v) ? v[0] : v;
    return typeof one === 'string' ? ctx.setValue(KEY, one) : ctx;
  },
  fields: () => [HEADER],
};

const needed = [needService('kafka', kafkaAvailable), needService('redis', redisAvailable)].some(Boolean);

describe.skipIf(needed)('trace context across Kafka', () => {
  let broker: KafkaBroker;
  let redis: RedisServer;
  let dir: string;

  beforeAll(async () => {
    [broker, redis] = await Promise.all([startKafka(), startRedis()]);
    dir = await makeTempDir('trace');
    propagation.setGlobalPropagator(testPropagator);
  }, 180_000);

  afterAll(async () => {
    propagation.disable();
    await broker?.dispose();
    await redis?.dispose();
    if (dir !== undefined) await removeDir(dir);
  });

  it('a header on an ingest message reaches the stage messages it becomes', async () => {
    const group = `trace-${randomUUID().slice(0, 6)}`;
    await writeFile(join(dir, 'stormcell.yaml'), `scale_out:\n  group: ${group}\n  ingest_topic: ${group}.ingest\n  events_topic: ${group}.events\n  session_timeout: 6s\n`);
    const app = new ScaledApp({
      config: await loadConfig(dir),
      brokers: [broker.brokers],
      redisUrl: redis.url,
      listen: { host: '127.0.0.1', port: 0 },
      logger: createLogger({ level: 'warn' }),
    });
    await app.start();
    const kafka = new kafkajs.Kafka({ clientId: 'trace-test', brokers: [broker.brokers], logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `${group}-reader` });
    try {
      await producer.connect();
      const line = JSON.stringify({ ts: '2026-04-07T06:00:00.000Z', path: '/api/v2/alerts', body: [{ labels: { alertname: 'A', cluster: 'eu-3' } }] });
      await producer.send({ topic: `${group}.ingest`, messages: [{ key: 'any', value: line, headers: { [HEADER]: 'trace-42' } }] });
      const seen: Array<string | undefined> = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [`${group}.events`], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value?.toString() ?? '{}') as { k?: string };
          if (value.k === 'd') seen.push(message.headers?.[HEADER]?.toString());
        },
      });
      await waitFor(() => seen.length > 0, { what: 'a stage message on the events topic', timeoutMs: 60_000, intervalMs: 100 });
      expect(seen).toEqual(['trace-42']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await app.stop();
    }
  }, 120_000);
});

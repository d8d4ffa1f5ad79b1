import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import type { ReadModel } from './api/index.js';
import type { Config } from './config/index.js';
import { closeGracefully, createHttpServer, listenOn } from './http-server.js';
import { Ingestor } from './ingest/index.js';
import type { IncidentDoc, Instant, SloDoc } from './model/index.js';
import { createLogger, createMetrics, createScaleOutMetrics, type Logger, type Metrics, type ScaleOutMetrics } from './obs/index.js';
import {
  CheckpointStore,
  createDomainRouter,
  createKafkaClient,
  ensureTopics,
  FoldStage,
  IngestProducer,
  SharedView,
  STARTUP_RETRY,
  StageOne,
  StageTwo,
  PartitionNotify,
} from './scaleout/index.js';

/** What a scaled-out instance needs; tests pass their own logger, clock and instance id. */
export interface ScaledAppOptions {
  readonly config: Config;
  readonly brokers: readonly string[];
  readonly redisUrl: string;
  readonly listen?: { host: string; port: number };
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly wallClock?: () => Instant;
  /** Names this instance in Kafka (client id) and picks the ingest partition its receivers write to. */
  readonly instanceId?: string;
  /** Outbox retry settings (tests shorten the backoff); production keeps the defaults. */
  readonly outbox?: { baseBackoffMs?: number; maxBackoffMs?: number; timeoutMs?: number };
}

const VIEW_REFRESH_MS = 500;

/**
 * Kafka mode (CONTRACT §6, `serve --kafka --redis`): HTTP receivers → `stormcell.ingest` → route (validate, key by
 * fingerprint or SLO) → `<group>.keyed` → fold (dedup re-sends, count SLOs; checkpoints in Redis) →
 * `stormcell.events` (by correlation domain) → stage two (reorder, engine per partition, checkpoints in Redis) →
 * shared view in Redis ← every instance's read API. Any number of instances started alike form one group.
 */
export class ScaledApp {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly scaleMetrics: ScaleOutMetrics;
  readonly instanceId: string;
  private readonly wallClock: () => Instant;
  private redis: Redis | null = null;
  /** A second client for the outboxes and silences: it waits out a Redis outage instead of failing the write. */
  private notifyRedis: Redis | null = null;
  private externalURL = '';
  private stageOne: StageOne | null = null;
  private foldStage: FoldStage | null = null;
  private stageTwo: StageTwo | null = null;
  private producer: IngestProducer | null = null;
  private view: SharedView | null = null;
  private server: Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private accepting = false;

  constructor(private readonly opts: ScaledAppOptions) {
    this.logger = opts.logger ?? createLogger();
    this.metrics = opts.metrics ?? createMetrics();
    this.scaleMetrics = createScaleOutMetrics(this.metrics.registry);
    this.wallClock = opts.wallClock ?? Date.now;
    this.instanceId = opts.instanceId ?? `${hostname()}-${process.pid}`;
  }

  /** Connects to Redis and Kafka, creates missing topics, joins both groups, then listens. */
  async start(): Promise<{ host: string; port: number }> {
    const { config } = this.opts;
    const so = config.server.scaleOut;
    const prefix = `${so.group}:`;
    const redis = new Redis(this.opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5_000 });
    let lastRedisError: Error | null = null;
    redis.on('error', (err: Error) => {
      lastRedisError = err;
      this.logger.warn({ err: err.message }, 'redis connection problem');
    });
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      // ioredis rejects with "Connection is closed"; the reason is in the error event before it.
      const reason = (lastRedisError as Error | null)?.message ?? (err as Error).message;
      throw new Error(`--redis ${this.opts.redisUrl}: cannot connect: ${reason}`, { cause: err });
    }
    this.redis = redis;
    const kafka = createKafkaClient({ brokers: this.opts.brokers, clientId: `stormcell-${this.instanceId}`, logger: this.logger.child({ component: 'kafka' }) });
    const admin: Admin = createKafkaClient({ brokers: this.opts.brokers, clientId: `stormcell-${this.instanceId}`, logger: this.logger.child({ component: 'kafka' }), retry: STARTUP_RETRY }).admin();
    let counts: Map<string, number>;
    try {
      await admin.connect();
      counts = await ensureTopics(
        admin,
        [
          { topic: so.ingestTopic, partitions: so.ingestPartitions },
          { topic: so.keyedTopic, partitions: so.keyedPartitions },
          { topic: so.eventsTopic, partitions: so.eventsPartitions },
        ],
        { allowed: so.createTopics, replicationFactor: so.replicationFactor },
        this.logger,
      );
    } catch (err) {
      redis.disconnect();
      throw new Error(`--kafka ${this.opts.brokers.join(',')}: ${(err as Error).message}`, { cause: err });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const sources = counts.get(so.ingestTopic) as number;
    const folds = counts.get(so.keyedTopic) as number;
    const partitions = counts.get(so.eventsTopic) as number;
    const router = createDomainRouter({
      partitions,
      label: so.domainLabel,
      topology: config.engine.topology,
      sloEntities: new Map(config.engine.slos.map((s) => [s.name, s.entity])),
    });
    this.view = new SharedView(redis, prefix, partitions);
    // The SLOs are counted in the fold partitions, which publish them beside stage two's incidents.
    const foldView = new SharedView(redis, `${prefix}fold:`, folds);
    const notifyRedis = new Redis(this.opts.redisUrl, { maxRetriesPerRequest: null });
    notifyRedis.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'redis connection problem (notifications)'));
    this.notifyRedis = notifyRedis;
    const notify = await PartitionNotify.open({
      config,
      redis: notifyRedis,
      prefix,
      partitions,
      logger: this.logger,
      now: this.wallClock,
      externalURL: () => this.externalURL,
      ...(this.opts.outbox === undefined ? {} : { outbox: this.opts.outbox }),
    });
    this.stageTwo = new StageTwo({
      kafka,
      group: so.group,
      eventsTopic: so.eventsTopic,
      sources: folds,
      engine: config.engine,
      checkpoints: new CheckpointStore(redis, prefix),
      view: this.view,
      checkpointIntervalMs: so.checkpointIntervalMs,
      sessionTimeoutMs: so.sessionTimeoutMs,
      logger: this.logger,
      metrics: this.scaleMetrics,
      wallClock: this.wallClock,
      hooks: notify.hooks(),
    });
    this.foldStage = new FoldStage({
      kafka,
      group: so.group,
      keyedTopic: so.keyedTopic,
      eventsTopic: so.eventsTopic,
      sources,
      folds,
      router,
      slos: config.engine.slos,
      view: foldView,
      resolveTimeoutMs: config.engine.resolveTimeoutMs,
      retentionMs: config.engine.retentionMs,
      checkpoints: new CheckpointStore(redis, `${prefix}fold:`),
      checkpointIntervalMs: so.checkpointIntervalMs,
      sessionTimeoutMs: so.sessionTimeoutMs,
      logger: this.logger,
      metrics: this.scaleMetrics,
      wallClock: this.wallClock,
    });
    this.stageOne = new StageOne({
      kafka,
      group: so.group,
      ingestTopic: so.ingestTopic,
      keyedTopic: so.keyedTopic,
      keyedPartitions: folds,
      sessionTimeoutMs: so.sessionTimeoutMs,
      logger: this.logger,
      metrics: this.scaleMetrics,
      wallClock: this.wallClock,
    });
    // The links in notifications need the address, and partitions (with their notify stages) open once stage two runs.
    const listen = this.opts.listen ?? { host: config.server.host, port: config.server.port };
    const ingestor = new Ingestor(
      { append: (entries) => (this.producer === null ? Promise.reject(new Error('not accepting yet')) : this.producer.append(entries)) },
      { apply: () => undefined },
      this.wallClock,
      () => this.metrics.logEntries.inc(),
    );
    const view = this.view;
    const readModel: ReadModel = {
      incidents: () => view.views().flatMap((v) => v.incidents as IncidentDoc[]).sort(byOpenedAt),
      incident: (id) => view.incident(id),
      slos: () => foldView.views().flatMap((v) => v.slos as SloDoc[]).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      deadLetters: () => notify.deadLetters(),
    };
    this.metrics.observeSlos(() => readModel.slos());
    this.metrics.observeNotifications(() => notify.stats());
    this.server = createHttpServer({
      silences: () => notify.silences.silenceModel(),
      ingestor,
      readModel,
      metrics: this.metrics,
      logger: this.logger,
      maxBodyBytes: config.server.maxBodyBytes,
      isReady: () => this.isReady(),
      isAccepting: () => this.accepting && !this.stopping,
      notReadyReason: () => (this.stopping ? 'stopping' : `catching up with Kafka (${this.stagesBehind().join(', ')})`),
      isStopping: () => this.stopping,
    });
    const { address: addr, url } = await listenOn(this.server, listen.host, listen.port);
    this.externalURL = config.server.externalURL ?? url;
    await this.stageTwo.start();
    await this.foldStage.start();
    await this.stageOne.start();
    this.producer = new IngestProducer(kafka, so.ingestTopic, sources, this.instanceId);
    await this.producer.connect();
    this.accepting = true;

    await view.refresh().catch(() => undefined);
    await foldView.refresh().catch(() => undefined);
    this.timer = setInterval(() => {
      view.refresh().catch((err: unknown) => this.logger.warn({ err }, 'reading the shared view from Redis failed'));
      foldView.refresh().catch((err: unknown) => this.logger.warn({ err }, 'reading the SLOs from Redis failed'));
      notify.sync().catch((err: unknown) => this.logger.warn({ err }, 'reading silences from Redis failed'));
      let open = 0;
      for (const v of view.views()) for (const d of v.incidents) if (d.status === 'open') open++;
      this.metrics.incidentsOpen.set(open);
    }, VIEW_REFRESH_MS);
    this.timer.unref();
    this.logger.info(
      { host: addr.address, port: addr.port, instance: this.instanceId, brokers: this.opts.brokers, partitions, folds, sources, ingestPartition: this.producer.partition },
      'listening in kafka mode',
    );
    return { host: addr.address, port: addr.port };
  }

  /** Ready once every stage owns its partitions and has consumed each to its end (recently). */
  isReady(): boolean {
    return !this.stopping && this.stagesBehind().length === 0;
  }

  /** The stages that do not own their partitions yet or have not consumed each to its end (recently). */
  private stagesBehind(): string[] {
    const stages = { route: this.stageOne, fold: this.foldStage, correlate: this.stageTwo };
    return Object.entries(stages).flatMap(([name, stage]) => (stage !== null && stage.caughtUp() ? [] : [name]));
  }

  /** Stops taking requests, checkpoints every partition, leaves the groups and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) clearInterval(this.timer);
    const server = this.server;
    if (server !== null) await closeGracefully(server);
    await this.producer?.close();
    await this.stageOne?.stop();
    await this.foldStage?.stop();
    await this.stageTwo?.stop();
    this.redis?.disconnect();
    this.notifyRedis?.disconnect();
    this.logger.info({ instance: this.instanceId }, 'stopped');
  }
}

function byOpenedAt(a: IncidentDoc, b: IncidentDoc): number {
  return a.openedAt < b.openedAt ? -1 : a.openedAt > b.openedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

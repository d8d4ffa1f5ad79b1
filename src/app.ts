import { closeSync, openSync, writeSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { IncidentFeed, loadConsoleAssets, type ReadModel } from './api/index.js';
import { loadConfig, type Config } from './config/index.js';
import { Engine, type EngineEffect, type EngineOptions, type EngineState } from './engine/index.js';
import { gatePipeline } from './eval/index.js';
import { InputError } from './errors.js';
import { closeGracefully, createHttpServer, listenOn } from './http-server.js';
import { Ingestor, applyRecord, parseCaptureLine, type EventSink } from './ingest/index.js';
import { createSnapshotStore, createWal, type EventLog, type SnapshotStore } from './log/index.js';
import type { Event, Instant } from './model/index.js';
import { createLogger, createMetrics, type Logger, type Metrics } from './obs/index.js';
import { NotifyStage, type NotifyStageOptions } from './notify/index.js';

/** The outcome of a pipeline reload: `reasons` say why it was refused, `report` is the canary's Markdown. */
export interface PipelineReload {
  readonly result: 'accepted' | 'refused' | 'invalid';
  readonly reasons: readonly string[];
  readonly report: string;
}

/** Everything the app needs from outside; tests and benchmarks pass their own. */
export interface AppOptions {
  readonly config: Config;
  /** Durable state: `<dataDir>/wal` and `<dataDir>/snapshot`. */
  readonly dataDir: string;
  /** Overrides the config's listen address (`--listen`). Port 0 picks a free port. */
  readonly listen?: { host: string; port: number };
  /** Writes every acknowledged request to this capture file (`--record`). */
  readonly recordPath?: string;
  /** The durable log; default: the embedded WAL in `<dataDir>/wal`. */
  readonly log?: EventLog;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly wallClock?: () => Instant;
  /** How often timers advance the engine clock (resolve_timeout expiry). */
  readonly tickIntervalMs?: number;
  /** Outbox retry settings (tests shorten the backoff); production keeps the defaults. */
  readonly outbox?: NotifyStageOptions['outbox'];
  /**
   * Called when the durable log can no longer accept writes. The app has already stopped reporting ready; the
   * caller should exit so a supervisor restarts it and recovery cuts any torn tail.
   */
  readonly onFatal?: (err: Error) => void;
  /** Where the console's built files are; default `dist/api/console/` beside the compiled app. */
  readonly consoleDir?: string;
}

const decoder = new TextDecoder();

/**
 * The embedded stormcell: HTTP receivers → WAL → engine → read API, in one process. The only place that wires
 * stages together. `start()` recovers (snapshot + log tail) before it reports ready.
 */
export class App {
  readonly logger: Logger;
  readonly metrics: Metrics;
  private readonly wallClock: () => Instant;
  private readonly log: EventLog;
  private readonly snapshots: SnapshotStore<EngineState>;
  private engine: Engine;
  /** The engine's options: the config's, with the pipeline last accepted by a reload. */
  private engineOptions: EngineOptions;
  private reloading: Promise<PipelineReload> | null = null;
  private ingestor: Ingestor | null = null;
  private server: Server | null = null;
  /** The `--record` file: written synchronously before the 2xx, so a crash cannot lose an acknowledged line. */
  private recordFd: number | null = null;
  private stopping = false;
  private ready = false;
  private failed = false;
  private appliedOffset = 0;
  private snapshotOffset = 0;
  private snapshotting: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private notify: NotifyStage | null = null;
  private feed: IncidentFeed | null = null;

  constructor(private readonly opts: AppOptions) {
    this.logger = opts.logger ?? createLogger();
    this.metrics = opts.metrics ?? createMetrics();
    this.wallClock = opts.wallClock ?? Date.now;
    this.engineOptions = opts.config.engine;
    this.engine = new Engine(this.engineOptions);
    this.log =
      opts.log ??
      createWal({
        dir: join(opts.dataDir, 'wal'),
        onFsync: (seconds) => this.metrics.fsyncSeconds.observe(seconds),
      });
    this.snapshots = createSnapshotStore<EngineState>(join(opts.dataDir, 'snapshot'));
  }

  /** Recovers, then listens. Resolves with the bound address. */
  async start(): Promise<{ host: string; port: number }> {
    await this.recover();
    const sink: EventSink = {
      apply: (events, ts, offset) => this.applyLive(events, ts, offset),
    };
    if (this.opts.recordPath !== undefined) this.recordFd = openSync(this.opts.recordPath, 'a');
    this.ingestor = new Ingestor(
      this.log,
      sink,
      this.wallClock,
      (line) => {
        this.metrics.logEntries.inc();
        if (this.recordFd !== null) writeSync(this.recordFd, Buffer.concat([line, NL]));
      },
      (err) => this.logFailed(err),
    );
    const readModel: ReadModel = {
      incidents: () => this.engine.incidentDocs(),
      incident: (id) => {
        const inc = this.engine.incidentWithTimeline(id);
        if (inc === undefined || this.notify === null) return inc;
        // Notification decisions and attempts are the stage's; stable sort keeps the engine's order within a time.
        const timeline = [...inc.timeline, ...this.notify.timeline(id)].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
        return { ...inc, timeline, alertStates: this.engine.alertStates(id) ?? [] };
      },
      slos: () => this.engine.sloDocs(),
      sloHistory: (name, from, to) => this.engine.sloHistory(name, from, to),
      deadLetters: () => this.notify?.deadLetters() ?? [],
    };
    this.feed = new IncidentFeed({
      source: { incidents: () => this.engine.incidentDocs(), incident: (id) => this.engine.incidentDoc(id) },
      logger: this.logger,
    });
    this.metrics.observeSlos(() => this.engine.sloDocs());
    this.metrics.observeSloInput(() => ({ now: this.engine.now(), samples: this.engine.sloLastSamples() }));
    this.metrics.observeNotifications(() => this.notify?.stats() ?? null);
    this.server = createHttpServer({
      reloadPipeline: () => this.reloadPipeline(),
      silences: () => this.notify?.silenceModel() ?? null,
      ingestor: this.ingestor,
      readModel,
      metrics: this.metrics,
      logger: this.logger,
      maxBodyBytes: this.opts.config.server.maxBodyBytes,
      isReady: () => this.ready,
      notReadyReason: () => (this.failed ? 'durable log failed' : this.stopping ? 'stopping' : 'recovering'),
      isStopping: () => this.stopping,
      feed: this.feed,
      topology: this.opts.config.engine.topology,
      console: await loadConsoleAssets(this.opts.consoleDir),
    });
    const listen = this.opts.listen ?? { host: this.opts.config.server.host, port: this.opts.config.server.port };
    const { address: addr, url } = await listenOn(this.server, listen.host, listen.port);
    this.notify = await NotifyStage.open({
      routing: this.opts.config.routing,
      dataDir: this.opts.dataDir,
      incidents: {
        incident: (id) => this.engine.incidentDoc(id),
        openIncidents: () => this.engine.openIncidentDocs(),
        openIncidentIds: () => this.engine.openIncidentIds(),
        foldTarget: (id) => this.engine.foldTarget(id),
      },
      logger: this.logger,
      now: this.wallClock,
      externalURL: this.opts.config.server.externalURL ?? url,
      ...(this.opts.outbox === undefined ? {} : { outbox: this.opts.outbox }),
    });
    this.ready = true;
    this.startTimers();
    this.logger.info({ host: addr.address, port: addr.port, dataDir: this.opts.dataDir }, 'listening');
    return { host: addr.address, port: addr.port };
  }

  /** Stops accepting, waits for in-flight requests, saves a final snapshot and closes the log. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.ready = false;
    this.stopping = true;
    this.feed?.close(); // event streams never idle: end them, or the server would wait for the deadline below
    const server = this.server;
    if (server !== null) await closeGracefully(server);
    await this.notify?.close();
    await this.snapshotting;
    await this.snapshot();
    await this.log.close();
    if (this.recordFd !== null) closeSync(this.recordFd);
    this.recordFd = null;
    this.logger.info({}, 'stopped');
  }

  /**
   * Replaces the correlation pipeline with the config dir's `pipeline.yaml` as it is now (SIGHUP,
   * `POST /api/v1/pipeline/reload`). With `canary` in stormcell.yaml the candidate must first pass the canary gate
   * on the scenario corpus against the running pipeline; a refused or invalid candidate leaves the running one in
   * place. An accepted one takes over the engine's state and is snapshotted at once, so that recovery replays only
   * what came after it with it. One reload at a time; a second call while one runs gets the same answer.
   */
  reloadPipeline(): Promise<PipelineReload> {
    this.reloading ??= this.reload().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private async reload(): Promise<PipelineReload> {
    const dir = this.opts.config.dir;
    const candidateFile = join(dir, 'pipeline.yaml');
    let candidate: Config;
    try {
      candidate = await loadConfig(dir);
    } catch (err) {
      return this.reloaded({ result: 'invalid', reasons: [(err as Error).message], report: '' });
    }
    const canary = this.opts.config.server.canary;
    const gate =
      canary === null
        ? { accepted: true, reasons: ['not gated: stormcell.yaml has no canary section'], report: '' }
        : await gatePipeline({ candidateFile, livePipeline: this.engineOptions.pipeline, corpusDir: resolve(dir, canary.corpus), tolerance: canary.tolerance }).then(
            (g) => ({ accepted: g.accepted, reasons: [...g.reasons], report: g.report }),
            (err: unknown) => ({ accepted: false, reasons: [`the canary could not run: ${(err as Error).message}`], report: '' }),
          );
    if (!gate.accepted) return this.reloaded({ result: 'refused', reasons: gate.reasons, report: gate.report });
    this.engineOptions = { ...this.engineOptions, pipeline: candidate.engine.pipeline };
    this.engine = Engine.restore(this.engineOptions, this.engine.state());
    await this.snapshotNow();
    return this.reloaded({ result: 'accepted', reasons: gate.reasons, report: gate.report });
  }

  private reloaded(r: PipelineReload): PipelineReload {
    this.metrics.pipelineReloads.inc({ result: r.result });
    if (r.result === 'accepted') this.logger.info({ pipeline: this.engineOptions.pipeline.name, reasons: r.reasons }, 'pipeline reloaded');
    else this.logger.warn({ result: r.result, reasons: r.reasons }, 'pipeline reload refused; the running pipeline stays');
    return r;
  }

  /** A snapshot now, after any one under way, even if the log has not grown since the last. */
  private async snapshotNow(): Promise<void> {
    await this.snapshotting;
    this.snapshotOffset = Math.min(this.snapshotOffset, this.appliedOffset - 1);
    await this.snapshotSoon();
  }

  /** The engine, for embedding (benchmarks, tests); read-only use. */
  currentEngine(): Engine {
    return this.engine;
  }

  private async recover(): Promise<void> {
    const recovery = await this.log.open();
    if (recovery.truncatedBytes > 0) {
      this.metrics.logRecoveryTruncatedBytes.inc(recovery.truncatedBytes);
      this.logger.warn({ problem: recovery.problem, truncatedBytes: recovery.truncatedBytes }, 'cut a torn log tail');
    }
    let from = 0;
    try {
      const snap = await this.snapshots.load();
      if (snap !== null) {
        this.engine = Engine.restore(this.engineOptions, snap.state);
        from = snap.offset;
      }
    } catch (err) {
      // A damaged snapshot is only survivable when the log still starts at offset 0.
      if (this.log.firstOffset() !== 0) {
        throw new Error(
          `recovery: the snapshot in ${this.opts.dataDir} is unusable and the log no longer starts at offset 0 (first is ${this.log.firstOffset()}): ${(err as Error).message}`,
          { cause: err },
        );
      }
      this.logger.warn({ err }, 'snapshot unusable, replaying the whole log');
      this.engine = new Engine(this.engineOptions);
    }
    if (from < this.log.firstOffset() || from > this.log.nextOffset()) {
      throw new Error(
        `recovery: the snapshot needs the log from offset ${from}, but it holds offsets ${this.log.firstOffset()} to ${this.log.nextOffset() - 1}; data dir ${this.opts.dataDir} is incomplete`,
      );
    }
    let replayed = 0;
    for await (const entry of this.log.read(from)) {
      const where = `wal offset ${entry.offset}`;
      try {
        applyRecord(this.engine, parseCaptureLine(decoder.decode(entry.data), where), entry.offset);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        // Only possible if validation got stricter since the entry was acknowledged; keep going, loudly.
        this.logger.error({ err, offset: entry.offset }, 'logged request no longer valid, skipped');
      }
      replayed++;
    }
    this.appliedOffset = this.log.nextOffset();
    this.snapshotOffset = from;
    this.logger.info({ snapshotOffset: from, replayed, nextOffset: this.appliedOffset }, 'recovered');
  }

  private logFailed(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.ready = false;
    this.logger.fatal({ err }, 'durable log failed, not accepting requests');
    this.opts.onFatal?.(err);
  }

  private applyLive(events: readonly Event[], ts: Instant, offset: number): void {
    this.logEffects(this.engine.apply(events, ts));
    if (this.notify !== null) {
      for (const ev of events) {
        if (ev.kind === 'deploy') this.notify.deployed(ev).catch((err: unknown) => this.logger.error({ err, service: ev.service }, 'deploy annotation not queued'));
      }
    }
    this.appliedOffset = offset + 1;
    if (this.appliedOffset - this.snapshotOffset >= this.opts.config.server.snapshotEveryEntries) void this.snapshotSoon();
  }

  private logEffects(effects: readonly EngineEffect[]): void {
    this.feed?.changed(effects);
    for (const e of effects) {
      if (e.change !== 'updated') this.logger.info({ incident: e.id, change: e.change }, 'incident changed');
    }
    if (effects.length > 0 && this.notify !== null) {
      this.notify.observe(effects).catch((err: unknown) => this.logger.error({ err }, 'notification of a merge not queued'));
    }
  }

  private startTimers(): void {
    const tick = setInterval(() => {
      const ingestor = this.ingestor as Ingestor;
      this.logEffects(this.engine.advance(ingestor.safeNow()));
      const g = this.engine.gauges();
      this.metrics.incidentsOpen.set(g.incidentsOpen);
      this.metrics.alertsFiring.set(g.alertsFiring);
      const now = this.engine.now();
      this.metrics.engineLag.set(now === null ? 0 : Math.max(0, this.wallClock() - now) / 1000);
      this.notify?.tick().catch((err: unknown) => this.logger.error({ err }, 'notifications not queued, will retry at the next tick'));
    }, this.opts.tickIntervalMs ?? 1000);
    const snap = setInterval(() => void this.snapshotSoon(), this.opts.config.server.snapshotIntervalMs);
    tick.unref();
    snap.unref();
    this.timers.push(tick, snap);
  }

  private snapshotSoon(): Promise<void> {
    if (this.snapshotting === null) {
      this.snapshotting = this.snapshot()
        .catch((err: unknown) => this.logger.error({ err }, 'snapshot failed, will retry at the next interval'))
        .finally(() => {
          this.snapshotting = null;
        });
    }
    return this.snapshotting;
  }

  /** Saves the engine state as of `appliedOffset` and drops log segments it covers. */
  private async snapshot(): Promise<void> {
    const offset = this.appliedOffset;
    if (offset <= this.snapshotOffset) return;
    const started = performance.now();
    const json = JSON.stringify(this.engine.state()); // synchronous: the state must not change while serialized
    await this.snapshots.saveSerialized(offset, json);
    this.snapshotOffset = offset;
    await this.log.truncateBefore(offset);
    this.metrics.snapshotSeconds.observe((performance.now() - started) / 1000);
  }
}

const NL = Buffer.from('\n');

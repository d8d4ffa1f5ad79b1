/**
 * A real Apache Kafka 3.9.1 broker (single-node KRaft) for integration tests. It runs through `.ci/kafka.sh run`,
 * so CI, a new machine and the tests configure the broker the same way; the script execs java, so the process we
 * supervise (and kill on a crashed test worker) is the JVM itself, and readiness is its "Kafka Server started".
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findBinary, freePort, makeTempDir, ManagedProcess, removeDir } from './services.js';
import { waitFor } from './wait-for.js';

const KAFKA_SCRIPT = fileURLToPath(new URL('../../.ci/kafka.sh', import.meta.url));
/** Where `.ci/kafka.sh fetch` puts the jars; the same default as the script's. */
const KAFKA_HOME = process.env.KAFKA_HOME || join(homedir(), '.cache', 'stormcell', 'kafka-3.9.1');
const KAFKA_LIBS = join(KAFKA_HOME, 'libs');
const KAFKA_JAR = join(KAFKA_LIBS, 'kafka_2.13-3.9.1.jar');
const START_TIMEOUT_MS = 60_000;
const FETCH_TIMEOUT_MS = 10 * 60_000;

/** The java binary the broker runs on (JAVA overrides PATH, as in .ci/kafka.sh), or null. */
export const javaBinary = findBinary('JAVA', ['java']);
const mavenBinary = findBinary('MVN', ['mvn']);

/**
 * Whether `startKafka()` can work here, for `describe.skipIf(needService('kafka', kafkaAvailable))`: Java, and the
 * jars already fetched or Maven to fetch them.
 */
export const kafkaAvailable = javaBinary !== null && (existsSync(KAFKA_JAR) || mavenBinary !== null);

/** A running broker whose data dir outlives `stop()`/`kill9()`, so `restart()` finds its topics again. */
export class KafkaBroker {
  readonly name = 'kafka';
  private child: ManagedProcess | null = null;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  /** The PLAINTEXT listener, for kafkajs's `brokers`; the same across restarts. */
  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts the broker on this dir and these ports; rejects with the broker's output if it is not up in time. */
  async start(): Promise<void> {
    if (this.child !== null && this.child.exit === null) throw new Error(`kafka in ${this.dir} is already running`);
    const args = [KAFKA_SCRIPT, 'run', this.dir, String(this.port), String(this.controllerPort)];
    const child = new ManagedProcess('kafka', 'bash', args, { env: { ...process.env, JAVA: javaBinary ?? 'java' } });
    this.child = child;
    try {
      await waitFor(() => child.output().includes('Kafka Server started'), {
        what: `kafka on ${this.brokers} (dir ${this.dir}) to log "Kafka Server started"`,
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 100,
        abortIf: () =>
          child.exit === null ? undefined : `kafka exited (code ${child.exit.code}, signal ${child.exit.signal})`,
      });
    } catch (err) {
      await this.stop();
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${child.tail(4_000)}`, { cause: err });
    }
  }

  /** SIGTERM (a controlled shutdown), SIGKILL after 20 s; keeps the data dir. */
  async stop(): Promise<void> {
    await this.child?.stop(20_000);
    await this.forgetPid();
  }

  /** A crash: SIGKILL, so the next start recovers the logs from an unclean shutdown. */
  async kill9(): Promise<void> {
    await this.child?.kill('SIGKILL');
    await this.forgetPid();
  }

  /** Stops the broker if it runs, then starts it again on the same data dir and ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the broker and removes its dir: call once, in afterAll. */
  async dispose(): Promise<void> {
    await this.stop();
    await removeDir(this.dir);
  }

  /**
   * Sets topic configs (e.g. `retention.ms`) with Kafka's own kafka.admin.ConfigCommand, a client independent of
   * the kafkajs code under test, and resolves once the broker applied them (the controller commits first and the
   * broker follows a moment later, so a test acting at once could still see the old setting). Rejects with the
   * tool's output when it fails.
   */
  async alterTopicConfig(topic: string, config: Record<string, string>): Promise<void> {
    const child = this.child;
    if (child === null || child.exit !== null) throw new Error(`alterTopicConfig(${topic}): kafka is not running`);
    // Kafka 3.9's DynamicConfigPublisher logs this line once the broker uses the new topic config.
    const applied = `Updating topic ${topic} with new configuration`;
    let seen = false;
    const unsubscribe = child.onLine((line) => {
      if (line.includes(applied)) seen = true;
    });
    const pairs = Object.entries(config).map(([k, v]) => `${k}=${v}`).join(',');
    const args = ['-cp', join(KAFKA_LIBS, '*'), `-Dlog4j.configuration=file:${join(this.dir, 'log4j.properties')}`];
    args.push('kafka.admin.ConfigCommand', '--bootstrap-server', this.brokers, '--alter', '--entity-type', 'topics');
    args.push('--entity-name', topic, '--add-config', pairs);
    try {
      await promisify(execFile)(javaBinary ?? 'java', args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
      await waitFor(() => seen, { what: `kafka to log "${applied}"`, timeoutMs: 10_000 });
    } catch (err) {
      const e = err as Error & { stderr?: string; stdout?: string };
      const output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      throw new Error(`alterTopicConfig ${topic} ${pairs} failed: ${e.message}\n${output}`, { cause: err });
    } finally {
      unsubscribe();
    }
  }

  /** The broker's output tail, for a failing test's report. */
  diagnostics(): string {
    return this.child?.diagnostics() ?? `kafka in ${this.dir}: never started`;
  }

  /** The pid file names a process that is gone; a recycled pid must not make the next start think it still runs. */
  private async forgetPid(): Promise<void> {
    await rm(join(this.dir, 'kafka.pid'), { force: true });
  }
}

/**
 * Starts a fresh broker in a new temp dir on free ports, fetching the jars first if they are missing (a minute or
 * so the first time). A lost race for a port is retried with new ports, up to three times.
 */
export async function startKafka(): Promise<KafkaBroker> {
  if (!kafkaAvailable) throw new Error('kafka cannot run here (guard the suite with needService)');
  await ensureKafkaJars();
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const broker = new KafkaBroker(await makeTempDir('kafka'), await freePort(), await freePort());
    try {
      await broker.start();
      return broker;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await broker.dispose();
      failures.push(`attempt ${attempt}: ${message}`);
      if (!/address already in use/i.test(message)) break;
    }
  }
  throw new Error(`could not start kafka:\n${failures.join('\n')}`);
}

async function ensureKafkaJars(): Promise<void> {
  if (existsSync(KAFKA_JAR)) return;
  console.warn(`[kafka] no ${KAFKA_JAR}: running .ci/kafka.sh fetch (Maven; about a minute the first time)`);
  try {
    await promisify(execFile)('bash', [KAFKA_SCRIPT, 'fetch'], {
      timeout: FETCH_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, JAVA: javaBinary ?? 'java' },
    });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`.ci/kafka.sh fetch failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
  if (!existsSync(KAFKA_JAR)) throw new Error(`.ci/kafka.sh fetch succeeded but ${KAFKA_JAR} is missing`);
}

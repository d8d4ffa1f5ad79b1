#!/usr/bin/env -S node --max-semi-space-size=64 --min-semi-space-size=32
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { App } from './app.js';
import { loadConfig, parseListen } from './config/index.js';
import { ConfigError, InputError } from './errors.js';
import { evalCommand } from './eval/index.js';
import { TRAIN_KMEANS_USAGE, trainKmeansCommand } from './cli/train-kmeans.js';
import { ROUTES_USAGE, routesCommand } from './cli/routes.js';
import { POSTMORTEM_USAGE, postmortemCommand } from './cli/postmortem.js';
import { SCENARIO_USAGE, scenarioCommand } from './cli/scenario.js';
import { CANARY_USAGE, canaryCommand } from './cli/canary.js';
import type { Logger } from './obs/index.js';
import { replayCapture } from './replay.js';
import { ScaledApp } from './scaled-app.js';

const USAGE = `usage:
  stormcell serve --config DIR [--listen HOST:PORT] [--data DIR] [--record FILE]
  stormcell replay CAPTURE.ndjson --config DIR [--out FILE]
  stormcell check-config --config DIR
  stormcell eval DIR [--pipeline FILE] [--json] [--out FILE]
  ${CANARY_USAGE}
  ${TRAIN_KMEANS_USAGE}
  ${ROUTES_USAGE}
  ${POSTMORTEM_USAGE}
  ${SCENARIO_USAGE}`;

/** Thrown for unusable arguments: exit 2 with the message, like bad config. */
class UsageError extends ConfigError {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'replay':
      return replay(rest);
    case 'check-config':
      return checkConfig(rest);
    case 'train-kmeans':
      return trainKmeansCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case 'canary':
      return canaryCommand(rest);
    case 'routes':
      return routesCommand(rest);
    case 'postmortem':
      return postmortemCommand(rest);
    case 'scenario':
      return scenarioCommand(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw new UsageError(command === undefined ? 'no command given; try: stormcell --help' : `unknown command ${JSON.stringify(command)}; try: stormcell --help`);
  }
}

function parse(args: string[], options: Record<string, { type: 'string' }>, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`expected ${positionals} argument(s), got ${parsed.positionals.length}; try: stormcell --help`);
  }
  return parsed;
}

async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string' }, listen: { type: 'string' }, data: { type: 'string' }, record: { type: 'string' }, kafka: { type: 'string' }, redis: { type: 'string' } }, 0);
  if ((values.kafka === undefined) !== (values.redis === undefined)) {
    throw new UsageError('--kafka and --redis go together: Kafka mode keeps its checkpoints and shared view in Redis');
  }
  if (values.kafka !== undefined && (values.data !== undefined || values.record !== undefined)) {
    throw new UsageError('--data and --record belong to the embedded mode; with --kafka the log is Kafka and state lives in Redis');
  }
  const config = await loadConfig(values.config ?? 'config');
  const app: { logger: Logger; start(): Promise<unknown>; stop(): Promise<void> } = values.kafka !== undefined
    ? new ScaledApp({
        config,
        brokers: parseBrokers(values.kafka),
        redisUrl: parseRedisUrl(values.redis as string),
        ...(values.listen === undefined ? {} : { listen: parseListen(values.listen, '--listen') }),
      })
    : new App({
    config,
    dataDir: values.data ?? './data',
    ...(values.listen === undefined ? {} : { listen: parseListen(values.listen, '--listen') }),
    ...(values.record === undefined ? {} : { recordPath: values.record }),
    // Give the 503s of the failed batch a moment to leave, then exit for the supervisor to restart us.
    onFatal: () => setTimeout(() => process.exit(1), 200),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        app.logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  if (app instanceof App) {
    // SIGHUP reloads pipeline.yaml, through the canary gate when stormcell.yaml configures one.
    process.on('SIGHUP', () => void app.reloadPipeline().catch((err: unknown) => app.logger.error({ err }, 'pipeline reload failed')));
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await app.start();
  } catch (err) {
    // Unreachable brokers, Redis or a port in use: one line that says which, not a stack trace.
    app.logger.fatal({ err }, 'start failed');
    process.stderr.write(`stormcell: cannot start: ${(err as Error).message.split('\n')[0]}\n`);
    return 1;
  }
  return new Promise<number>(() => {}); // runs until a signal
}

/** `host:port,host:port`: the brokers' client listeners. */
function parseBrokers(s: string): string[] {
  const list = s.split(',').map((b) => b.trim()).filter((b) => b !== '');
  for (const b of list) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new UsageError(`--kafka: expected host:port[,host:port...], got ${JSON.stringify(b)}`);
  }
  if (list.length === 0) throw new UsageError('--kafka: expected host:port[,host:port...]');
  return list;
}

function parseRedisUrl(s: string): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(s)) throw new UsageError(`--redis: expected a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(s)}`);
  return s;
}

async function replay(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { config: { type: 'string' }, out: { type: 'string' } }, 1);
  if (values.config === undefined) throw new UsageError('replay needs --config DIR');
  const config = await loadConfig(values.config);
  const doc = await replayCapture(positionals[0] as string, config, (where, message) => {
    process.stderr.write(`${where}: request refused as the server would refuse it: ${message}\n`);
  });
  const text = JSON.stringify(doc, null, 2) + '\n';
  if (values.out === undefined) process.stdout.write(text);
  else await writeFile(values.out, text);
  return 0;
}

async function checkConfig(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string' } }, 0);
  const config = await loadConfig(values.config ?? 'config');
  process.stdout.write(
    `config ${config.dir}: ok (${config.engine.topology.entities.length} entities, ${config.engine.topology.relations.length} relations, ${config.slos.length} SLOs, ${config.routing === null ? 'no routing' : `${config.routing.receivers.size} receivers`})\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof InputError) {
      process.stderr.write(`stormcell: ${err.message.split('\n')[0]}\n`);
      process.exit(2);
    }
    process.stderr.write(`stormcell: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

/**
 * A real Alertmanager for integration tests (temp config and storage, a free port, no cluster gossip, 1 s group
 * timers), and an independent reference for Alertmanager's alert fingerprint.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ManagedProcess,
  type Stoppable,
  alertmanagerBinary,
  httpGet,
  sumCounters,
  httpPostJson,
  makeTempDir,
  removeDir,
  startReadyService,
} from './services.js';

/**
 * Alertmanager's fingerprint computed the slow, obvious way (BigInt FNV-1a 64 over label names sorted by UTF-8
 * bytes, each name and value followed by 0xff; prometheus/common `labelSetToFingerprint`), kept independent of
 * src/model so the two implementations check each other.
 */
export function referenceFingerprint(labels: Record<string, string>): string {
  const mask = (1n << 64n) - 1n;
  const prime = 0x100000001b3n;
  let hash = 0xcbf29ce484222325n;
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  for (const name of names) {
    for (const part of [name, labels[name] as string]) {
      for (const byte of [...Buffer.from(part, 'utf8'), 0xff]) {
        hash = ((hash ^ BigInt(byte)) * prime) & mask;
      }
    }
  }
  return hash.toString(16).padStart(16, '0');
}

/** An alert as Alertmanager's `POST /api/v2/alerts` takes it. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** An alert as Alertmanager's `GET /api/v2/alerts` returns it. */
export interface GettableAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: 'unprocessed' | 'active' | 'suppressed'; silencedBy: string[]; inhibitedBy: string[] };
  receivers: Array<{ name: string }>;
}

/** Options of `startAlertmanager`. */
export interface AlertmanagerOptions {
  /** The webhook receiver's URL (stormcell's `/webhook/alertmanager`). */
  webhookUrl: string;
  /** The root route's `group_by`; default `['alertname']`. */
  groupBy?: string[];
}

/** A running Alertmanager; `stop()` ends it and removes its temp dir. */
export class AlertmanagerServer implements Stoppable {
  readonly name = 'alertmanager';

  constructor(
    readonly process: ManagedProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `host:port`, for a Prometheus `alertmanagers` target. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** `POST /api/v2/alerts`; throws unless 200. */
  async postAlerts(alerts: PostableAlert[]): Promise<void> {
    const { status, text } = await httpPostJson(`${this.url}/api/v2/alerts`, alerts);
    if (status !== 200) throw new Error(`alertmanager POST /api/v2/alerts answered ${status}: ${text.slice(0, 500)}`);
  }

  /** `GET /api/v2/alerts` (active, silenced, inhibited and unprocessed alerts). */
  async alerts(): Promise<GettableAlert[]> {
    const { status, text } = await httpGet(`${this.url}/api/v2/alerts`);
    if (status !== 200) throw new Error(`alertmanager GET /api/v2/alerts answered ${status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as GettableAlert[];
  }

  /** Alertmanager's notification counters for the webhook integration, the clue when nothing arrives. */
  async notificationStats(): Promise<Record<string, number>> {
    return sumCounters(this.url, /^(alertmanager_notifications(?:_failed)?_total)\{[^}]*integration="webhook"[^}]*\} (\S+)$/);
  }

  diagnostics(): string {
    return this.process.diagnostics();
  }

  async stop(): Promise<void> {
    await this.process.stop();
    await removeDir(this.dir);
  }
}

/** Starts Alertmanager routing everything to one webhook receiver; throws when the binary is missing. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerServer> {
  if (alertmanagerBinary === null) throw new Error('alertmanager binary not found (guard the suite with needService)');
  const binary = alertmanagerBinary;
  const dir = await makeTempDir('alertmanager');
  try {
    const config = {
      route: {
        receiver: 'stormcell',
        group_by: options.groupBy ?? ['alertname'],
        group_wait: '1s',
        group_interval: '1s',
        repeat_interval: '4h',
      },
      receivers: [{ name: 'stormcell', webhook_configs: [{ url: options.webhookUrl, send_resolved: true }] }],
    };
    // JSON is YAML.
    await writeFile(join(dir, 'alertmanager.yml'), JSON.stringify(config, null, 2));
    const { process: child, port } = await startReadyService({
      name: 'alertmanager',
      binary,
      readyPath: '/-/ready',
      cwd: dir,
      args: (port) => [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=info',
      ],
    });
    return new AlertmanagerServer(child, port, dir);
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}

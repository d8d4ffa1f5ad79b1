/**
 * A real Prometheus server for integration tests: a temp config and TSDB dir, a free port, 1 s rule evaluation,
 * and alerts sent to the Alertmanager-compatible targets given (stormcell itself, or a real Alertmanager).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ManagedProcess,
  type Stoppable,
  httpGet,
  sumCounters,
  makeTempDir,
  prometheusBinary,
  removeDir,
  startReadyService,
} from './services.js';

/** One alerting rule, as in a Prometheus rule file. */
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Options of `startPrometheus`. */
export interface PrometheusOptions {
  /** `host:port` targets of `alerting.alertmanagers` (api_version v2, path prefix `/`). */
  alertmanagers: string[];
  /** Alerting rules of one group, evaluated every second. */
  rules: AlertingRule[];
  /** `global.external_labels`, which Prometheus adds to every alert it sends. */
  externalLabels?: Record<string, string>;
}

/** An alert as Prometheus's own `GET /api/v1/alerts` reports it (without external labels). */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

/** A running Prometheus; `stop()` ends it and removes its temp dir. */
export class PrometheusServer implements Stoppable {
  readonly name = 'prometheus';

  constructor(
    readonly process: ManagedProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The alerts Prometheus's rule manager holds (`GET /api/v1/alerts`). */
  async alerts(): Promise<PrometheusAlert[]> {
    const { status, text } = await httpGet(`${this.url}/api/v1/alerts`);
    if (status !== 200) throw new Error(`prometheus GET /api/v1/alerts answered ${status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { status: string; data: { alerts: PrometheusAlert[] } };
    return body.data.alerts;
  }

  /**
   * Prometheus's notifier counters (`prometheus_notifications_sent_total`, `…_errors_total`, `…_dropped_total`)
   * from its own /metrics, summed over Alertmanagers: the clue when alerts do not arrive.
   */
  async notifierStats(): Promise<Record<string, number>> {
    return sumCounters(this.url, /^(prometheus_notifications_(?:sent|errors|dropped)_total)(?:\{[^}]*\})? (\S+)$/);
  }

  diagnostics(): string {
    return this.process.diagnostics();
  }

  async stop(): Promise<void> {
    await this.process.stop();
    await removeDir(this.dir);
  }
}

/** Starts Prometheus with the given rules and Alertmanager targets; throws when the binary is missing. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  if (prometheusBinary === null) throw new Error('prometheus binary not found (guard the suite with needService)');
  const binary = prometheusBinary;
  const dir = await makeTempDir('prometheus');
  try {
    const config = {
      global: {
        scrape_interval: '1m',
        evaluation_interval: '1s',
        ...(options.externalLabels === undefined ? {} : { external_labels: options.externalLabels }),
      },
      alerting: {
        alertmanagers: [{ api_version: 'v2', scheme: 'http', timeout: '5s', static_configs: [{ targets: options.alertmanagers }] }],
      },
      rule_files: [join(dir, 'rules.yml')],
      scrape_configs: [],
    };
    const rules = { groups: [{ name: 'stormcell-integration', interval: '1s', rules: options.rules }] };
    // JSON is YAML: no YAML writer needed, and non-ASCII values pass through as UTF-8.
    await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    await writeFile(join(dir, 'rules.yml'), JSON.stringify(rules, null, 2));
    const { process: child, port } = await startReadyService({
      name: 'prometheus',
      binary,
      readyPath: '/-/ready',
      cwd: dir,
      args: (port) => [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Alerts are dropped until the notifier's service discovery publishes the static targets (~5 s after
        // start) and then re-sent only every resend-delay (default 1m): 1s keeps the first delivery quick.
        '--rules.alert.resend-delay=1s',
        '--log.level=info',
      ],
    });
    return new PrometheusServer(child, port, dir);
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}

import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { DEFAULT_ENGINE_OPTIONS, type SeverityOptions } from '../engine/index.js';
import { compileSchema } from '../model/schema.js';
import { parseDuration, SEVERITIES, type Severity } from '../model/index.js';
import { DurationString } from './durations.js';
import { ScaleOutSchema, toScaleOutSettings, type ScaleOutSettings } from './scale-out-config.js';
import { CanarySchema, toCanarySettings, type CanarySettings } from './canary-config.js';

const SeverityValue = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));

/** `stormcell.yaml`: the server and engine settings. Every key is optional; unknown keys are errors. */
export const ServerFileSchema = Type.Object(
  {
    listen: Type.Optional(Type.String({ pattern: '^.*:[0-9]{1,5}$', expected: 'HOST:PORT' })),
    max_body_bytes: Type.Optional(Type.Integer({ minimum: 1024 })),
    resolve_timeout: Type.Optional(DurationString),
    snapshot_interval: Type.Optional(DurationString),
    snapshot_every_entries: Type.Optional(Type.Integer({ minimum: 1 })),
    timeline_max_entries: Type.Optional(Type.Integer({ minimum: 10 })),
    retention: Type.Optional(DurationString),
    external_url: Type.Optional(Type.String({ pattern: '^https?://', expected: 'an http(s) URL' })),
    plugins: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    scale_out: Type.Optional(ScaleOutSchema),
    canary: Type.Optional(CanarySchema),
    severity: Type.Optional(
      Type.Object(
        {
          label: Type.Optional(Type.String({ minLength: 1 })),
          map: Type.Optional(Type.Record(Type.String(), SeverityValue)),
          default: Type.Optional(SeverityValue),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ServerFile = Static<typeof ServerFileSchema>;
export const checkServerFile = compileSchema(ServerFileSchema);

/** Server settings in code units. */
export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly snapshotIntervalMs: number;
  readonly snapshotEveryEntries: number;
  /** stormcell's URL as receivers of notifications should link to it; default from the listen address. */
  readonly externalURL: string | null;
  /** External action plugins (paths relative to the config dir, or package names). */
  readonly plugins: readonly string[];
  /** Settings of Kafka mode (`serve --kafka`); unused by the embedded mode. */
  readonly scaleOut: ScaleOutSettings;
  /** The gate pipeline reloads go through (`canary` in stormcell.yaml); null: reloads are not gated. */
  readonly canary: CanarySettings | null;
}

export const DEFAULT_SERVER: ServerSettings = Object.freeze({
  host: '0.0.0.0',
  port: 9097,
  maxBodyBytes: 4 * 1024 * 1024,
  snapshotIntervalMs: 60_000,
  snapshotEveryEntries: 100_000,
  externalURL: null,
  plugins: [],
  scaleOut: toScaleOutSettings(undefined),
  canary: null,
});

/** Parses `HOST:PORT` (IPv6 as `[::1]:9097`). */
export function parseListen(s: string, where: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(s);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) throw new ConfigError(`${where}: expected HOST:PORT, got ${JSON.stringify(s)}`);
  return { host: m[1] ?? (m[2] === '' ? '0.0.0.0' : (m[2] as string)), port };
}

export function toServerSettings(f: ServerFile): ServerSettings {
  const listen = f.listen === undefined ? DEFAULT_SERVER : parseListen(f.listen, 'stormcell.yaml: listen');
  return {
    host: listen.host,
    port: listen.port,
    maxBodyBytes: f.max_body_bytes ?? DEFAULT_SERVER.maxBodyBytes,
    snapshotIntervalMs: ms(f.snapshot_interval) ?? DEFAULT_SERVER.snapshotIntervalMs,
    snapshotEveryEntries: f.snapshot_every_entries ?? DEFAULT_SERVER.snapshotEveryEntries,
    externalURL: f.external_url?.replace(/\/+$/, '') ?? null,
    plugins: f.plugins ?? [],
    scaleOut: toScaleOutSettings(f.scale_out),
    canary: toCanarySettings(f.canary),
  };
}

/** The engine-facing part of `stormcell.yaml`, without topology and pipeline (loaded from their own files). */
export function toEngineSettings(f: ServerFile): {
  resolveTimeoutMs: number;
  severity: SeverityOptions;
  maxTimelineEntries: number;
  retentionMs: number;
} {
  const d = DEFAULT_ENGINE_OPTIONS;
  const s = f.severity ?? {};
  return {
    resolveTimeoutMs: ms(f.resolve_timeout) ?? d.resolveTimeoutMs,
    severity: {
      label: s.label ?? d.severity.label,
      map: (s.map as Record<string, Severity> | undefined) ?? d.severity.map,
      default: s.default ?? d.severity.default,
    },
    maxTimelineEntries: f.timeline_max_entries ?? d.maxTimelineEntries,
    retentionMs: ms(f.retention) ?? d.retentionMs,
  };
}

function ms(s: string | undefined): number | undefined {
  return s === undefined ? undefined : (parseDuration(s) as number);
}

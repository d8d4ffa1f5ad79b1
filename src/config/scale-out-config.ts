import { Type, type Static } from '@sinclair/typebox';
import { parseDuration } from '../model/index.js';
import { DurationString } from './durations.js';

/**
 * `scale_out` in `stormcell.yaml`: how instances started with `--kafka`/`--redis` share the work. Every key is
 * optional; the defaults suit one broker and one Redis. Production clusters want `replication_factor: 3` (and the
 * topics' `min.insync.replicas` 2), set on the topics themselves when stormcell may not create them.
 */
export const ScaleOutSchema = Type.Object(
  {
    /** Consumer groups are `<group>.route` and `<group>.fold` (stage one) and `<group>.correlate` (stage two); Redis keys start `<group>:`. */
    group: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]+$', expected: 'letters, digits, . _ -' })),
    ingest_topic: Type.Optional(Type.String({ minLength: 1 })),
    /** Internal, between the route and the fold; one group's own, so its default follows the group. */
    keyed_topic: Type.Optional(Type.String({ minLength: 1 })),
    events_topic: Type.Optional(Type.String({ minLength: 1 })),
    ingest_partitions: Type.Optional(Type.Integer({ minimum: 1 })),
    keyed_partitions: Type.Optional(Type.Integer({ minimum: 1 })),
    events_partitions: Type.Optional(Type.Integer({ minimum: 1 })),
    replication_factor: Type.Optional(Type.Integer({ minimum: 1 })),
    create_topics: Type.Optional(Type.Boolean()),
    /** The label whose value is the correlation domain: events of different domains are never correlated. */
    domain_label: Type.Optional(Type.String({ minLength: 1 })),
    checkpoint_interval: Type.Optional(DurationString),
    session_timeout: Type.Optional(DurationString),
  },
  { additionalProperties: false },
);
export type ScaleOutFile = Static<typeof ScaleOutSchema>;

export interface ScaleOutSettings {
  readonly group: string;
  readonly ingestTopic: string;
  readonly keyedTopic: string;
  readonly eventsTopic: string;
  readonly ingestPartitions: number;
  readonly keyedPartitions: number;
  readonly eventsPartitions: number;
  readonly replicationFactor: number;
  readonly createTopics: boolean;
  readonly domainLabel: string;
  readonly checkpointIntervalMs: number;
  readonly sessionTimeoutMs: number;
}

export const DEFAULT_SCALE_OUT: ScaleOutSettings = Object.freeze({
  group: 'stormcell',
  ingestTopic: 'stormcell.ingest',
  keyedTopic: 'stormcell.keyed', // `<group>.keyed`
  eventsTopic: 'stormcell.events',
  ingestPartitions: 6,
  keyedPartitions: 6,
  eventsPartitions: 6,
  replicationFactor: 1,
  createTopics: true,
  domainLabel: 'cluster',
  checkpointIntervalMs: 5_000,
  sessionTimeoutMs: 10_000,
});

export function toScaleOutSettings(f: ScaleOutFile | undefined): ScaleOutSettings {
  const d = DEFAULT_SCALE_OUT;
  if (f === undefined) return d;
  return Object.freeze({
    group: f.group ?? d.group,
    ingestTopic: f.ingest_topic ?? d.ingestTopic,
    keyedTopic: f.keyed_topic ?? `${f.group ?? d.group}.keyed`,
    eventsTopic: f.events_topic ?? d.eventsTopic,
    ingestPartitions: f.ingest_partitions ?? d.ingestPartitions,
    keyedPartitions: f.keyed_partitions ?? d.keyedPartitions,
    eventsPartitions: f.events_partitions ?? d.eventsPartitions,
    replicationFactor: f.replication_factor ?? d.replicationFactor,
    createTopics: f.create_topics ?? d.createTopics,
    domainLabel: f.domain_label ?? d.domainLabel,
    checkpointIntervalMs: f.checkpoint_interval === undefined ? d.checkpointIntervalMs : (parseDuration(f.checkpoint_interval) as number),
    sessionTimeoutMs: f.session_timeout === undefined ? d.sessionTimeoutMs : (parseDuration(f.session_timeout) as number),
  });
}

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTopic, produceCapture } from './ingest-topic.js';
import { configFor, PARTITIONS, perStage, perStageAsync, POLL_MS, replayCounts, sleep, STAGES, stageTopics, waitUntil, type KafkaEnv, type Stage } from './kafka-env.js';
import { GroupWatcher, type GroupOwners } from './kafka-group.js';
import { isReady, readApiCounts, readLag, startKafkaInstance, type ApiCounts, type KafkaInstance, type LagReport } from './kafka-instance.js';
import { writeLines } from './replay.js';
import { stopChild } from './spawn-node.js';

/** How a kill -9 run feeds the two instances and when it kills one. */
export interface KillOptions {
  /** Capture lines per second the producer holds. */
  readonly perSecond: number;
  /** How long it produces (the capture's first perSecond × duration lines). */
  readonly durationMs: number;
  /** When, after production started, one instance gets SIGKILL. */
  readonly killAfterMs: number;
}

/** One kill -9 run. Times are from the kill. */
export interface KillRun {
  readonly restart: boolean;
  readonly lines: number;
  readonly perSecond: number;
  /** Lines per second the producer actually held. */
  readonly achievedPerSecond: number;
  readonly killAtMs: number;
  /** Until the groups' coordinators assigned every partition of every stage to live instances again. */
  readonly reassignedMs: number | null;
  /** Until every live instance is ready and each partition's owner reports lag 0 for it, every stage. */
  readonly recoveredMs: number | null;
  /** Sum over partitions of the lag the live instances report for partitions they own: before the kill, after it. */
  readonly peakBefore: Readonly<Record<Stage, number>>;
  readonly peakAfter: Readonly<Record<Stage, number>>;
  /** The same from the groups' committed offsets (admin API): shows the backlog of partitions nobody reports on. */
  readonly peakCommittedAfter: Readonly<Record<Stage, number>>;
  /** Lag series an instance still exports for a partition the coordinator gave to another member. */
  readonly strayLagSeries: ReadonlyArray<{ readonly stage: string; readonly partition: number; readonly value: number }>;
  /** What the live instances show once production ended, and a replay of the same lines. */
  readonly final: ReadonlyArray<ApiCounts | null>;
  readonly expected: ApiCounts;
  /** End of production → every live instance shows every fingerprint; null if not within the deadline. */
  readonly convergedMs: number | null;
}

interface Sample {
  readonly at: number;
  readonly live: ReadonlyArray<{ inst: KafkaInstance; lag: LagReport | null; ready: boolean }>;
  readonly owners: Record<Stage, GroupOwners>;
  readonly committed: Record<Stage, number>;
}

/**
 * Two instances on a fresh group consume `lines` produced at a steady rate; `killAfterMs` in, one gets SIGKILL (and,
 * with `restart`, a new process on the same config starts at once). Watches every live instance's `/metrics` and
 * `/readyz` and the groups' assignments every POLL_MS until the live instances report lag 0 on every partition of
 * every stage and are ready, then until their read API shows what a replay of the same lines shows.
 * Constraint: stops every instance it started, also on failure.
 */
export async function runKill(env: KafkaEnv, lines: readonly string[], opts: KillOptions, restart: boolean): Promise<KillRun> {
  const group = `bench-k${restart ? 'r' : ''}-${randomUUID().slice(0, 8)}`;
  const cfg = await configFor(env.dir, env.baseConfig, group);
  const topics = stageTopics(group);
  await createTopic(env.broker.brokers, topics.route, PARTITIONS);
  const streamed = lines.slice(0, Math.min(lines.length, Math.round((opts.perSecond * opts.durationMs) / 1000)));
  const prefix = join(env.dir, `${group}.ndjson`);
  await writeLines(prefix, streamed);
  const expected = await replayCounts(prefix, cfg, join(env.dir, `${group}.replay.json`));

  const watcher = await GroupWatcher.connect(env.broker.brokers);
  const all: KafkaInstance[] = [];
  try {
    const pair = await Promise.all([startKafkaInstance(cfg, env.broker.brokers, env.redis.url), startKafkaInstance(cfg, env.broker.brokers, env.redis.url)]);
    all.push(...pair);
    const victim = pair[1];
    await waitUntil(async () => (await Promise.all(pair.map(isReady))).every(Boolean), 'both instances ready on the empty topic', 60_000);
    // Written by the kill timer and the producer's completion while the loop below polls.
    const run = { live: [...pair] as KafkaInstance[], killAt: null as number | null, producedAt: null as number | null, restarting: null as Promise<void> | null };

    const t0 = performance.now();
    const producing = produceCapture(streamed, { brokers: env.broker.brokers, topic: topics.route, seed: 7, perSecond: opts.perSecond })
      .then(() => void (run.producedAt = performance.now()));
    producing.catch(() => undefined); // awaited below; a failure must not go unhandled while we poll
    const killer = setTimeout(() => {
      victim.child.process.kill('SIGKILL');
      run.killAt = performance.now();
      run.live = run.live.filter((i) => i !== victim);
      if (restart) {
        run.restarting = startKafkaInstance(cfg, env.broker.brokers, env.redis.url).then((inst) => {
          all.push(inst);
          run.live = [...run.live, inst];
        });
      }
    }, opts.killAfterMs);

    const peakBefore = perStage(() => 0);
    const peakAfter = perStage(() => 0);
    const peakCommittedAfter = perStage(() => 0);
    let reassignedMs: number | null = null;
    let recoveredMs: number | null = null;
    try {
      for (;;) {
        const s = await sample(run.live, watcher, group, topics);
        const killAt = run.killAt;
        const afterKill = killAt !== null && s.at > killAt;
        for (const stage of STAGES) {
          const owned = ownedLag(s, stage);
          const peak = afterKill ? peakAfter : peakBefore;
          peak[stage] = Math.max(peak[stage], owned.sum);
          if (afterKill) peakCommittedAfter[stage] = Math.max(peakCommittedAfter[stage], s.committed[stage]);
        }
        if (afterKill) {
          const reassigned = s.live.length === (restart ? 2 : 1) && STAGES.every((st) => ownedLag(s, st).owned === PARTITIONS);
          if (reassigned) reassignedMs ??= s.at - killAt;
          const caughtUp = reassigned && s.live.every((l) => l.ready) && STAGES.every((st) => ownedLag(s, st).zero === PARTITIONS);
          if (caughtUp) recoveredMs ??= s.at - killAt;
        }
        const doneAt = run.producedAt;
        if (doneAt !== null && (recoveredMs !== null || performance.now() - doneAt > 60_000)) break;
        if (performance.now() - t0 > opts.durationMs + 120_000) break;
        await sleep(POLL_MS);
      }
    } finally {
      clearTimeout(killer);
      await producing;
      await run.restarting;
    }
    const endAt = run.producedAt ?? performance.now();
    let convergedMs: number | null = null;
    let final: Array<ApiCounts | null> = [];
    while (performance.now() - endAt < 60_000) {
      final = await Promise.all(run.live.map(readApiCounts));
      if (final.every((c) => c !== null && c.fingerprints >= expected.fingerprints)) {
        convergedMs = performance.now() - endAt;
        break;
      }
      await sleep(500);
    }
    // Once settled: series an instance exports for partitions the coordinator gave to another member are stale.
    const last = await sample(run.live, watcher, group, topics);
    const strayLagSeries = STAGES.flatMap((stage) => ownedLag(last, stage).stray.map((x) => ({ stage, partition: x.partition, value: x.value })));
    return {
      restart, lines: streamed.length, perSecond: opts.perSecond, achievedPerSecond: (streamed.length * 1000) / (endAt - t0),
      killAtMs: (run.killAt ?? t0) - t0, reassignedMs, recoveredMs, peakBefore, peakAfter, peakCommittedAfter,
      strayLagSeries, final, expected: { incidents: expected.incidents, fingerprints: expected.fingerprints }, convergedMs,
    };
  } finally {
    await watcher.close();
    await Promise.all(all.map((inst) => stopChild(inst.child, 30_000)));
  }
}

async function sample(live: readonly KafkaInstance[], watcher: GroupWatcher, group: string, topics: Record<Stage, string>): Promise<Sample> {
  // Each stage is the consumer group `<group>.<stage>` on the topic it consumes; all is read at once, one moment.
  const [reports, owners, committed] = await Promise.all([
    Promise.all(live.map(async (inst) => ({ inst, lag: await readLag(inst), ready: await isReady(inst) }))),
    perStageAsync((st) => watcher.owners(`${group}.${st}`, topics[st])),
    perStageAsync((st) => watcher.committedLag(`${group}.${st}`, topics[st])),
  ]);
  return { at: performance.now(), live: reports, owners, committed };
}

/**
 * For one stage: how many partitions a live instance owns, how many of those its owner reports at lag 0, the sum of
 * what the owners report, and the series instances export for partitions they do not own.
 */
function ownedLag(s: Sample, stage: Stage): { owned: number; zero: number; sum: number; stray: Array<{ partition: number; client: string; value: number }> } {
  let owned = 0;
  let zero = 0;
  let sum = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const owner = s.owners[stage].owners.get(p);
    const report = s.live.find((l) => l.inst.clientId === owner);
    if (report === undefined) continue;
    owned++;
    const v = report.lag?.[stage].get(p);
    if (v === undefined) continue;
    sum += v;
    if (v === 0) zero++;
  }
  const stray: Array<{ partition: number; client: string; value: number }> = [];
  if (s.owners[stage].state === 'Stable') {
    for (const l of s.live) {
      for (const [p, v] of l.lag?.[stage] ?? []) {
        if (s.owners[stage].owners.get(p) !== l.inst.clientId) stray.push({ partition: p, client: l.inst.clientId, value: v });
      }
    }
  }
  return { owned, zero, sum, stray };
}


/**
 * When the engine forgets. Retention runs on a one-minute grid of the engine clock, not on whichever events happen
 * to tick it, so that engines ticked by different events (one per Kafka partition, or fed by Kafka mode's fold
 * stage) forget at the same instants, and the fold stage can forget in step with the engine it feeds.
 */
import type { Instant } from '../model/index.js';

/** A scan of all incidents, so not on every event. */
export const PRUNE_EVERY_MS = 60_000;

/** The retention grid point at or before `now`. */
export function pruneGridPoint(now: Instant): Instant {
  return Math.floor(now / PRUNE_EVERY_MS) * PRUNE_EVERY_MS;
}

/**
 * Whether an alert that resolved at `endsAt` may be forgotten at grid point `at`. The engine forgets an incident
 * only once every one of its alerts may be; anything else holding alerts may forget each as soon as it may.
 */
export function pastRetention(endsAt: Instant, at: Instant, retentionMs: number): boolean {
  return endsAt < at - retentionMs;
}

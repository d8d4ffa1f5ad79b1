import type { Instant } from '../model/index.js';

/** What a receiver has been told about one incident (one route's group of it): enough to decide the next send. */
export interface GroupState {
  /** When this route first saw the incident firing: `group_wait` runs from here. */
  readonly firstSeenAt: Instant;
  /** The last notification sent (enqueued), or null before the first. */
  readonly last: { readonly at: Instant; readonly status: 'firing' | 'resolved'; readonly digest: string; readonly version: number } | null;
}

/** An incident as a receiver would be told about it now. */
export interface GroupView {
  readonly status: 'firing' | 'resolved';
  /** A digest of what a notification shows (status, severity, firing alerts, cause): a change is worth telling. */
  readonly digest: string;
  /** Silenced, inhibited, outside its active time or folded into its cause's incident: no firing notifications. */
  readonly muted: boolean;
}

/** Alertmanager's group timings for one route, in milliseconds. */
export interface GroupTiming {
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
}

/** Why a notification goes out, or why not. */
export type NotifyReason =
  | 'first' // firing, group_wait passed
  | 'changed' // firing and different from what was sent, group_interval passed
  | 'repeat' // firing and unchanged for repeat_interval
  | 'resolved' // resolved after a firing notification: at once, muted or not
  | 'waiting' // firing, group_wait or group_interval still running
  | 'unchanged' // firing, told already, repeat_interval not reached
  | 'muted' // firing but muted
  | 'never-paged'; // resolved, and nobody was told it fired

/** The decision: send now or not, why, and when to look again (null: only a change can make it due). */
export interface NotifyDecision {
  readonly send: boolean;
  readonly reason: NotifyReason;
  readonly dueAt: Instant | null;
}

/**
 * Alertmanager's notification timing applied to one incident and one route, as a pure function of its state, the
 * incident's current view and `now`: the first firing notification after `group_wait`, changes at most once per
 * `group_interval`, a repeat after `repeat_interval` of silence. Unlike Alertmanager, a resolve goes out at once,
 * not at the next group interval, and even while muted: whoever was paged hears that it is over.
 */
export function needsUpdate(state: GroupState, view: GroupView, timing: GroupTiming, now: Instant): NotifyDecision {
  const last = state.last;
  if (view.status === 'resolved') {
    if (last === null || last.status === 'resolved') return { send: false, reason: 'never-paged', dueAt: null };
    return { send: true, reason: 'resolved', dueAt: null };
  }
  if (view.muted) return { send: false, reason: 'muted', dueAt: null };
  if (last === null) {
    const due = state.firstSeenAt + timing.groupWaitMs;
    return now >= due ? { send: true, reason: 'first', dueAt: null } : { send: false, reason: 'waiting', dueAt: due };
  }
  if (last.status === 'resolved' || last.digest !== view.digest) {
    const due = last.at + timing.groupIntervalMs;
    return now >= due ? { send: true, reason: 'changed', dueAt: null } : { send: false, reason: 'waiting', dueAt: due };
  }
  const due = last.at + timing.repeatIntervalMs;
  return now >= due ? { send: true, reason: 'repeat', dueAt: null } : { send: false, reason: 'unchanged', dueAt: due };
}

import { describe, expect, it } from 'vitest';
import { needsUpdate, type GroupState, type GroupView, type NotifyReason } from '../../../src/notify/notify-decision.js';

const S = 1000;
const M = 60 * S;
const TIMING = { groupWaitMs: 30 * S, groupIntervalMs: 5 * M, repeatIntervalMs: 4 * 60 * M };
const firing = (digest = 'a', muted = false): GroupView => ({ status: 'firing', digest, muted });
const resolved: GroupView = { status: 'resolved', digest: 'r', muted: false };
const never: GroupState = { firstSeenAt: 0, last: null };
const sent = (at: number, status: 'firing' | 'resolved' = 'firing', digest = 'a'): GroupState => ({ firstSeenAt: 0, last: { at, status, digest, version: 1 } });

describe('needsUpdate (group_wait, group_interval, repeat_interval, prompt resolves)', () => {
  it.each<[string, GroupState, GroupView, number, boolean, NotifyReason, number | null]>([
    ['waits group_wait before the first firing notification', never, firing(), 29 * S, false, 'waiting', 30 * S],
    ['sends the first once group_wait passed', never, firing(), 30 * S, true, 'first', null],
    ['tells nothing while muted', never, firing('a', true), 10 * M, false, 'muted', null],
    ['holds a change until group_interval after the last send', sent(M), firing('b'), 5 * M, false, 'waiting', 6 * M],
    ['sends a change once group_interval passed', sent(M), firing('b'), 6 * M, true, 'changed', null],
    ['does not repeat an unchanged incident before repeat_interval', sent(M), firing(), 2 * M, false, 'unchanged', 241 * M],
    ['repeats an unchanged incident after repeat_interval', sent(M), firing(), 241 * M, true, 'repeat', null],
    ['sends a resolve at once, within group_interval of the last firing', sent(M), resolved, M + S, true, 'resolved', null],
    ['sends nothing for a resolve nobody was paged for', never, resolved, M, false, 'never-paged', null],
    ['sends a resolve once only', sent(M, 'resolved', 'r'), resolved, 2 * M, false, 'never-paged', null],
    ['treats firing again after a resolve as a change', sent(M, 'resolved', 'a'), firing(), 6 * M, true, 'changed', null],
  ])('%s', (_name, state, view, now, send, reason, dueAt) => {
    expect(needsUpdate(state, view, TIMING, now)).toEqual({ send, reason, dueAt });
  });

  it('sends a resolve even while muted: whoever was paged hears it is over', () => {
    expect(needsUpdate(sent(M), { ...resolved, muted: true }, TIMING, M + S).send).toBe(true);
  });
});

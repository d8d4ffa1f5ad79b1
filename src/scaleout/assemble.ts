/**
 * Stage two's side of the fold: what the reorder buffer releases, applied to a partition's engine as one replay
 * would have applied the original requests. The pieces of one request (the fold partitions each sent theirs) come
 * out side by side, since they share its time and origin, and go back in as one request with the events in
 * their original order; extensions move alerts' ends before the request that needs them, and extensions due at
 * a deadline are applied at the engine's clock, without moving it. SLO burns the fold counted are queued in the
 * engine (the clock decided them) or placed after their request's events (its samples did).
 */
import type { Burn, Engine, EngineEffect } from '../engine/index.js';
import type { DeployEvent, Event, Instant } from '../model/index.js';
import type { Extension } from './fold.js';

export interface AssembleItem {
  readonly ts: Instant;
  /** The request's ingest partition and offset; null for extensions alone. */
  readonly origin: readonly [number, number] | null;
  readonly events: readonly Event[];
  readonly ix?: readonly number[] | undefined;
  readonly x?: readonly Extension[] | undefined;
  readonly q?: readonly Burn[] | undefined;
  readonly ba?: readonly Burn[] | undefined;
}

/** Applies `items` (in release order) to `engine`; returns its changes and the deploys applied. */
export function applyReleased(engine: Engine, items: readonly AssembleItem[]): { effects: EngineEffect[]; deploys: DeployEvent[] } {
  const effects: EngineEffect[] = [];
  const deploys: DeployEvent[] = [];
  for (let i = 0; i < items.length; ) {
    const first = items[i] as AssembleItem;
    let j = i + 1;
    if (first.origin !== null) while (j < items.length && sameRequest(first, items[j] as AssembleItem)) j++;
    const group = items.slice(i, j);
    i = j;
    const extensions = group.flatMap((it) => it.x ?? []);
    if (first.origin === null) {
      for (const [fp, endsAt] of extensions) engine.extendAlert(fp, endsAt);
      for (const it of group) if (it.q !== undefined) engine.queueBurns(it.q);
      continue;
    }
    if (extensions.length > 0) {
      for (const e of engine.advance(first.ts)) effects.push(e);
      for (const [fp, endsAt] of extensions) engine.extendAlert(fp, endsAt);
    }
    const events = inRequestOrder(group);
    const after = group.flatMap((it) => it.ba ?? []);
    const out = events.length > 0 || after.length > 0 ? engine.applyWithBurns(events, first.ts, after.length > 0 ? after : undefined) : engine.advance(first.ts);
    for (const e of out) effects.push(e);
    for (const ev of events) if (ev.kind === 'deploy') deploys.push(ev);
  }
  return { effects, deploys };
}

function sameRequest(a: AssembleItem, b: AssembleItem): boolean {
  return b.origin !== null && a.ts === b.ts && a.origin?.[0] === b.origin[0] && a.origin?.[1] === b.origin[1];
}

function inRequestOrder(group: readonly AssembleItem[]): Event[] {
  if (group.length === 1 && (group[0] as AssembleItem).ix === undefined) return [...(group[0] as AssembleItem).events];
  const all: Array<{ ev: Event; ix: number }> = [];
  for (const it of group) it.events.forEach((ev, k) => all.push({ ev, ix: it.ix?.[k] ?? k }));
  return all.sort((a, b) => a.ix - b.ix).map((e) => e.ev);
}

import { h, s } from './element.js';
import type { Neighbourhood } from './types.js';

const NODE_W = 160;
const NODE_H = 42;
const COL_GAP = 70;
const ROW_GAP = 18;
const PAD = 12;

/**
 * The root cause's topology neighbourhood as a small SVG: the cause in the middle, what depends on it to the left,
 * what it depends on to the right (arrows point from dependent to dependency, as `from → to` in topology.yaml).
 * Entities with alerts in this incident are marked.
 */
export function topologyGraph(n: Neighbourhood, involved: ReadonlySet<string>): HTMLElement {
  const col = new Map<string, number>([[n.entity.id, 0]]);
  const queue = [n.entity.id];
  while (queue.length > 0) {
    const cur = queue.shift() as string;
    const c = col.get(cur) as number;
    for (const r of n.relations) {
      const [other, side] = r.from === cur ? [r.to, 1] : r.to === cur ? [r.from, -1] : [null, 0];
      if (other === null || col.has(other)) continue;
      col.set(other, c + side);
      queue.push(other);
    }
  }
  const cols = [...new Set(col.values())].sort((a, b) => a - b);
  const rows = new Map<number, string[]>();
  for (const e of n.entities) {
    const c = col.get(e.id) ?? 0;
    rows.set(c, [...(rows.get(c) ?? []), e.id]);
  }
  const tallest = Math.max(...[...rows.values()].map((r) => r.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const width = PAD * 2 + cols.length * NODE_W + (cols.length - 1) * COL_GAP;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [c, ids] of rows) {
    const x = PAD + cols.indexOf(c) * (NODE_W + COL_GAP);
    const top = (height - (ids.length * NODE_H + (ids.length - 1) * ROW_GAP)) / 2;
    ids.forEach((id, i) => pos.set(id, { x, y: top + i * (NODE_H + ROW_GAP) }));
  }
  const kind = new Map(n.entities.map((e) => [e.id, e.kind]));
  const markerId = 'topology-arrow'; // one graph per page: fixed ids are unique
  const titleId = `${markerId}-title`;
  const descId = `${markerId}-desc`;

  const edges = n.relations.map((r) => {
    const a = pos.get(r.from);
    const b = pos.get(r.to);
    if (a === undefined || b === undefined) return null;
    const [x1, y1, x2, y2] = a.x < b.x ? [a.x + NODE_W, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2]
      : a.x > b.x ? [a.x, a.y + NODE_H / 2, b.x + NODE_W, b.y + NODE_H / 2]
      : a.y < b.y ? [a.x + NODE_W / 2, a.y + NODE_H, b.x + NODE_W / 2, b.y] : [a.x + NODE_W / 2, a.y, b.x + NODE_W / 2, b.y + NODE_H];
    return s('g', { class: 'edge' },
      s('line', { x1, y1, x2, y2, 'marker-end': `url(#${markerId})` }),
      s('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle' }, r.type));
  });
  const nodes = n.entities.map((e) => {
    const p = pos.get(e.id) as { x: number; y: number };
    const cls = e.id === n.entity.id ? 'root' : involved.has(e.id) ? 'involved' : 'quiet';
    const label = e.id.length > 22 ? `${e.id.slice(0, 21)}…` : e.id;
    return s('g', { class: `node ${cls}`, 'data-entity': e.id },
      s('title', {}, `${e.id} (${e.kind})${cls === 'root' ? ': root cause' : cls === 'involved' ? ': has alerts in this incident' : ''}`),
      s('rect', { x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 6 }),
      s('text', { x: p.x + NODE_W / 2, y: p.y + 17, 'text-anchor': 'middle', class: 'id' }, label),
      s('text', { x: p.x + NODE_W / 2, y: p.y + 33, 'text-anchor': 'middle', class: 'kind' }, kind.get(e.id) ?? ''));
  });
  const described = n.relations.map((r) => `${r.from} ${r.type} ${r.to}`).join('; ');
  const svg = s('svg', { class: 'topology', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': `${titleId} ${descId}` },
    s('title', { id: titleId }, `Topology around ${n.entity.id}`),
    s('desc', { id: descId }, described === '' ? 'No relations.' : `${described}.`),
    s('defs', {}, s('marker', { id: markerId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z' }))),
    ...edges.filter((e) => e !== null),
    ...nodes);
  return h('figure', { class: 'topology-figure' },
    h('div', { class: 'scroll' }, svg),
    h('figcaption', {},
      h('span', { class: 'key root' }, 'root cause'), h('span', { class: 'key involved' }, 'alerting in this incident'), h('span', { class: 'key quiet' }, 'not alerting here'),
      ' Left: what depends on it; right: what it depends on.', n.truncated ? ' Only the nearest 40 entities are drawn.' : ''));
}

import type { Entity, Relation, Topology } from '../model/index.js';
import type { ApiResponse } from './read-api.js';

/** What `GET /api/v1/topology/neighbourhood` answers: the entity, those within `depth` relations, and their relations. */
export interface Neighbourhood {
  entity: Entity;
  entities: Entity[];
  relations: Relation[];
  /** More entities were in reach than `MAX_ENTITIES`; the nearest were kept. */
  truncated: boolean;
}

const MAX_DEPTH = 2;
const MAX_ENTITIES = 40;

/**
 * `GET /api/v1/topology/neighbourhood?entity=ID[&depth=1|2]`: what the console draws around a root cause. Relations
 * are followed both ways (what the entity depends on, and what depends on it), breadth first, nearest first and
 * in the order of topology.yaml's relations within a distance, up to 40 entities. Null for paths it does not serve.
 */
export function handleTopology(topology: Topology, path: string, query: URLSearchParams): ApiResponse | null {
  if (path !== '/api/v1/topology/neighbourhood') return null;
  const id = query.get('entity');
  if (id === null || id === '') return { status: 400, body: { error: 'entity: missing, expected a topology entity id' } };
  const rawDepth = query.get('depth') ?? '1';
  const depth = Number(rawDepth);
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
    return { status: 400, body: { error: `depth: expected 1 or ${MAX_DEPTH}, got ${JSON.stringify(rawDepth)}` } };
  }
  const byId = new Map(topology.entities.map((e) => [e.id, e]));
  const entity = byId.get(id);
  if (entity === undefined) return { status: 404, body: { error: `entity ${JSON.stringify(id)} is not in the topology` } };
  return { status: 200, body: toNeighbourhood(topology, byId, entity, depth) };
}

function toNeighbourhood(topology: Topology, byId: ReadonlyMap<string, Entity>, entity: Entity, depth: number): Neighbourhood {
  const kept = new Set([entity.id]);
  let frontier = [entity.id];
  let truncated = false;
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: string[] = [];
    const reach = new Set(frontier);
    for (const r of topology.relations) {
      for (const [here, there] of [[r.from, r.to], [r.to, r.from]] as const) {
        if (!reach.has(here) || kept.has(there) || !byId.has(there)) continue;
        if (kept.size >= MAX_ENTITIES) {
          truncated = true;
          continue;
        }
        kept.add(there);
        next.push(there);
      }
    }
    frontier = next;
  }
  return {
    entity,
    entities: [...kept].map((e) => byId.get(e) as Entity),
    relations: topology.relations.filter((r) => kept.has(r.from) && kept.has(r.to)),
    truncated,
  };
}

import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { compileSchema } from '../model/schema.js';
import type { Topology } from '../model/index.js';

/** `topology.yaml` (CONTRACT §3). */
export const TopologyFileSchema = Type.Object(
  {
    entities: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.String({ minLength: 1 }),
            kind: Type.String({ minLength: 1 }),
            labels: Type.Record(Type.String({ minLength: 1 }), Type.String()),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    relations: Type.Optional(
      Type.Array(
        Type.Object(
          { from: Type.String({ minLength: 1 }), to: Type.String({ minLength: 1 }), type: Type.String({ minLength: 1 }) },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type TopologyFile = Static<typeof TopologyFileSchema>;
export const checkTopologyFile = compileSchema(TopologyFileSchema);

/** Cross-checks a parsed topology: unique ids, entities with at least one label, relations between known entities. */
export function toTopology(f: TopologyFile): Topology {
  const entities = f.entities ?? [];
  const ids = new Map<string, number>();
  entities.forEach((e, i) => {
    const prev = ids.get(e.id);
    if (prev !== undefined) throw new ConfigError(`topology.yaml: entities[${i}].id: duplicate id ${JSON.stringify(e.id)} (first at entities[${prev}])`);
    if (Object.keys(e.labels).length === 0) throw new ConfigError(`topology.yaml: entities[${i}].labels: an entity needs at least one label to bind alerts`);
    ids.set(e.id, i);
  });
  const relations = f.relations ?? [];
  relations.forEach((r, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!ids.has(r[end])) throw new ConfigError(`topology.yaml: relations[${i}].${end}: unknown entity ${JSON.stringify(r[end])}`);
    }
  });
  return {
    entities: entities.map((e) => ({ id: e.id, kind: e.kind, labels: { ...e.labels } })),
    relations: relations.map((r) => ({ from: r.from, to: r.to, type: r.type })),
  };
}

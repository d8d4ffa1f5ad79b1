import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { compileSchema } from '../model/schema.js';
import { parseDuration, type Topology } from '../model/index.js';
import { DurationString } from './durations.js';

/** `slos.yaml` in its native form (CONTRACT §4). Pyrra and Sloth documents arrive with the SLO issue (#4). */
export const SlosFileSchema = Type.Object(
  {
    slos: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 100 }),
            window: DurationString,
            entity: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type SlosFile = Static<typeof SlosFileSchema>;
export const checkSlosFile = compileSchema(SlosFileSchema);

/** One SLO definition in code units. */
export interface SloDefinition {
  readonly name: string;
  readonly objective: number;
  readonly windowMs: number;
  readonly entity?: string;
}

/** Cross-checks SLOs: unique names, non-zero windows, entities that exist in the topology. */
export function toSlos(f: SlosFile, topology: Topology): SloDefinition[] {
  const names = new Set<string>();
  const entityIds = new Set(topology.entities.map((e) => e.id));
  return (f.slos ?? []).map((s, i) => {
    if (names.has(s.name)) throw new ConfigError(`slos.yaml: slos[${i}].name: duplicate SLO ${JSON.stringify(s.name)}`);
    names.add(s.name);
    const windowMs = parseDuration(s.window) as number;
    if (windowMs === 0) throw new ConfigError(`slos.yaml: slos[${i}].window: must be longer than 0`);
    if (s.entity !== undefined && !entityIds.has(s.entity)) {
      throw new ConfigError(`slos.yaml: slos[${i}].entity: ${JSON.stringify(s.entity)} is not an entity of topology.yaml`);
    }
    return { name: s.name, objective: s.objective, windowMs, ...(s.entity === undefined ? {} : { entity: s.entity }) };
  });
}

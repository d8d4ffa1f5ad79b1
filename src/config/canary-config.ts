import { Type, type Static } from '@sinclair/typebox';

/** The canary's default tolerance: how much worse (absolute) any metric may score before a candidate is refused. */
export const DEFAULT_CANARY_TOLERANCE = 0.01;

/**
 * `canary` in `stormcell.yaml`: the gate a pipeline reload (SIGHUP or API) must pass, `gatePipeline` of src/eval,
 * which replays the scenario corpus with the running and the new pipeline and keeps the running one unless the new
 * one scores no worse. `corpus` is relative to the config directory. Without `canary`, reloads are not gated.
 */
export const CanarySchema = Type.Object(
  {
    corpus: Type.String({ minLength: 1, expected: 'a scenario corpus directory, relative to the config directory' }),
    tolerance: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
export type CanaryFile = Static<typeof CanarySchema>;

/** The canary gate's settings in code units. */
export interface CanarySettings {
  /** The corpus directory as written: relative paths are relative to the config directory (`Config.dir`). */
  readonly corpus: string;
  /** Absolute, per metric, from 0 to 1. */
  readonly tolerance: number;
}

/** Settings of `canary`, or null when reloads are not gated. */
export function toCanarySettings(f: CanaryFile | undefined): CanarySettings | null {
  if (f === undefined) return null;
  return Object.freeze({ corpus: f.corpus, tolerance: f.tolerance ?? DEFAULT_CANARY_TOLERANCE });
}

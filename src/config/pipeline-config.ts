import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { parseKmeansModel, type KmeansModel } from '../engine/cluster/index.js';
import { ConfigError } from '../errors.js';
import type { CorrelatorSpec, PipelineOptions } from '../engine/index.js';
import { compileSchema } from '../model/schema.js';
import { parseDuration } from '../model/index.js';
import { DurationString } from './durations.js';

const Score = Type.Number({ minimum: 0, maximum: 1 });

const TopologySpec = Type.Object(
  {
    type: Type.Literal('topology'),
    window: DurationString,
    same_entity: Score,
    depends_on_failing: Score,
    failing_depends_on: Score,
    max_age: DurationString,
  },
  { additionalProperties: false },
);
const BurstSpec = Type.Object(
  {
    type: Type.Literal('burst'),
    min_entities: Type.Integer({ minimum: 2 }),
    window: DurationString,
    score: Score,
  },
  { additionalProperties: false },
);
const TextSpec = Type.Object(
  {
    type: Type.Literal('text'),
    threshold: Score,
    score: Score,
    max_age: DurationString,
  },
  { additionalProperties: false },
);
const KmeansSpec = Type.Object(
  {
    type: Type.Literal('kmeans'),
    model: Type.String({ minLength: 1, expected: 'a model file path, relative to the pipeline file' }),
    window: DurationString,
    score: Score,
    max_age: DurationString,
  },
  { additionalProperties: false },
);
const LabelsSpec = Type.Object(
  {
    type: Type.Literal('labels'),
    group_by: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    window: DurationString,
    score: Score,
    max_age: DurationString,
  },
  { additionalProperties: false },
);

/** A pipeline file (`pipelines/*.yaml`, or `pipeline.yaml` in a config dir). Every key is required: a pipeline says everything. */
export const PipelineFileSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    join_threshold: Score,
    deploy_lookback: DurationString,
    ticket_window: DurationString,
    // Checked per type below, so that a message names the field of the one type the entry claims to be.
    correlators: Type.Array(
      Type.Object(
        {
          type: Type.Union([
            Type.Literal('topology'),
            Type.Literal('burst'),
            Type.Literal('text'),
            Type.Literal('kmeans'),
            Type.Literal('labels'),
          ]),
        },
        { additionalProperties: true },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
type CorrelatorFile =
  | Static<typeof TopologySpec>
  | Static<typeof BurstSpec>
  | Static<typeof TextSpec>
  | Static<typeof KmeansSpec>
  | Static<typeof LabelsSpec>;
export type PipelineFile = Omit<Static<typeof PipelineFileSchema>, 'correlators'> & { correlators: CorrelatorFile[] };

const checkFile = compileSchema(PipelineFileSchema);
const checkSpec = {
  topology: compileSchema(TopologySpec),
  burst: compileSchema(BurstSpec),
  text: compileSchema(TextSpec),
  kmeans: compileSchema(KmeansSpec),
  labels: compileSchema(LabelsSpec),
} as const;

/** Checks a pipeline file: the file's shape, then each correlator against the schema of its `type`. */
export function checkPipelineFile(value: unknown, root: string): string | null {
  const problem = checkFile(value, root);
  if (problem !== null) return problem;
  const correlators = (value as { correlators: Array<{ type: keyof typeof checkSpec }> }).correlators;
  for (let i = 0; i < correlators.length; i++) {
    const c = correlators[i] as { type: keyof typeof checkSpec };
    const p = checkSpec[c.type](c, `correlators[${i}]`);
    if (p !== null) return p;
  }
  return null;
}

/**
 * Converts a checked pipeline file into engine options; `file` names it in messages, and a k-means model path is
 * read relative to `baseDir` (the pipeline file's directory).
 */
export function toPipeline(f: PipelineFile, file: string, baseDir: string): PipelineOptions {
  const seen = new Set<string>();
  const correlators = f.correlators.map((c, i): CorrelatorSpec => {
    if (seen.has(c.type)) throw new ConfigError(`${file}: correlators[${i}].type: ${JSON.stringify(c.type)} is listed twice`);
    seen.add(c.type);
    switch (c.type) {
      case 'topology':
        return {
          type: 'topology',
          windowMs: ms(c.window),
          sameEntity: c.same_entity,
          dependsOnFailing: c.depends_on_failing,
          failingDependsOn: c.failing_depends_on,
          maxAgeMs: ms(c.max_age),
        };
      case 'burst':
        return { type: 'burst', minEntities: c.min_entities, windowMs: ms(c.window), score: c.score };
      case 'text':
        return { type: 'text', threshold: c.threshold, score: c.score, maxAgeMs: ms(c.max_age) };
      case 'kmeans':
        return { type: 'kmeans', model: readModel(resolve(baseDir, c.model), `${file}: correlators[${i}].model`), windowMs: ms(c.window), score: c.score, maxAgeMs: ms(c.max_age) };
      case 'labels':
        return { type: 'labels', groupBy: c.group_by, windowMs: ms(c.window), score: c.score, maxAgeMs: ms(c.max_age) };
    }
  });
  return {
    name: f.name,
    correlators,
    joinThreshold: f.join_threshold,
    deployLookbackMs: ms(f.deploy_lookback),
    ticketWindowMs: ms(f.ticket_window),
  };
}

function readModel(path: string, where: string): KmeansModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${where}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseKmeansModel(raw);
  } catch (err) {
    throw new ConfigError(`${where}: ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function ms(s: string): number {
  return parseDuration(s) as number;
}

import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../errors.js';
import { compileSchema } from '../model/schema.js';
import type { DeployRef } from './metrics.js';

const Deploy = Type.Object(
  { service: Type.String({ minLength: 1 }), version: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);

/** `truth.json` of a scenario: the incidents an SRE would draw. Unknown keys are errors, as in config files. */
export const TruthFileSchema = Type.Object(
  {
    incidents: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1 }),
          alerts: Type.Array(Type.String({ pattern: '^[0-9a-f]{16}$', expected: 'a fingerprint (16 lowercase hex digits)' }), { minItems: 1 }),
          rootCause: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
          deploys: Type.Optional(Type.Array(Deploy)),
          tickets: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
        },
        { additionalProperties: false },
      ),
    ),
    unlinkedTickets: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);
type TruthFile = Static<typeof TruthFileSchema>;
const checkTruthFile = compileSchema(TruthFileSchema);

/** One truth incident, defaults applied. */
export interface TruthIncident {
  readonly id: string;
  readonly alerts: readonly string[];
  readonly rootCause: string | null;
  readonly deploys: readonly DeployRef[];
  readonly tickets: readonly string[];
}

/** A scenario's truth, checked: every alert and every ticket belongs to at most one place. */
export interface Truth {
  readonly incidents: readonly TruthIncident[];
  readonly unlinkedTickets: readonly string[];
}

/**
 * Reads and checks a `truth.json`; `name` (the path shown in messages) prefixes every error. Throws InputError for
 * a missing or malformed file, and for an alert or ticket claimed twice, which would make the scores ambiguous.
 */
export async function loadTruth(file: string, name: string): Promise<Truth> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${name}: missing; a scenario needs its truth.json`);
    throw new InputError(`${name}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${name}: not JSON: ${(err as Error).message}`);
  }
  return parseTruth(value, name);
}

/** Checks a parsed `truth.json` value (see {@link loadTruth}); pure, for tests and callers that hold the JSON. */
export function parseTruth(value: unknown, name: string): Truth {
  const problem = checkTruthFile(value, '');
  if (problem !== null) throw new InputError(`${name}: ${problem.startsWith('body: ') ? problem.slice(6) : problem}`);
  const f = value as TruthFile;
  const ids = new Set<string>();
  const alertOwner = new Map<string, string>();
  const ticketOwner = new Map<string, string>();
  const incidents = f.incidents.map((inc, i): TruthIncident => {
    if (ids.has(inc.id)) throw new InputError(`${name}: incidents[${i}].id: ${JSON.stringify(inc.id)} is used twice`);
    ids.add(inc.id);
    inc.alerts.forEach((fp, k) => {
      const owner = alertOwner.get(fp);
      if (owner !== undefined) throw new InputError(`${name}: incidents[${i}].alerts[${k}]: ${fp} is already an alert of incident ${owner}`);
      alertOwner.set(fp, inc.id);
    });
    const tickets = inc.tickets ?? [];
    tickets.forEach((t, k) => {
      const owner = ticketOwner.get(t);
      if (owner !== undefined) throw new InputError(`${name}: incidents[${i}].tickets[${k}]: ${JSON.stringify(t)} is already a ticket of incident ${owner}`);
      ticketOwner.set(t, inc.id);
    });
    return { id: inc.id, alerts: inc.alerts, rootCause: inc.rootCause ?? null, deploys: inc.deploys ?? [], tickets };
  });
  const unlinkedTickets = f.unlinkedTickets ?? [];
  const seenUnlinked = new Set<string>();
  unlinkedTickets.forEach((t, k) => {
    const owner = ticketOwner.get(t);
    if (owner !== undefined) throw new InputError(`${name}: unlinkedTickets[${k}]: ${JSON.stringify(t)} is a ticket of incident ${owner}`);
    if (seenUnlinked.has(t)) throw new InputError(`${name}: unlinkedTickets[${k}]: ${JSON.stringify(t)} is listed twice`);
    seenUnlinked.add(t);
  });
  return { incidents, unlinkedTickets };
}

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Config } from './config/index.js';
import { Engine } from './engine/index.js';
import { InputError } from './errors.js';
import { applyRecord, parseCaptureLine } from './ingest/index.js';
import type { IncidentDoc, SloDoc } from './model/index.js';

/** The replay output of CONTRACT §5. */
export interface ReplayDocument {
  incidents: IncidentDoc[];
  slos: SloDoc[];
  stats: { requests: number; alerts: number; incidents: number; alertsReceived: number; tickets: number; deploys: number; sliSamples: number; sliSamplesDropped: number; rejected: number };
}

/**
 * Builds the CONTRACT §5 document from an engine whose input has ended: SLOs are evaluated up to the last grid point
 * at or before the clock first.
 */
export function toReplayDocument(engine: Engine, rejected: number): ReplayDocument {
  engine.settle();
  const s = engine.stats();
  return {
    incidents: engine.incidentDocs(),
    slos: engine.sloDocs(),
    stats: {
      requests: s.requests,
      alerts: s.alerts,
      incidents: s.incidents,
      alertsReceived: s.alertsReceived,
      tickets: s.tickets,
      deploys: s.deploys,
      sliSamples: s.sliSamples,
      sliSamplesDropped: s.sliSamplesDropped,
      rejected,
    },
  };
}

/**
 * Replays a capture file on a virtual clock that follows each line's `ts` (no sleeping). A line that is not a
 * capture line makes the capture unusable (InputError naming file and line). A well-formed request whose body the
 * receivers would refuse is refused here too, as the server would have answered it 4xx: it is counted and
 * reported through `onRejected`, and replay goes on.
 */
export async function replayCapture(
  file: string,
  config: Config,
  onRejected: (where: string, message: string) => void,
): Promise<ReplayDocument> {
  const engine = new Engine(config.engine);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let rejected = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const where = `${file}:${n}`;
      const rec = parseCaptureLine(line, where);
      try {
        applyRecord(engine, rec, n - 1);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        rejected++;
        onRejected(where, err.message);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(`${file}: no such file`);
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new InputError(`${file}: is a directory`);
    throw err;
  }
  return toReplayDocument(engine, rejected);
}

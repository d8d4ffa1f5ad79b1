import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Creates the process logger: pino JSON lines, fixed lowercase messages with data in fields. */
export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino({ level: opts.level ?? 'info', base: { service: 'stormcell' } }, opts.destination ?? pino.destination(1));
}

/**
 * A server-sent events client for tests: connects with node:http, splits the stream into events and comments as
 * EventSource would, and keeps everything it got.
 */
import { get, type IncomingMessage } from 'node:http';
import { waitFor } from './wait-for.js';

export interface StreamEvent {
  readonly event: string;
  readonly data: string;
}

export interface EventStream {
  readonly response: IncomingMessage;
  readonly events: StreamEvent[];
  readonly comments: string[];
  /** The first event from index `from` on that satisfies `pred`, waiting up to `timeoutMs`. */
  next(pred: (e: StreamEvent) => boolean, what: string, from?: number, timeoutMs?: number): Promise<StreamEvent>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export function openEventStream(url: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { Accept: 'text/event-stream' } }, (response) => {
      const events: StreamEvent[] = [];
      const comments: string[] = [];
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ event, data: data.join('\n') });
        }
      });
      const ended = new Promise<void>((done) => {
        response.on('end', done);
        response.on('close', done);
      });
      resolve({
        response,
        events,
        comments,
        ended,
        next: (pred, what, from = 0, timeoutMs = 5_000) => waitFor(() => events.slice(from).find(pred), { what, timeoutMs, intervalMs: 10 }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

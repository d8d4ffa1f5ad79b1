import type { IncomingMessage } from 'node:http';
import { InputError } from '../errors.js';

/**
 * Reads a request body up to `limit` bytes. Over the limit it throws InputError 413 as soon as the declared or
 * received size passes it, without buffering the rest.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(
      new InputError(`body: ${declared} bytes is over the limit of ${limit} bytes`, { status: 413, reason: 'too_large' }),
    );
  }
  // Plain events rather than `for await`: the async iterator costs measurably per request on the ingest path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new InputError(`body: over the limit of ${limit} bytes`, { status: 413, reason: 'too_large' }));
        return;
      }
      chunks.push(b);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** Parses a JSON body; a syntax error is an InputError naming the problem. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw new InputError('body: empty, expected JSON', { reason: 'bad_json' });
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new InputError(`body: invalid JSON: ${(err as Error).message}`, { reason: 'bad_json' });
  }
}

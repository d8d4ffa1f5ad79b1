import { InputError } from '../errors.js';

/** The read API's address when a command is given no `--url`: the server's default listen address. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:9097';

/**
 * GETs `path` of a running server's read API (CONTRACT §8) and returns the parsed JSON. `command` prefixes every
 * message. Throws InputError for an unreachable server, a 404 (`what` not found) or any other non-2xx answer, so
 * the CLI exits 2 with one line.
 */
export async function getJson(baseUrl: string, path: string, command: string, what: string): Promise<unknown> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new InputError(`${command}: cannot reach ${baseUrl}: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 404) throw new InputError(`${command}: ${what} not found at ${baseUrl}`);
  if (!res.ok) throw new InputError(`${command}: GET ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
  try {
    return await res.json();
  } catch (err) {
    throw new InputError(`${command}: GET ${url} answered something that is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

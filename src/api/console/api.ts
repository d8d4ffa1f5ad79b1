/** GETs a JSON document of the server's API; a refused call throws an ApiError with the server's own `error` text. */
export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: { Accept: 'application/json' } }));
}

/** POSTs a JSON body and returns the JSON answer; throws ApiError when refused. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }));
}

/** DELETEs a resource (a silence) and returns the JSON answer; throws ApiError when refused. */
export async function deleteJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { method: 'DELETE' }));
}

/** Thrown for a non-2xx answer; `status` tells a 404 from the rest. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(res.status, `${res.status}: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const error = body !== null && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
    throw new ApiError(res.status, typeof error === 'string' ? error : `${res.status} ${res.statusText}`);
  }
  return body as T;
}

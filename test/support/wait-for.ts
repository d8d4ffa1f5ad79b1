/**
 * Polling with a deadline, the only way integration tests wait (STYLE §F: never a fixed sleep).
 */

/** Options of `waitFor`. `what` completes the sentence "timed out waiting for …". */
export interface WaitForOptions {
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /**
   * Checked before every attempt; a string return aborts the wait at once with that reason (e.g. "the server
   * exited with code 1"), so a dead process fails fast instead of running into the deadline.
   */
  abortIf?: () => string | undefined;
}

/** A value `waitFor` keeps polling on. */
type NotYet = undefined | null | false;

/**
 * Calls `fn` until it returns something other than undefined, null or false, and returns that. A throw counts as
 * "not yet". After `timeoutMs` (default 15 s) it throws an error naming `what`, the attempts made and the last value
 * or error seen, which is usually the clue to why the condition never held.
 */
export async function waitFor<T>(
  fn: () => T | NotYet | Promise<T | NotYet>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = performance.now() + timeoutMs;
  let attempts = 0;
  let last: { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | null = null;
  for (;;) {
    const abortReason = options.abortIf?.();
    if (abortReason !== undefined) {
      throw new Error(`gave up waiting for ${options.what}: ${abortReason}; last seen: ${describe(last)}`);
    }
    attempts++;
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      last = { kind: 'value', value };
    } catch (error) {
      last = { kind: 'error', error };
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      throw new Error(
        `timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${options.what}; last seen: ${describe(last)}`,
        last?.kind === 'error' ? { cause: last.error } : undefined,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}

function describe(last: { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | null): string {
  if (last === null) return 'nothing (no attempt finished)';
  if (last.kind === 'error') {
    const error = last.error;
    if (error instanceof Error) {
      const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
      return `error ${error.name}: ${error.message}${cause}`;
    }
    return `thrown ${truncate(String(error))}`;
  }
  return `value ${truncate(safeJson(last.value))}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string, max = 2_000): string {
  return text.length <= max ? text : text.slice(0, max) + `… (${text.length} chars)`;
}

/**
 * The only two error classes stormcell exports. Both carry a message that says what is wrong and where,
 * so that an HTTP 4xx body or a CLI exit line can be the message alone.
 */

/** Bad input at an edge (an HTTP body, a capture line). `status` is the HTTP status the receiver answers with. */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly status: number;
  /** A bounded reason for metrics: `invalid`, `too_large`, `bad_json`, `unsupported_media_type`, `not_found`. */
  readonly reason: string;
  constructor(message: string, opts: { status?: number; reason?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.status = opts.status ?? 400;
    this.reason = opts.reason ?? 'invalid';
  }
}

/** Unusable configuration or command-line arguments: the CLI exits 2 with the message, the server refuses to start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }
}

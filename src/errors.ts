/**
 * Typed errors of the core. Every error carries a stable `code` (for logs, metrics and
 * i18n look-ups) and, where one exists, the `cause` that produced it.
 */

/** Codes of {@link NewsrelayError}; each maps to a user-facing sentence in the i18n catalogs. */
export type ErrorCode =
  | 'config_invalid'
  | 'bad_input'
  | 'not_found'
  | 'forbidden'
  | 'url_invalid'
  | 'address_refused'
  | 'fetch_failed'
  | 'fetch_timeout'
  | 'http_status'
  | 'too_large'
  | 'too_many_redirects'
  | 'not_a_feed'
  | 'parse_failed'
  | 'entity_expansion'
  | 'too_deep'
  | 'parse_timeout'
  | 'parse_memory'
  | 'source_exists'
  | 'store_failed'
  | 'delivery_failed';

/** Base class of every error newsrelay throws on purpose. */
export class NewsrelayError extends Error {
  readonly code: ErrorCode;
  /** Values the i18n catalog may interpolate into the user's sentence. */
  readonly params: Readonly<Record<string, string | number>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; params?: Record<string, string | number> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NewsrelayError';
    this.code = code;
    this.params = options.params ?? {};
  }
}

/** A fetch of a news source failed; `retryable` says whether a later attempt may succeed. */
export class FetchError extends NewsrelayError {
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      cause?: unknown;
      retryable?: boolean;
      status?: number;
      params?: Record<string, string | number>;
    } = {},
  ) {
    super(code, message, options);
    this.name = 'FetchError';
    this.retryable = options.retryable ?? true;
    this.status = options.status;
  }
}

/**
 * A platform refused or failed a send. Adapters translate their SDK's errors into this,
 * so the delivery job can decide without knowing the platform.
 */
export class DeliveryError extends NewsrelayError {
  /** `retry_after`-style wait the platform asked for, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The chat can never receive again (blocked, kicked, deleted, no permission). */
  readonly permanent: boolean;

  constructor(
    message: string,
    options: {
      cause?: unknown;
      retryAfterMs?: number;
      permanent?: boolean;
      params?: Record<string, string | number>;
    } = {},
  ) {
    super('delivery_failed', message, options);
    this.name = 'DeliveryError';
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
  }
}

/** Short, secret-free description of any thrown value, for logs and stored health reasons. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Typed errors of the core. Every error carries a stable `code` (for logs, metrics and
 * i18n look-ups) and, where one exists, the `cause` that produced it.
 */

/** Codes of {@link NewsrelayError}; each maps to a user-facing sentence in the i18n catalogs. */
export type ErrorCode =
  | 'config_invalid'
  | 'service_unavailable'
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
 * What a failed send means, whatever the platform. Each platform's sender maps its API errors to
 * one of these; the delivery service acts on the kind alone:
 * - `retry`: a temporary failure (network, 5xx, timeout) — try the same part again later;
 * - `rate_limited`: the platform asked to wait `retryAfterMs` — wait, then retry, spending no attempt;
 * - `rejected`: this message cannot be sent as it is (bad request, thread gone) — give up on this
 *   delivery only; the chat stays active;
 * - `chat_gone`: the chat can never receive again without a person's help (blocked, kicked,
 *   deleted, permission removed) — deactivate the chat and stop its schedules.
 */
export type DeliveryFailureKind = 'retry' | 'rate_limited' | 'rejected' | 'chat_gone';

/**
 * A platform refused or failed a send. Adapters translate their SDK's errors into this,
 * so the delivery job can decide without knowing the platform.
 */
export class DeliveryError extends NewsrelayError {
  readonly kind: DeliveryFailureKind;
  /** `retry_after`-style wait the platform asked for, in milliseconds (`rate_limited`). */
  readonly retryAfterMs: number | undefined;
  /** Machine-readable reason (`channel_deleted`, `blocked`, …) stored on a deactivated chat. */
  readonly reason: string | null;

  constructor(
    kind: DeliveryFailureKind,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number; reason?: string } = {},
  ) {
    super('delivery_failed', message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'DeliveryError';
    this.kind = kind;
    this.retryAfterMs = kind === 'rate_limited' ? Math.max(1, options.retryAfterMs ?? 1000) : undefined;
    this.reason = options.reason ?? null;
  }
}

/**
 * A problem with what a person asked (a bad time, an unknown source, a limit reached), answered
 * with the catalogue sentence `key` in their language. Thrown by the core's rules; every command
 * surface (Telegram, Discord, CLI) renders it the same way.
 */
export class UserError extends NewsrelayError {
  constructor(
    /** An i18n message key (see `src/i18n/catalog-en.ts`). */
    readonly key: string,
    params: Record<string, string | number> = {},
    /** A usage line to add where commands are typed as text (Telegram), e.g. `time.usage`. */
    readonly usage: string | null = null,
  ) {
    super('bad_input', key, { params });
    this.name = 'UserError';
  }
}

/** Error names of a database or queue that cannot be reached right now (driver-independent). */
const UNAVAILABLE =
  /^(MongoServerSelectionError|MongooseServerSelectionError|MongoNetworkError|MongoNetworkTimeoutError|MongoNotConnectedError|MongoTopologyClosedError|MaxRetriesPerRequestError)$/;

/**
 * True when `err` says a backing service (MongoDB, Redis) is out of reach, not that anything is
 * wrong with the request: the person asking should try again in a while.
 */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE.test(err.name) || UNAVAILABLE.test(err.constructor.name)) return true;
  return /buffering timed out|Client must be connected|connection .* closed|ECONNREFUSED/i.test(err.message);
}

/** Short, secret-free description of any thrown value, for logs and stored health reasons. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

import type { Locale } from '../domain/types.ts';
import { FetchError, NewsrelayError } from '../errors.ts';
import { hasKey, t } from '../i18n/i18n.ts';

/**
 * Kinds of fetch failure a person is told about: `http_<status>` for an HTTP error, or one of
 * these. Stored on the source (never the raw error text, which may carry the URL and its tokens).
 */
export const FAILURE_KINDS = [
  'timeout',
  'tls',
  'dns',
  'refused',
  'network',
  'not_a_feed',
  'too_large',
  'redirects',
  'address_refused',
  'other',
] as const;

/** A failure kind: one of {@link FAILURE_KINDS} or `http_<status>`. */
export type FailureKind = (typeof FAILURE_KINDS)[number] | `http_${number}`;

const TLS = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH|ALTNAME/i;
const DNS = /ENOTFOUND|EAI_AGAIN|EAI_NONAME|ENODATA/;
const REFUSED = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH/;

/** Error codes and messages along the cause chain (bounded). */
function chainText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    parts.push(`${typeof code === 'string' ? code : ''} ${e.message}`);
  }
  return parts.join(' | ');
}

/** The kind of a fetch or read failure, for the person told about it. */
export function failureKind(err: unknown): FailureKind {
  if (err instanceof FetchError && err.code === 'http_status' && err.status !== undefined)
    return `http_${err.status}`;
  if (err instanceof NewsrelayError) {
    switch (err.code) {
      case 'fetch_timeout':
      case 'parse_timeout':
        return 'timeout';
      case 'not_a_feed':
      case 'parse_failed':
      case 'entity_expansion':
      case 'too_deep':
      case 'parse_memory':
        return 'not_a_feed';
      case 'too_large':
        return 'too_large';
      case 'too_many_redirects':
        return 'redirects';
      case 'address_refused':
        return 'address_refused';
      case 'fetch_failed':
        break;
      default:
        return 'other';
    }
  }
  const text = chainText(err);
  if (TLS.test(text)) return 'tls';
  if (DNS.test(text)) return 'dns';
  if (REFUSED.test(text)) return 'refused';
  if (/ETIMEDOUT|UND_ERR_.*TIMEOUT/i.test(text)) return 'timeout';
  return err instanceof NewsrelayError ? 'network' : 'other';
}

/** The HTTP status of an `http_<status>` kind, or null. */
export function httpStatusOf(kind: string): number | null {
  const m = /^http_(\d{3})$/.exec(kind);
  return m ? Number(m[1]) : null;
}

/** What a failure kind means, in `locale` (`HTTP 404 (not found)`, `TLS error`, …). */
export function failureText(locale: Locale, kind: string | null | undefined): string {
  const status = httpStatusOf(kind ?? '');
  if (status !== null) {
    const gone = status === 404 || status === 410;
    return t(locale, gone ? 'sourceHealth.reason.httpGone' : 'sourceHealth.reason.http', { status });
  }
  const key = `sourceHealth.reason.${kind ?? 'other'}`;
  return t(locale, hasKey(key) ? key : 'sourceHealth.reason.other');
}

/** What the people of a source that failed this way can do, in `locale`. */
export function failureAdvice(locale: Locale, kind: string | null | undefined): string {
  const status = httpStatusOf(kind ?? '');
  if (status === 404 || status === 410 || kind === 'not_a_feed' || kind === 'dns')
    return t(locale, 'sourceHealth.advice.moved');
  if (kind === 'tls') return t(locale, 'sourceHealth.advice.tls');
  return t(locale, 'sourceHealth.advice.wait');
}

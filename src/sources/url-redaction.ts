/**
 * Feed URLs as people may see them: credentials, token-like query parameters and random-looking
 * values (private feed keys) are replaced by `…`, so a URL one chat added never shows another its
 * secrets, and a public reply never carries them.
 */

/** Query parameter names whose values are secrets (compared case-insensitively). */
const SECRET_PARAMS = new Set([
  'token',
  'key',
  'apikey',
  'api_key',
  'secret',
  'sig',
  'signature',
  'auth',
  'access_token',
  'password',
  'passwd',
]);

/** Shown in place of a secret. */
export const REDACTED = '…';

/**
 * True for a value that looks like a generated key rather than a word or a slug: at least 20
 * letters and digits (separators aside) mixing both, with no run of letters long enough to be a
 * word. `2024-12-03-city-news` is not; `a8f3c0e1-77b2-4c1d-9e0f-1b2c3d4e5f60` and `Zx81kQ0p…` are.
 */
export function looksRandom(value: string): boolean {
  if (!/^[A-Za-z0-9_\-.~+/=%]+$/.test(value)) return false;
  const core = value.replace(/[_\-.~+/=%]/g, '');
  if (core.length < 20 || !/\d/.test(core) || !/[A-Za-z]/.test(core)) return false;
  const longestWord = Math.max(0, ...(core.match(/[A-Za-z]+/g) ?? []).map((w) => w.length));
  return longestWord <= 10;
}

/** True when `url` carries something {@link displayUrl} would hide. */
export function hasSecrets(url: string): boolean {
  return displayUrl(url) !== url;
}

/**
 * The URL with credentials, secret query values and random-looking path segments or values
 * replaced by `…` (e.g. `https://host/path?token=…`). Unparsable input is cut at its `?`.
 */
export function displayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw
      .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, `$1${REDACTED}@`)
      .replace(/\?.*$/, `?${REDACTED}`);
  }
  let changed = url.username !== '' || url.password !== '';
  const path = url.pathname
    .split('/')
    .map((seg) => {
      if (!looksRandom(safeDecode(seg))) return seg;
      changed = true;
      return REDACTED;
    })
    .join('/');
  const query = [...url.searchParams.entries()].map(([k, v]) => {
    if (!SECRET_PARAMS.has(k.toLowerCase()) && !looksRandom(v)) return `${k}=${v}`;
    changed = true;
    return `${k}=${REDACTED}`;
  });
  if (!changed) return raw;
  const userinfo = url.username !== '' || url.password !== '' ? `${REDACTED}@` : '';
  return `${url.protocol}//${userinfo}${url.host}${path}${query.length ? `?${query.join('&')}` : ''}${url.hash}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

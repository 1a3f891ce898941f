import { describe, expect, it } from 'vitest';
import { FetchError, NewsrelayError } from '../../src/errors.ts';
import { failureKind, failureText } from '../../src/sources/failure-kind.ts';
import { displayUrl, hasSecrets, looksRandom } from '../../src/sources/url-redaction.ts';

describe('displayUrl', () => {
  it('leaves URLs without secrets exactly as they are', () => {
    for (const u of [
      'https://news.example.cn/rss.xml',
      'http://127.0.0.1:4000/feed?page=2&lang=zh',
      'https://example.com/2024-12-03-city-news-tonight/feed',
      'https://example.com/feed?id=12345678901234567890',
    ]) {
      expect(displayUrl(u)).toBe(u);
      expect(hasSecrets(u)).toBe(false);
    }
  });

  it('hides credentials and every token-like parameter, whatever its case', () => {
    expect(displayUrl('https://user:pass@example.com/feed')).toBe('https://…@example.com/feed');
    for (const name of [
      'token',
      'KEY',
      'apikey',
      'Api_Key',
      'secret',
      'sig',
      'Signature',
      'auth',
      'access_token',
      'password',
      'passwd',
    ]) {
      const shown = displayUrl(`https://example.com/rss?${name}=hunter2&page=2`);
      expect(shown).toBe(`https://example.com/rss?${name}=…&page=2`);
      expect(shown).not.toContain('hunter2');
    }
  });

  it('hides long random-looking values in the query and in the path', () => {
    expect(displayUrl('https://example.com/feed?u=Zx81kQ0pLm29TTa7bQ3e')).toBe(
      'https://example.com/feed?u=…',
    );
    expect(displayUrl('https://example.com/feeds/a8f3c0e1-77b2-4c1d-9e0f-1b2c3d4e5f60/rss')).toBe(
      'https://example.com/feeds/…/rss',
    );
    expect(looksRandom('shanghai-daily-news-2024')).toBe(false);
    expect(looksRandom('8f14e45fceea167a5a36dedd4bea2543')).toBe(true);
  });

  it('cuts an unparsable URL at its query and hides its credentials', () => {
    expect(displayUrl('https://a:b@exa mple.com/x?token=1')).toBe('https://…@exa mple.com/x?…');
  });
});

describe('failureKind and failureText', () => {
  it('names HTTP statuses, timeouts, TLS, DNS and non-feeds', () => {
    expect(failureKind(new FetchError('http_status', 'x: HTTP 404', { status: 404 }))).toBe('http_404');
    expect(failureKind(new FetchError('fetch_timeout', 'slow'))).toBe('timeout');
    expect(failureKind(new NewsrelayError('not_a_feed', 'html'))).toBe('not_a_feed');
    const tls = new FetchError('fetch_failed', 'https://x: TypeError fetch failed', {
      cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
    });
    expect(failureKind(tls)).toBe('tls');
    const dns = new FetchError('fetch_failed', 'x', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }),
    });
    expect(failureKind(dns)).toBe('dns');
    expect(failureKind(new Error('boom'))).toBe('other');
  });

  it('says the reason in each language, the URL never part of it', () => {
    expect(failureText('en', 'http_404')).toContain('HTTP 404');
    expect(failureText('zh-Hans', 'http_500')).toBe('HTTP 500');
    expect(failureText('zh-Hant', 'tls')).toContain('TLS');
    expect(failureText('en', 'something-new')).toBe(failureText('en', 'other'));
  });
});

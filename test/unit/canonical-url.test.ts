import { describe, expect, it } from 'vitest';
import { NewsrelayError } from '../../src/errors.ts';
import { canonicalUrl, isHttpUrl, redactUrl } from '../../src/ingest/canonical-url.ts';

describe('canonicalUrl', () => {
  it('lower-cases scheme and host, drops default ports and fragments, keeps path case', () => {
    expect(canonicalUrl('HTTPS://News.Example.COM:443/World/Story.HTML#top')).toBe(
      'https://news.example.com/World/Story.HTML',
    );
    expect(canonicalUrl('http://example.com:80')).toBe('http://example.com/');
    expect(canonicalUrl('http://example.com:8080/a')).toBe('http://example.com:8080/a');
    expect(canonicalUrl('http://example.com./a')).toBe('http://example.com/a');
  });

  it('puts the host in punycode', () => {
    expect(canonicalUrl('https://新闻.中国/头条')).toBe('https://xn--efvy88h.xn--fiqs8s/%E5%A4%B4%E6%9D%A1');
  });

  it('resolves relative URLs against a base', () => {
    expect(canonicalUrl('../b/c?x=1', 'https://example.com/a/feed.xml')).toBe('https://example.com/b/c?x=1');
    expect(canonicalUrl('//cdn.example.com/x', 'https://example.com/')).toBe('https://cdn.example.com/x');
  });

  it('removes tracking parameters and sorts the rest', () => {
    expect(
      canonicalUrl('https://example.com/a?utm_source=x&b=2&UTM_Medium=y&a=1&fbclid=z&gclid=q&spm=a.b&a=0'),
    ).toBe('https://example.com/a?a=1&a=0&b=2');
    expect(canonicalUrl('https://mp.weixin.qq.com/s?__biz=M&mid=1&from=singlemessage&isappinstalled=0')).toBe(
      'https://mp.weixin.qq.com/s?__biz=M&mid=1',
    );
    expect(canonicalUrl('https://example.com/list?from=20')).toBe('https://example.com/list?from=20');
  });

  it('drops an empty query and keeps the encoding of values', () => {
    expect(canonicalUrl('https://example.com/a?')).toBe('https://example.com/a');
    expect(canonicalUrl('https://example.com/a?utm_source=x')).toBe('https://example.com/a');
    expect(canonicalUrl('https://example.com/a?q=a%20b&&p=c+d')).toBe('https://example.com/a?p=c+d&q=a%20b');
  });

  it('is idempotent', () => {
    const once = canonicalUrl('HTTP://Example.com:80/x/../y?b=1&a=2&utm_id=3#f');
    expect(once).toBe('http://example.com/y?a=2&b=1');
    expect(canonicalUrl(once)).toBe(once);
  });

  it('refuses unparsable and non-http URLs', () => {
    for (const bad of [
      '',
      'not a url',
      'ftp://example.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      '/relative',
    ]) {
      expect(() => canonicalUrl(bad), bad).toThrow(NewsrelayError);
      try {
        canonicalUrl(bad);
      } catch (err) {
        expect((err as NewsrelayError).code).toBe('url_invalid');
      }
    }
  });

  it('does not put credentials in its error messages', () => {
    expect(() => canonicalUrl('ftp://user:hunter2@example.com/')).toThrow(/^(?!.*hunter2)/);
  });
});

describe('isHttpUrl', () => {
  it('accepts absolute http(s) URLs only', () => {
    expect(isHttpUrl('https://example.com/feed')).toBe(true);
    expect(isHttpUrl('http://127.0.0.1:8080/')).toBe(true);
    expect(isHttpUrl('ftp://example.com/')).toBe(false);
    expect(isHttpUrl('/feed.xml')).toBe(false);
    expect(isHttpUrl('example.com')).toBe(false);
  });
});

describe('redactUrl', () => {
  it('strips userinfo', () => {
    expect(redactUrl('https://user:secret@example.com/a')).toBe('https://example.com/a');
    expect(redactUrl('https://example.com/a')).toBe('https://example.com/a');
    expect(redactUrl('weird://user:secret@host name/')).toBe('weird://host name/');
  });
});

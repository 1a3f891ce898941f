import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  renderMessage,
  TELEGRAM_TEXT_LIMIT,
  truncate,
} from '../../adapters/telegram/telegram-renderer.ts';
import type { OutgoingMessage } from '../../src/domain/types.ts';
import { parseTelegramHtml } from '../fakes/telegram-html-validator.ts';

describe('telegram renderer', () => {
  it('splits long digests under 4,096 at line boundaries into valid HTML, escaping everything', () => {
    const items = Array.from({ length: 60 }, (_, i) => ({
      articleId: `a${i}`,
      title: `😀標題 ${i} <b>&amp; "quoted" ${'長'.repeat(400)}`,
      url: `https://example.com/${i}?a=1&b="2"`,
      sourceName: 'S & <T>',
      publishedAt: new Date().toISOString(),
      alsoReportedBy: i % 2 ? ['Other <x>'] : [],
    }));
    const msg: OutgoingMessage = {
      kind: 'digest',
      locale: 'en',
      heading: 'Digest <1>',
      groups: [{ sourceName: 'S & <T>', items }],
      threadId: null,
      timezone: 'UTC',
    };
    const parts = renderMessage(msg);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      const parsed = parseTelegramHtml(p, true);
      expect(parsed.ok).toBe(true);
    }
    expect(parts.join('\n').match(/<a href=/g)).toHaveLength(60);
  });

  it('escapes each of & < > " wherever they stand, and leaves text without them as it is', () => {
    expect(escapeHtml('a & b < c > d "e" &amp;')).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &amp;amp;');
    expect(escapeHtml('<<>>""&&')).toBe('&lt;&lt;&gt;&gt;&quot;&quot;&amp;&amp;');
    expect(escapeHtml("標題 'single' 😀")).toBe("標題 'single' 😀");
    expect(escapeHtml('')).toBe('');
  });

  it('cuts to code points, never inside a surrogate pair, and keeps what fits whole', () => {
    expect(truncate('新聞', 2)).toBe('新聞');
    expect(truncate('新聞標題', 3)).toBe('新聞…');
    // Four code points in eight code units: longer than the bound in units, within it in points.
    expect(truncate('😀😀😀😀', 4)).toBe('😀😀😀😀');
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncate('a😀b', 2)).toBe('a…');
  });
});

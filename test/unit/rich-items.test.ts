/**
 * Richer items (docs/decisions/0012-item-formats.md): the lead image and one-line summary an
 * article keeps, from feeds as sites write them and as attackers do, and the caption and embed
 * limits the adapters render them within.
 */
import { describe, expect, it } from 'vitest';
import { renderOutgoing } from '../../adapters/discord/outgoing-embeds.ts';
import {
  renderMessage,
  renderPhoto,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_TEXT_LIMIT,
  visibleLength,
} from '../../adapters/telegram/telegram-renderer.ts';
import { parseItemFormat, parsePreviews, parseSubscriptionFormat } from '../../src/chats/chat-rules.ts';
import { ITEM_SUMMARY_CHARS, itemExtras } from '../../src/digest/item-format.ts';
import type { DigestItem, OutgoingMessage } from '../../src/domain/types.ts';
import { UserError } from '../../src/errors.ts';
import { buildArticle } from '../../src/ingest/article-builder.ts';
import { parseFeed } from '../../src/ingest/feed-parser.ts';
import { imgSources, leadImage, MAX_IMAGE_URL_CHARS, safeImageUrl } from '../../src/ingest/lead-image.ts';
import type { ParsedEntry } from '../../src/ingest/parsed-feed.ts';
import { clipGraphemes } from '../../src/text/clip-text.ts';

const FEED_URL = 'https://site.example/feed.xml';
const MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"';

/** The first entry of an RSS document with `items` inside its channel, built into an article. */
function article(itemXml: string) {
  const feed = parseFeed(
    `<?xml version="1.0"?><rss version="2.0" ${MEDIA}><channel><title>T</title>${itemXml}</channel></rss>`,
    {
      baseUrl: FEED_URL,
    },
  );
  const built = buildArticle(feed.entries[0]!, 'src1', FEED_URL, new Date('2026-12-03T06:00:00Z'));
  if (!built) throw new Error('no article');
  return built.article;
}

const entry = (over: Partial<ParsedEntry>): ParsedEntry => ({
  title: 't',
  link: 'https://site.example/a',
  id: null,
  summary: null,
  content: null,
  author: null,
  published: null,
  updated: null,
  enclosures: [],
  thumbnails: [],
  ...over,
});

describe('lead image', () => {
  it('takes media:thumbnail, then media:content images, then image enclosures, then the first <img>', () => {
    expect(
      article(
        `<item><title>A</title><link>https://site.example/a</link><media:thumbnail url="https://img.example/t.jpg"/><enclosure url="https://img.example/e.jpg" type="image/jpeg"/></item>`,
      ).imageUrl,
    ).toBe('https://img.example/t.jpg');
    expect(
      article(
        `<item><title>A</title><link>https://site.example/a</link><media:content url="https://img.example/m.png" medium="image"/></item>`,
      ).imageUrl,
    ).toBe('https://img.example/m.png');
    expect(
      article(
        `<item><title>A</title><link>https://site.example/a</link><enclosure url="https://cdn.example/audio.mp3" type="audio/mpeg"/><enclosure url="https://img.example/e.jpg" type="image/jpeg"/></item>`,
      ).imageUrl,
    ).toBe('https://img.example/e.jpg');
    expect(
      article(
        `<item><title>A</title><link>https://site.example/a</link><description><![CDATA[<p>Lead <IMG class="x" SRC='/pics/1.jpg?a=1&amp;b=2'> text</p>]]></description></item>`,
      ).imageUrl,
    ).toBe('https://site.example/pics/1.jpg?a=1&b=2');
  });

  it('keeps no javascript:, data:, credentialed, relative-without-base or over-long URL', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:image/png;base64,AAAA',
      'ftp://img.example/a.jpg',
      'https://user:pw@img.example/a.jpg',
      'https://img.example/a b.jpg',
      'https://img.example/a\u0000.jpg',
      `https://img.example/${'a'.repeat(10_000)}.jpg`,
      'https://',
    ])
      expect(safeImageUrl(bad, 'https://site.example/'), bad).toBeNull();
    expect(safeImageUrl('/a.jpg', null)).toBeNull();
    expect(safeImageUrl('/a.jpg', 'https://site.example/x/')).toBe('https://site.example/a.jpg');
    const longest = `https://img.example/${'a'.repeat(MAX_IMAGE_URL_CHARS - 24)}.jpg`;
    expect(longest.length).toBe(MAX_IMAGE_URL_CHARS);
    expect(safeImageUrl(longest, null)).toBe(longest);
  });

  it('skips a hostile candidate for the next safe one, and gives null when none is safe', () => {
    expect(
      leadImage(
        entry({
          thumbnails: ['javascript:alert(1)', `https://img.example/${'x'.repeat(10_000)}`],
          content: '<img src="data:image/gif;base64,R0lG"><img src="https://img.example/ok.jpg">',
        }),
        FEED_URL,
      ),
    ).toBe('https://img.example/ok.jpg');
    expect(
      leadImage(entry({ content: '<p>no picture</p>', thumbnails: ['javascript:x'] }), FEED_URL),
    ).toBeNull();
  });

  it('finds an image inside nested CDATA and reads a pathological tag soup in linear time', () => {
    const nested = article(
      `<item><title>N</title><link>https://site.example/n</link><description><![CDATA[<div><![CDATA[x]]]]><![CDATA[><img src="https://img.example/nested.jpg"></div>]]></description></item>`,
    );
    expect(nested.imageUrl).toBe('https://img.example/nested.jpg');
    const started = performance.now();
    expect(imgSources(`${'<img'.repeat(25_000)}<img src="https://img.example/a.jpg">`)).toEqual([
      'https://img.example/a.jpg',
    ]);
    // Tags without a source, without an end: only the first few are read, each only so far.
    expect(imgSources(`${'<img alt="x" '.repeat(25_000)}<img src="https://img.example/late.jpg">`)).toEqual(
      [],
    );
    expect(imgSources(`<img\tsrc=https://img.example/u.jpg>`)).toEqual(['https://img.example/u.jpg']);
    // A `>` inside a quoted attribute does not end the tag.
    expect(imgSources(`<img alt="a>b" src='https://img.example/q.jpg'>`)).toEqual([
      'https://img.example/q.jpg',
    ]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('one-line summary', () => {
  it('strips markup, collapses whitespace and cuts on a user-perceived character', () => {
    const a = article(
      `<item><title>标题</title><link>https://site.example/s</link><description><![CDATA[<p>第一段\n\n  <b>粗体</b></p><script>x</script>]]></description></item>`,
    );
    expect(a.summary).toBe('第一段 粗体 x');
    const family = '👨‍👩‍👧‍👦';
    const clipped = clipGraphemes(
      `${'字'.repeat(ITEM_SUMMARY_CHARS - 2)}${family.repeat(3)}`,
      ITEM_SUMMARY_CHARS,
    );
    // A family emoji is seven code points and one character: kept whole or not at all.
    expect(clipped).toBe(`${'字'.repeat(ITEM_SUMMARY_CHARS - 2)}${family}…`);
    expect([...new Intl.Segmenter().segment(clipped)]).toHaveLength(ITEM_SUMMARY_CHARS);
    expect(clipGraphemes('e\u0301'.repeat(300), 10)).toBe(`${'e\u0301'.repeat(9)}…`);
    expect(clipGraphemes('short', 10)).toBe('short');
  });

  it('adds summary and image by format, in the chat script, and leaves out a summary that repeats the title', () => {
    const a = { title: '台灣新聞', summary: `${'發展'.repeat(300)}`, imageUrl: 'https://img.example/a.jpg' };
    expect(itemExtras(a, 'titles', 'hans')).toEqual({});
    const s = itemExtras(a, 'summary', 'hans');
    expect(s.format).toBe('summary');
    expect(s.summary?.startsWith('发展发展')).toBe(true);
    expect([...(s.summary ?? '')]).toHaveLength(ITEM_SUMMARY_CHARS);
    expect(s.imageUrl).toBe('https://img.example/a.jpg');
    expect(itemExtras({ ...a, summary: '台灣新聞' }, 'full', 'original')).toEqual({
      format: 'full',
      imageUrl: 'https://img.example/a.jpg',
    });
  });
});

describe('format and previews values', () => {
  it('reads formats and on/off in English and Chinese, and refuses anything else with its usage', () => {
    expect(parseItemFormat(' Summary ')).toBe('summary');
    expect(parseItemFormat('完整')).toBe('full');
    expect(parseSubscriptionFormat('default')).toBeNull();
    expect(parsePreviews('开')).toBe(true);
    expect(parsePreviews('OFF')).toBe(false);
    for (const [fn, value, key] of [
      [parseItemFormat, 'pictures', 'format.invalid'],
      [parseItemFormat, '', 'format.usage'],
      [parsePreviews, 'maybe', 'previews.invalid'],
    ] as const) {
      try {
        fn(value);
        throw new Error(`accepted ${value}`);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        expect((err as UserError).key).toBe(key);
      }
    }
  });
});

const item = (over: Partial<DigestItem>): DigestItem => ({
  articleId: 'a1',
  title: 'Title',
  url: 'https://site.example/a',
  sourceName: 'Src',
  publishedAt: '2026-12-03T06:00:00.000Z',
  alsoReportedBy: [],
  ...over,
});

const message = (kind: OutgoingMessage['kind'], items: DigestItem[]): OutgoingMessage => ({
  kind,
  locale: 'en',
  heading: 'New from Src',
  groups: [{ sourceName: 'Src', items }],
  threadId: null,
  timezone: 'UTC',
});

describe('rendering within platform limits', () => {
  it('fits a photo caption in 1,024 characters, escaped, however long title and summary are', () => {
    const hostile = '<b>&amp;"'.repeat(400);
    const photo = renderPhoto(
      message('instant', [
        item({ title: hostile, summary: hostile, format: 'full', imageUrl: 'https://img.example/a.jpg' }),
      ]),
    );
    expect(photo?.photo).toBe('https://img.example/a.jpg');
    expect(visibleLength(photo!.caption)).toBeLessThanOrEqual(TELEGRAM_CAPTION_LIMIT);
    expect(photo!.caption).toContain('&lt;b&gt;&amp;amp;&quot;');
    expect(photo!.caption).not.toContain('<b>&amp;"');
    expect(
      renderPhoto(message('instant', [item({ format: 'summary', imageUrl: 'https://img.example/a.jpg' })])),
    ).toBeNull();
    expect(
      renderPhoto(message('digest', [item({ format: 'full', imageUrl: 'https://img.example/a.jpg' })])),
    ).toBeNull();
  });

  it('keeps each digest title with its summary in one part under 4,096', () => {
    const items = Array.from({ length: 30 }, (_, i) =>
      item({ title: `T${i} ${'题'.repeat(290)}`, summary: `S${i} ${'要'.repeat(195)}`, format: 'summary' }),
    );
    const parts = renderMessage(message('digest', items));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    for (let i = 0; i < 30; i++)
      expect(
        parts.some((p) => p.includes(`T${i} `) && p.includes(`S${i} `)),
        `item ${i}`,
      ).toBe(true);
  });

  it('gives Discord a thumbnail for summary, an image for full, the source as author and a timestamp', () => {
    const [summary] = renderOutgoing(
      message('instant', [
        item({ summary: 'One line', format: 'summary', imageUrl: 'https://img.example/a.jpg' }),
      ]),
    );
    expect(summary?.embeds[0]).toMatchObject({
      description: 'One line',
      author: { name: 'Src' },
      timestamp: '2026-12-03T06:00:00.000Z',
      thumbnail: { url: 'https://img.example/a.jpg' },
    });
    const [full] = renderOutgoing(
      message('instant', [item({ summary: '*x*', format: 'full', imageUrl: 'https://img.example/a.jpg' })]),
    );
    expect(full?.embeds[0]).toMatchObject({
      description: '\\*x\\*',
      image: { url: 'https://img.example/a.jpg' },
    });
    expect(full?.embeds[0]?.thumbnail).toBeUndefined();
  });
});

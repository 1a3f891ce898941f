import { Parser } from 'htmlparser2';

/** One feed of an OPML document. */
export interface OpmlFeed {
  url: string;
  title: string | null;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An OPML 2.0 document listing `feeds`. */
export function buildOpml(title: string, feeds: readonly OpmlFeed[]): string {
  const outlines = feeds
    .map((f) => {
      const text = escapeXml(f.title ?? f.url);
      return `    <outline type="rss" text="${text}" title="${text}" xmlUrl="${escapeXml(f.url)}"/>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">\n  <head><title>${escapeXml(title)}</title></head>\n  <body>\n${outlines}\n  </body>\n</opml>\n`;
}

/** The feeds of an OPML document (outlines with an `xmlUrl`, at any depth); null when it is not OPML. */
export function parseOpml(xml: string): OpmlFeed[] | null {
  const feeds: OpmlFeed[] = [];
  let sawOpml = false;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const tag = name.toLowerCase();
        if (tag === 'opml') sawOpml = true;
        if (tag !== 'outline') return;
        const lower = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k.toLowerCase(), v]));
        const url = lower.xmlurl?.trim();
        if (url && /^https?:\/\//i.test(url)) feeds.push({ url, title: lower.title ?? lower.text ?? null });
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return sawOpml ? feeds : null;
}

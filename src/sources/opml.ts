import { parseDocument } from 'htmlparser2';
import { NewsrelayError } from '../errors.ts';

/** A feed listed in an OPML file. */
export interface OpmlFeed {
  url: string;
  title: string | null;
}

interface Node {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: Node[];
}

/** Read the feeds (`<outline xmlUrl=…>`, nested at any depth) of an OPML document. */
export function parseOpml(xml: string): OpmlFeed[] {
  const root = parseDocument(xml, { xmlMode: true, decodeEntities: true }) as unknown as Node;
  const hasOpml = (root.children ?? []).some((c) => c.type === 'tag' && c.name?.toLowerCase() === 'opml');
  if (!hasOpml) throw new NewsrelayError('bad_input', 'The file is not OPML (no <opml> element)');
  const feeds: OpmlFeed[] = [];
  const seen = new Set<string>();
  const walk = (n: Node): void => {
    if (n.type === 'tag' && n.name?.toLowerCase() === 'outline') {
      const a = lowerKeys(n.attribs ?? {});
      const url = (a.xmlurl ?? '').trim();
      if (url && /^https?:\/\//i.test(url) && !seen.has(url)) {
        seen.add(url);
        feeds.push({ url, title: (a.title ?? a.text ?? '').trim() || null });
      }
    }
    for (const c of n.children ?? []) walk(c);
  };
  walk(root);
  return feeds;
}

/** Write an OPML 2.0 document listing feeds. */
export function toOpml(
  title: string,
  feeds: ReadonlyArray<{ url: string; title: string }>,
  now = new Date(),
): string {
  const lines = feeds.map(
    (f) => `    <outline type="rss" text="${esc(f.title)}" title="${esc(f.title)}" xmlUrl="${esc(f.url)}"/>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${esc(title)}</title>`,
    `    <dateCreated>${now.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
    ...lines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}

function lowerKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

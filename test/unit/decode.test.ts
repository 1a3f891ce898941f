import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeDocument } from '../../src/ingest/decode.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/feeds');
const fixture = (name: string) => readFileSync(path.join(fixtures, name));

describe('decodeDocument', () => {
  it('decodes a GBK feed that declares gb2312 (with GBK-only characters) as gb18030', () => {
    const doc = decodeDocument(fixture('gbk-mainland.rss.xml'), { contentType: 'application/rss+xml' });
    expect(doc.encoding).toBe('gb18030');
    expect(doc.text).toContain('美官员:巴勒斯坦总统和80名巴方官员美国签证被吊销');
    expect(doc.text).toContain('朱镕基、陶喆');
  });

  it('decodes GB18030 four-byte sequences', () => {
    const text =
      '<?xml version="1.0" encoding="GB18030"?><rss><channel><title>㐀𠀀㗎 上合组织</title></channel></rss>';
    const doc = decodeDocument(iconv.encode(text, 'gb18030'), {});
    expect(doc.encoding).toBe('gb18030');
    expect(doc.text).toBe(text);
  });

  it('decodes Big5 with Big5-HKSCS characters and reports big5', () => {
    const doc = decodeDocument(fixture('big5-hk.rss.xml'), {});
    expect(doc.encoding).toBe('big5');
    expect(doc.text).toContain('李家超參觀香港抗戰及海防博物館');
    expect(doc.text).toContain('冇嘢好講，真係唔啱㗎');
  });

  it('recognises UTF-8 without any charset declaration', () => {
    const doc = decodeDocument(fixture('utf8-nocharset.rss.xml'), { contentType: 'text/xml' });
    expect(doc.encoding).toBe('utf-8');
    expect(doc.text).toContain('墨西哥总统将会见美国国务卿');
  });

  it('detects GB18030 statistically when nothing is declared and the bytes are not UTF-8', () => {
    const text = `<rss><channel><title>${'各地各部门积极应对台风影响 全力做好防洪减灾工作 '.repeat(4)}</title></channel></rss>`;
    const doc = decodeDocument(iconv.encode(text, 'gbk'), { contentType: null });
    expect(doc.encoding).toBe('gb18030');
    expect(doc.text).toBe(text);
  });

  it('prefers the meta charset when the header wrongly claims UTF-8', () => {
    const html =
      '<html><head><meta charset="gbk"><title>华夏新闻网</title></head><body>时政快讯丨习近平会见埃及总理</body></html>';
    const doc = decodeDocument(iconv.encode(html, 'gbk'), { contentType: 'text/html; charset=utf-8' });
    expect(doc.encoding).toBe('gb18030');
    expect(doc.text).toBe(html);
  });

  it('reads <meta http-equiv="Content-Type"> and lets the HTTP charset override it', () => {
    const html =
      '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"></head><body>陳國基</body></html>';
    const bytes = iconv.encode(html, 'big5');
    expect(decodeDocument(bytes, {}).encoding).toBe('big5');
    expect(decodeDocument(bytes, {}).text).toBe(html);
    expect(decodeDocument(bytes, { contentType: 'text/html; charset="windows-1252"' }).encoding).toBe(
      'windows-1252',
    );
  });

  it('honours BOMs over declarations', () => {
    const xml = '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><title>年</title></channel></rss>';
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]);
    expect(decodeDocument(utf8, {})).toEqual({ text: xml, encoding: 'utf-8' });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(xml, 'utf-16le')]);
    expect(decodeDocument(le, {})).toEqual({ text: xml, encoding: 'utf-16le' });
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(xml, 'utf-16be')]);
    expect(decodeDocument(be, { contentType: 'text/xml; charset=gbk' })).toEqual({
      text: xml,
      encoding: 'utf-16be',
    });
    const be32 = iconv.encode(xml, 'utf-32be', { addBOM: true });
    expect(decodeDocument(be32, {})).toEqual({ text: xml, encoding: 'utf-32be' });
    const le32 = iconv.encode(xml, 'utf-32le');
    expect(decodeDocument(le32, {})).toEqual({ text: xml, encoding: 'utf-32le' });
  });

  it('decodes windows-1252 curly quotes (Node’s TextDecoder would not) for Latin-1 labels', () => {
    const bytes = Buffer.from([0x3c, 0x61, 0x3e, 0x93, 0x74, 0x80, 0x94, 0x3c, 0x2f, 0x61, 0x3e]);
    const doc = decodeDocument(bytes, { contentType: 'text/xml; charset=iso-8859-1' });
    expect(doc).toEqual({ text: '<a>“t€”</a>', encoding: 'windows-1252' });
  });

  it('never throws on garbage and falls back to UTF-8 with replacement', () => {
    const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) % 256);
    expect(() => decodeDocument(garbage, { contentType: 'text/xml; charset=no-such-charset' })).not.toThrow();
    expect(decodeDocument(new Uint8Array([0xc3]), {})).toEqual({
      text: '\ufffd',
      encoding: 'utf-8',
      replaced: 1,
    });
    expect(decodeDocument(new Uint8Array(), {})).toEqual({ text: '', encoding: 'utf-8' });
  });

  it('reads a truncated UTF-8 feed with a few bad bytes at its end as UTF-8, not windows-1252', () => {
    const items = Array.from(
      { length: 12 },
      (_, i) => `<item><title>美国批准丹麦格陵兰岛协议 第${i}号</title><link>https://x.cn/${i}</link></item>`,
    ).join('');
    const full = Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss><channel>${items}</channel></rss>`);
    // Cut inside a three-byte character of the last item, then junk, as a broken proxy leaves it.
    const cut = full.indexOf(Buffer.from('格陵兰', 'utf8'), full.length - 200) + 4;
    const damaged = Buffer.concat([full.subarray(0, cut), Buffer.from([0xff, 0x00, 0xfe, 0x81])]);
    const doc = decodeDocument(damaged, { contentType: 'application/rss+xml' });
    expect(doc.encoding).toBe('utf-8');
    expect(doc.text).toContain('<title>美国批准丹麦格陵兰岛协议 第0号</title>');
    expect(doc.text).not.toContain('ç¾');
    expect(doc.replaced).toBeGreaterThan(0);
    expect(doc.replaced).toBeLessThanOrEqual(4);
  });

  it('reads UTF-8 with a stray windows-1252 byte in the middle as UTF-8', () => {
    const text = `<rss><channel><title>新闻 ${'中文标题'.repeat(10)}</title><item><title>It\u2019s</title></item></channel></rss>`;
    const bytes = Buffer.from(text.replace('\u2019', '\u0000'), 'utf8');
    bytes[bytes.indexOf(0)] = 0x92;
    const doc = decodeDocument(bytes, {});
    expect(doc.encoding).toBe('utf-8');
    expect(doc.text).toContain('中文标题中文标题');
    expect(doc.text).toContain('It\ufffds');
  });

  it('still reads single-byte text that is not UTF-8 with a single-byte charset', () => {
    const latin = 'Élection présidentielle: les électeurs déçus à Besançon, café fermé, où est-il?';
    const doc = decodeDocument(
      iconv.encode(`<rss><channel><title>${latin}</title></channel></rss>`, 'windows-1252'),
      {
        contentType: 'application/rss+xml; charset=utf-8',
      },
    );
    expect(doc.encoding).not.toBe('utf-8');
    expect(doc.text).toContain('déçus à Besançon');
  });

  it('treats hostile charset labels as unknown instead of throwing', () => {
    const text = '<?xml version="1.0"?><rss><channel><title>新闻</title></channel></rss>';
    const bytes = Buffer.from(text);
    for (const label of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'base64',
      'hex',
      'utf-7',
      'utf16',
      'UCS-2',
    ]) {
      for (const opts of [
        { contentType: `text/xml; charset=${label}` },
        { contentType: `text/xml; charset="${label}"` },
      ]) {
        expect(decodeDocument(bytes, opts), label).toEqual({ text, encoding: 'utf-8' });
      }
      const declared = Buffer.from(text.replace('version="1.0"', `version="1.0" encoding="${label}"`));
      expect(decodeDocument(declared, {}).text, label).toContain('新闻');
      const meta = Buffer.from(`<html><head><meta charset="${label}"><title>新闻</title></head></html>`);
      expect(decodeDocument(meta, {}).text, label).toContain('新闻');
    }
  });

  it('parses Content-Type charset parameters', () => {
    expect(charsetFromContentType("application/rss+xml;charset= 'us-ascii'")).toBe('us-ascii');
    expect(charsetFromContentType('text/xml; charset:iso-8859-1')).toBeNull();
    expect(charsetFromContentType('text/xml;')).toBeNull();
    expect(charsetFromContentType(null)).toBeNull();
  });
});

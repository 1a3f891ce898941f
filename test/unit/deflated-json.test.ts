import { describe, expect, it } from 'vitest';
import { deflateJson, inflateJson } from '../../src/store/deflated-json.ts';

describe('deflateJson', () => {
  const digest = {
    heading: '今日要闻',
    items: Array.from({ length: 30 }, (_, i) => ({
      title: `港铁第${i * 7919}期工程公布`,
      url: `https://e.hk/${i}`,
    })),
  };

  it('round-trips through inflateJson', () => {
    expect(inflateJson(deflateJson(digest), 1 << 20, 'a digest')).toEqual(digest);
  });

  // zlib hands back a view of its 16 kB output chunk: each delivery of a batch in flight held a
  // whole chunk for a digest of 1–4 kB.
  it('holds only its own bytes', () => {
    const bytes = deflateJson(digest);
    expect(bytes.length).toBeLessThan(4096);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
  });
});

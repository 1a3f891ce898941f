import { readFileSync } from 'node:fs';
import { Converter, type OpenCCLocale } from 'opencc-js';
import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/domain/types.ts';
import { convertScript, toSimplified } from '../../src/text/script-converter.ts';

describe('toSimplified', () => {
  it('converts Hong Kong, Taiwan and standard Traditional', () => {
    expect(toSimplified('參觀')).toBe('参观');
    expect(toSimplified('臺灣')).toBe('台湾');
    expect(toSimplified('台灣')).toBe('台湾');
    expect(toSimplified('紀念碑')).toBe('纪念碑');
    expect(toSimplified('李家超參觀香港抗戰及海防博物館')).toBe('李家超参观香港抗战及海防博物馆');
    // HK and TW variant characters
    expect(toSimplified('綫上 線上 裏面 裡面 著手 衞生 峯會')).toBe('线上 线上 里面 里面 着手 卫生 峰会');
  });

  it('leaves Simplified, latin and mixed text alone', () => {
    const simplified = '“上合”人文交流和民间外交情况有哪些亮点?这场吹风会告诉你↓';
    expect(toSimplified(simplified)).toBe(simplified);
    expect(toSimplified('APEC 2025')).toBe('APEC 2025');
    expect(toSimplified('皇后 后来 头发 乾隆 干净')).toBe('皇后 后来 头发 乾隆 干净');
    expect(toSimplified('')).toBe('');
  });
});

describe('convertScript', () => {
  const simplified = '李家超参观香港抗战纪念碑，发布软件信息';

  it('returns the original untouched', () => {
    expect(convertScript(simplified, 'original')).toBe(simplified);
    expect(convertScript('臺灣', 'original')).toBe('臺灣');
  });

  it('converts to Simplified', () => {
    expect(convertScript('臺灣新聞', 'hans')).toBe('台湾新闻');
  });

  it('hant uses Taiwan characters without vocabulary changes', () => {
    expect(convertScript(simplified, 'hant')).toBe('李家超參觀香港抗戰紀念碑，發佈軟件信息');
    expect(convertScript('为 启动 众', 'hant')).toBe('為 啟動 眾');
  });

  it('hant-hk uses Hong Kong characters', () => {
    expect(convertScript('上海合作组织峰会 卫生', 'hant-hk')).toBe('上海合作組織峯會 衞生');
  });

  it('hant-tw also converts phrases', () => {
    expect(convertScript('软件信息 出租车', 'hant-tw')).toBe('軟體資訊 計程車');
  });

  it('re-regionalises Traditional input instead of leaving foreign variants', () => {
    expect(convertScript('綫上峯會', 'hant-tw')).toBe('線上峰會');
    expect(convertScript('衛生峰會', 'hant-hk')).toBe('衞生峯會');
    expect(convertScript('臺灣 頭髮', 'hant')).toBe('臺灣 頭髮');
  });
});

describe('shared dictionary tries', () => {
  // The chains are assembled from tries shared between configurations (decision: one copy of
  // the large Simplified → Traditional tries); they must convert exactly as opencc-js's own
  // converters for the same configurations, on every headline the fixtures hold.
  const ref = (from: OpenCCLocale, to: OpenCCLocale) => Converter({ from, to });
  const tw2t = ref('tw', 't');
  const hk2t = ref('hk', 't');
  const fold = (s: string) => hk2t(tw2t(s));
  const near = JSON.parse(readFileSync('test/fixtures/near-duplicates/pairs.json', 'utf8')) as {
    pairs: Array<{ a: { title: string }; b: { title: string } }>;
  };
  const regional = JSON.parse(readFileSync('test/fixtures/regional/pairs.json', 'utf8')) as Array<{
    query: string;
    headline: string;
  }>;
  const titles = [
    ...near.pairs.flatMap((p) => [p.a.title, p.b.title]),
    ...regional.flatMap((p) => [p.query, p.headline]),
  ];

  it('convert every fixture headline as opencc-js converts it', () => {
    expect(titles.length).toBeGreaterThan(800);
    const [hk2s, s2tw, s2hk, s2twp] = [ref('hk', 'cn'), ref('cn', 'tw'), ref('cn', 'hk'), ref('cn', 'twp')];
    const expected: Record<Exclude<Script, 'original'>, (s: string) => string> = {
      hans: (s) => hk2s(tw2t(s)),
      hant: (s) => s2tw(fold(s)),
      'hant-hk': (s) => s2hk(fold(s)),
      'hant-tw': (s) => s2twp(fold(s)),
    };
    for (const title of titles) {
      for (const [script, convert] of Object.entries(expected)) {
        expect(convertScript(title, script as Script), `${script}: ${title}`).toBe(convert(title));
        // Traditional input too: the same headline as each region would write it.
        const traditional = convert(title);
        expect(convertScript(traditional, 'hans')).toBe(expected.hans(traditional));
      }
    }
  });
});

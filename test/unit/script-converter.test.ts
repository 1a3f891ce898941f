import { describe, expect, it } from 'vitest';
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

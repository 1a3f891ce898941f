import { describe, expect, it } from 'vitest';
import { normaliseForMatch } from '../../src/text/normalise.ts';

describe('normaliseForMatch', () => {
  it('folds width, script and case', () => {
    expect(normaliseForMatch('ＡＢＣ１２３')).toBe('abc123');
    expect(normaliseForMatch('臺灣新聞 APEC')).toBe('台湾新闻 apec');
    expect(normaliseForMatch('峰會，開幕！')).toBe('峰会,开幕!');
  });

  it('turns CJK quotes and brackets into spaces and collapses whitespace', () => {
    expect(normaliseForMatch('“上合”人文交流')).toBe('上合 人文交流');
    expect(normaliseForMatch('「敦仁博物」精神')).toBe('敦仁博物 精神');
    expect(normaliseForMatch('《人民日报》【快讯】')).toBe('人民日报 快讯');
    expect(normaliseForMatch('  a \t\n  b　c ')).toBe('a b c');
  });

  it('gives the same result for both scripts of a headline', () => {
    expect(normaliseForMatch('中央駐港機構瞻仰祭掃香港抗日英烈紀念碑')).toBe(
      normaliseForMatch('中央驻港机构瞻仰祭扫香港抗日英烈纪念碑'),
    );
  });

  it('is idempotent', () => {
    const once = normaliseForMatch('「臺灣」ＡＰＥＣ  峯會');
    expect(normaliseForMatch(once)).toBe(once);
  });
});

import { describe, expect, it } from 'vitest';
import { HEADLINE_KEY_MAX_CHARS, headlineKey } from '../../src/text/headline-key.ts';
import { chineseNumeralValue, tokenizeHeadline } from '../../src/text/headline-tokens.ts';
import { compareHeadlines } from '../../src/text/same-story.ts';

function numbers(title: string): string[] {
  return tokenizeHeadline(headlineKey(title))
    .tokens.filter((t) => t.kind === 'number')
    .map((t) => t.text);
}

describe('headlineKey', () => {
  it('folds script, width, case, quotes and punctuation', () => {
    expect(headlineKey('陳國基:胡鴻烈夫婦改變無數青年命運 引領教育工作者傳承「敦仁博物」精神')).toBe(
      headlineKey('陈国基：胡鸿烈夫妇改变无数青年命运 引领教育工作者传承“敦仁博物”精神'),
    );
    expect(headlineKey('２０２５年ＡＩ大模型')).toBe('2025年ai大模型');
    expect(headlineKey('跨越83年的情谊永不褪色！')).toBe('跨越83年的情谊永不褪色');
  });

  it('drops decorations and news-flash lead-ins, keeps column tags and outlets as labels', () => {
    expect(headlineKey('(有片)屯門啟豐商場火警 濃煙直衝百米半空 - 香港01')).toBe(
      '屯门启丰商场火警 浓烟直冲百米半空|香港01',
    );
    expect(headlineKey('上合组织天津峰会丨新华社快讯：习近平会见联合国秘书长古特雷斯')).toBe(
      '上合组织天津峰会|习近平会见联合国秘书长古特雷斯',
    );
    expect(headlineKey('时政快讯丨习近平会见联合国秘书长古特雷斯')).toBe('习近平会见联合国秘书长古特雷斯');
    expect(headlineKey('【財經拆局】港股牛市還有多遠？（第九集）')).toBe('财经拆局|港股牛市还有多远 第九集');
    expect(headlineKey('【视频】深圳发布暴雨红色预警（图）')).toBe('深圳发布暴雨红色预警');
    expect(headlineKey('突发！深圳发布暴雨红色预警')).toBe('深圳发布暴雨红色预警');
  });

  it('keeps content in brackets and the punctuation of numbers', () => {
    expect(headlineKey('科技感蓝色工作汇报PPT模板（横向）')).toBe('科技感蓝色工作汇报ppt模板 横向');
    expect(headlineKey('科技爱好者周刊：第 101 期')).toBe('科技爱好者周刊:第101期');
    expect(headlineKey('英超：曼城2-1利物浦 沪指涨0.5%')).toBe('英超:曼城2-1利物浦 沪指涨0.5%');
    expect(headlineKey('早报 - 2025-08-30')).toBe('早报|2025-08-30');
  });

  it('is empty for a headline of punctuation only and bounded for a long one', () => {
    expect(headlineKey('↓ …！【】')).toBe('');
    const long = headlineKey('长'.repeat(1000));
    expect(Array.from(long)).toHaveLength(HEADLINE_KEY_MAX_CHARS);
  });
});

describe('headline tokens', () => {
  it('reads Chinese numerals', () => {
    expect(chineseNumeralValue('十五')).toBe(15);
    expect(chineseNumeralValue('二十')).toBe(20);
    expect(chineseNumeralValue('一千万')).toBe(10_000_000);
    expect(chineseNumeralValue('二〇二五')).toBe(2025);
    expect(chineseNumeralValue('三百零五')).toBe(305);
    expect(chineseNumeralValue('两')).toBe(2);
  });

  it('gives one canonical token per number, with its measure word', () => {
    expect(numbers('第十五届全运会')).toEqual(numbers('第15届全运会'));
    expect(numbers('第十五届全运会')).toEqual(['15届']);
    expect(numbers('中国队3比1日本队')).toEqual(['3:1']);
    expect(numbers('中国队3：1日本队')).toEqual(['3:1']);
    expect(numbers('曼城3-1利物浦')).toEqual(['3:1']);
    expect(numbers('入场人次料达百萬')).toEqual(numbers('入场人次料达100万'));
    expect(numbers('10月8日')).toEqual(['10月', '8日']);
    expect(numbers('8月10日')).toEqual(['8月', '10日']);
    expect(numbers('兩名男子被捕 逾千人参加')).toEqual(['2名', '1000人']);
    expect(numbers('二〇二五年 九月一日')).toEqual(['2025年', '9月', '1日']);
    expect(numbers('1.2万人 0.50%')).toEqual(['12000人', '0.5%']);
  });

  it('leaves numeral characters inside words alone', () => {
    for (const title of ['一带一路', '九龙塘', '百分点', '十分重要', '万科', '两地', '三中全会']) {
      expect(numbers(title), title).toEqual([]);
    }
  });
});

describe('compareHeadlines', () => {
  it('says why two headlines differ', () => {
    const why = (a: string, b: string) => compareHeadlines(headlineKey(a), headlineKey(b));
    expect(why('科技爱好者周刊：第 101 期', '科技爱好者周刊：第 102 期')).toEqual({
      same: false,
      reason: 'numbers 101期 / 102期',
    });
    expect(why('美联储9月降息', '美联储9月不降息').reason).toBe('negation 不');
    expect(why('科技感蓝色工作汇报PPT模板（横向）', '科技感蓝色工作汇报PPT模板（竖向）').reason).toBe(
      'substitution 横 / 竖',
    );
    expect(why('特朗普宣布对华加征关税', '特朗普宣布对华加征关税 中方宣布反制').reason).toBe(
      'added clause 中方宣布反制',
    );
    expect(why('', '深圳发布暴雨红色预警').same).toBe(false);
    expect(
      why('习近平会见联合国秘书长古特雷斯 - 新华网', '时政快讯丨习近平会见联合国秘书长古特雷斯').same,
    ).toBe(true);
  });

  it('keeps a dropped outlet label from hiding a differing date', () => {
    expect(compareHeadlines(headlineKey('早报 - 2025-08-30'), headlineKey('早报 - 2025-08-31')).same).toBe(
      false,
    );
    expect(
      compareHeadlines(headlineKey('第一财经早班车 | 2025.08.30'), headlineKey('第一财经早班车 | 2025.08.29'))
        .same,
    ).toBe(false);
  });
});

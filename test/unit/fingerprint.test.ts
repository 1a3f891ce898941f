import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NewsrelayError } from '../../src/errors.ts';
import {
  CANDIDATE_DISTANCE,
  EMPTY_FINGERPRINT,
  fingerprint,
  fingerprintBands,
  hammingDistance,
} from '../../src/text/fingerprint.ts';
import { convertScript } from '../../src/text/script-converter.ts';

const seed = readFileSync('/work/shared/seeds/000_eb0fc7206f7cd6cf.txt', 'utf8');
const lines = seed.split('\n').map((l) => l.trim());
const headlines = [
  lines[0]!,
  '美官员:巴勒斯坦总统和80名巴方官员美国签证被吊销',
  '墨西哥总统将会见美国国务卿 寻求就安全事务等议题达成合作',
  '英国:不邀以色列政府代表团出席伦敦武器装备展',
  '南非成功实施首例机器人辅助供体肾脏切除手术',
  '巴西启动反制相关程序 卢拉说仍愿与美国谈判',
  '修例規定駕駛座最多兩部通訊裝置 陳美寶:明年1月25日起生效',
  '中央駐港機構和駐港中資企業代表瞻仰祭掃香港抗日英烈紀念碑',
  '时政快讯丨习近平会见联合国秘书长古特雷斯',
];

describe('fingerprint', () => {
  it('is 16 hex digits and deterministic', () => {
    const fp = fingerprint(lines[0]!);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint(lines[0]!)).toBe(fp);
    expect(fingerprint('')).toBe(EMPTY_FINGERPRINT);
    expect(fingerprint('↓ …！')).toBe(EMPTY_FINGERPRINT);
  });

  it('gives the same headline in Simplified and Traditional the same fingerprint', () => {
    // Not 'hant-tw': its phrase conversion changes words (程序 → 程式), so that is other wording.
    for (const title of headlines) {
      for (const script of ['hans', 'hant', 'hant-hk'] as const) {
        expect(fingerprint(convertScript(title, script)), `${title} in ${script}`).toBe(fingerprint(title));
      }
    }
    expect(fingerprint('臺灣新聞 ＡＰＥＣ')).toBe(fingerprint('台湾新闻 apec'));
  });

  it('fingerprints the headline, not its outlet, column, decorations or punctuation', () => {
    const fp = fingerprint('习近平会见联合国秘书长古特雷斯');
    for (const variant of [
      '习近平会见联合国秘书长古特雷斯 - 新华网',
      '时政快讯丨习近平会见联合国秘书长古特雷斯',
      '上合组织天津峰会丨新华社快讯：习近平会见联合国秘书长古特雷斯',
      '【视频】习近平会见联合国秘书长古特雷斯（图）',
      '习近平会见联合国秘书长“古特雷斯”！',
    ]) {
      expect(fingerprint(variant), variant).toBe(fp);
    }
  });

  it('separates different stories', () => {
    const fps = headlines.map((h) => fingerprint(h));
    for (let i = 0; i < fps.length; i++) {
      for (let j = i + 1; j < fps.length; j++) {
        expect(hammingDistance(fps[i]!, fps[j]!), `${headlines[i]} / ${headlines[j]}`).toBeGreaterThan(
          CANDIDATE_DISTANCE,
        );
      }
    }
  });
});

describe('hammingDistance', () => {
  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', '0000000000000000')).toBe(0);
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
    expect(hammingDistance('00000000000000ff', '000000000000000f')).toBe(4);
  });

  it('refuses malformed fingerprints', () => {
    expect(() => hammingDistance('xyz', '0000000000000000')).toThrow(NewsrelayError);
  });
});

describe('fingerprintBands', () => {
  it('splits into four 16-bit bands', () => {
    expect(fingerprintBands('0123456789abcdef')).toEqual(['0:0123', '1:4567', '2:89ab', '3:cdef']);
  });

  it('shares a band whenever the distance is at most 3', () => {
    const base = fingerprint(headlines[2]!);
    const flip = (fp: string, bits: number[]): string => {
      let hi = BigInt(`0x${fp}`);
      for (const bit of bits) hi ^= 1n << BigInt(bit);
      return hi.toString(16).padStart(16, '0');
    };
    for (const bits of [[0], [0, 16], [3, 20, 40], [15, 31, 47], [1, 17, 33, 49]]) {
      const other = flip(base, bits);
      expect(hammingDistance(base, other)).toBe(bits.length);
      const shared = fingerprintBands(base).filter((b) => fingerprintBands(other).includes(b));
      if (bits.length <= 3) expect(shared.length).toBeGreaterThan(0);
      else expect(shared).toEqual([]);
    }
  });
});

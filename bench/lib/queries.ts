import { RARE_NAMES } from './gen.ts';

/** Search queries by kind, as readers type them (Simplified, Traditional, names, one character). */
export const CATEGORIES: Record<string, string[]> = {
  common_bigram: ['上海', '合作', '香港', '组织', '峰会', '美国', '发展', '经济', '国际', '记者'],
  rare_name: RARE_NAMES,
  two_terms: ['上海 峰会', '香港 人才', '美国 总统', '合作 组织', '天津 峰会', '经济 发展'],
  traditional: ['經濟', '會見', '峰會', '組織', '香港人才博覽會', '紀念碑', '國際'],
  single_char: ['港'],
};

/** `n` queries cycling through the kinds (`single_char` left out on request). */
export function queryMix(n: number, singleChar = true): Array<{ category: string; q: string }> {
  const cats = Object.keys(CATEGORIES).filter((c) => singleChar || c !== 'single_char');
  return Array.from({ length: n }, (_, i) => {
    const category = cats[i % cats.length]!;
    const list = CATEGORIES[category]!;
    return { category, q: list[Math.floor(i / cats.length) % list.length]! };
  });
}

import { normaliseForMatch } from './src/text/normalise.ts';
import {
  holdsAlternative,
  regionalAlternatives,
  regionalVariants,
  vocabularySize,
} from './src/text/regional-vocabulary.ts';

const t0 = performance.now();
console.log(vocabularySize(), performance.now() - t0);
for (const q of ['信息', '出租车', '特朗普 关税', '悉尼', '软件', '网络', '計程車', '的士', '普京', '川普'])
  console.log(
    q,
    regionalAlternatives(normaliseForMatch(q))
      .map((a) => a.text)
      .join(','),
  );
const cases: [string, string][] = [
  ['软件', '软体动物研究新发现'],
  ['特朗普', '四川普通话大赛'],
  ['出租车', '前线的士兵'],
  ['信息', '台湾资讯科技公司'],
  ['悉尼', '冰糖雪梨的做法'],
  ['悉尼', '雪梨歌剧院'],
  ['尼日尔', '尼日利亚大选'],
  ['软件', '微软软体更新'],
  ['网络', '網路攻擊'],
];
for (const [q, h] of cases) {
  const alts = regionalAlternatives(normaliseForMatch(q)).slice(1);
  const hn = normaliseForMatch(h);
  console.log(
    q,
    h,
    alts.some((a) => hn.includes(a.text) && holdsAlternative(hn, a)),
  );
}
const big = [...new Set([...(function* () {})()])];

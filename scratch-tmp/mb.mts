import { deflateRawSync, inflateRawSync } from 'node:zlib';

const sources = ['新华社', '人民日报', '香港01'];
const msg = {
  kind: 'digest',
  locale: 'zh-Hans',
  heading: '📰 今日新闻摘要',
  threadId: null,
  timezone: 'Asia/Shanghai',
  groups: sources.map((sourceName, s) => ({
    sourceName,
    items: Array.from({ length: 10 }, (_, i) => ({
      articleId: `a-${s}-${i}-${Math.random()}`,
      title: `粤港澳大湾区第${s * 10 + i}项跨境合作措施落地，深港两地企业受惠${Math.random()}`,
      url: `https://news.example.cn/2026/12/03/${s}-${i}-${Math.random()}.html`,
      sourceName,
      publishedAt: new Date().toISOString(),
      alsoReportedBy: [],
      summary: '新华社北京12月3日电 记者从国家发展改革委获悉，粤港澳大湾区建设取得新进展。'.repeat(2),
    })),
  })),
};
const json = JSON.stringify(msg);
const packed = deflateRawSync(json, { level: 1 });
const b64 = packed.toString('base64');
const jobJsonObj = JSON.stringify({ carried: { message: msg } });
const jobJsonB64 = JSON.stringify({ carried: { packed: b64 } });
const jobJsonStr = JSON.stringify({ carried: { json } });
console.log({
  json: Buffer.byteLength(json),
  packed: packed.length,
  b64: b64.length,
  jobObj: Buffer.byteLength(jobJsonObj),
  jobB64: jobJsonB64.length,
  jobStr: Buffer.byteLength(jobJsonStr),
});
const N = 20000;
function time(name: string, f: () => unknown) {
  for (let i = 0; i < 2000; i++) f();
  const t = performance.now();
  for (let i = 0; i < N; i++) f();
  console.log(name, (((performance.now() - t) / N) * 1000).toFixed(1), 'µs');
}
time('obj: parse job', () => JSON.parse(jobJsonObj));
time('b64: parse job + b64 + inflate + parse', () => {
  const d = JSON.parse(jobJsonB64);
  return JSON.parse(
    inflateRawSync(Buffer.from(d.carried.packed, 'base64'), { maxOutputLength: 1 << 24 }).toString('utf8'),
  );
});
time('b64: inflate only', () => inflateRawSync(packed));
time('str: parse job + parse', () => {
  const d = JSON.parse(jobJsonStr);
  return JSON.parse(d.carried.json);
});
time('deflate', () => deflateRawSync(json, { level: 1 }));

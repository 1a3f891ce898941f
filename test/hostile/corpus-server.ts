/**
 * Serves the hostile corpus from its own process, so that building and sending its documents
 * (tens of megabytes, compression bombs, all built before it listens) neither stalls nor fills
 * the process under test:
 * `node --import tsx test/hostile/corpus-server.ts` prints the site's URL as its first line
 * and serves until it is sent SIGTERM. Each case answers at `/<name>` (its answers in turn, the
 * last repeating) and its extra routes at `/<name>/<key>`.
 */
import { startNewsSite } from '../fakes/news-site.ts';
import { buildCorpus } from './corpus.ts';
import { buildBodiesEagerly } from './serve.ts';

buildBodiesEagerly();
const corpus = buildCorpus();
const site = await startNewsSite();
for (const c of corpus) {
  let served = 0;
  site.route(`/${c.name}`, (req, res) => c.answers[Math.min(served++, c.answers.length - 1)]!(req, res));
  for (const [key, serve] of Object.entries(c.extra ?? {})) site.route(`/${c.name}/${key}`, serve);
}
process.stdout.write(`${site.url}\n`);
process.on('SIGTERM', () => {
  void site.close().finally(() => process.exit(0));
});

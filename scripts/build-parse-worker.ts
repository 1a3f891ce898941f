/**
 * Builds the parse workers' JavaScript module (src/ingest/parse-worker-module.ts) ahead of time,
 * for installations whose service user cannot write `node_modules` (the Docker image); fails
 * when it cannot be built. Run as `node --import tsx scripts/build-parse-worker.ts`.
 */
import { fileURLToPath } from 'node:url';
import { parseWorkerModule } from '../src/ingest/parse-worker-module.ts';

const module = await parseWorkerModule();
if (module.kind !== 'built') {
  process.stderr.write(`build-parse-worker: ${module.reason ?? 'not built'}\n`);
  process.exit(1);
}
process.stdout.write(`${fileURLToPath(module.url)}\n`);

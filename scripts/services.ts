/**
 * `npm run services`: make sure a MongoDB-compatible server and Redis accept connections.
 * Idempotent; exits 0 once both answer (see src/local-services.ts).
 */
import { loadConfig } from '../src/config/config.ts';
import { ensureLocalServices } from '../src/local-services.ts';

try {
  await ensureLocalServices(loadConfig());
  process.exit(0);
} catch (err) {
  process.stderr.write(`services: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

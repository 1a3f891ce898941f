/**
 * `npm run services`: make sure a MongoDB-compatible server and Redis accept connections.
 * Idempotent; exits 0 once both answer. With MONGODB_URI / REDIS_URL unset it starts local
 * ones; set, it waits for them up to SERVICES_WAIT and exits 1 (see src/local-services.ts).
 */
import { explicitKeys, loadConfig } from '../src/config/config.ts';
import { ensureLocalServices, planLocalServices } from '../src/local-services.ts';

try {
  await ensureLocalServices(planLocalServices(loadConfig(), explicitKeys()));
  process.exit(0);
} catch (err) {
  process.stderr.write(`services: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

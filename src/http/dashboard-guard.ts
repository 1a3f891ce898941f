/**
 * Access to the queue dashboard: behind DASHBOARD_TOKEN (HTTP Basic auth, any user name and the
 * token as password, so a browser prompts; or `Authorization: Bearer <token>` for scripts). Without
 * a token it is open on a loopback HTTP_HOST (a developer's machine) and absent (404) otherwise.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { Config } from '../config/config.ts';
import { registerSecrets } from '../log.ts';

/** Where the dashboard is mounted. */
export const DASHBOARD_PATH = '/dashboard';

/** How the dashboard is reachable: not at all, without credentials, or with the token. */
export type DashboardAccess = { mode: 'off' } | { mode: 'open' } | { mode: 'token'; token: string };

/** True when `host` binds the loopback interface only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (!ipaddr.isValid(bare)) return false;
  const addr = ipaddr.process(bare);
  return addr.range() === 'loopback';
}

/** Decide the dashboard's access from the configuration. */
export function dashboardAccess(config: Pick<Config, 'DASHBOARD_TOKEN' | 'HTTP_HOST'>): DashboardAccess {
  if (config.DASHBOARD_TOKEN) return { mode: 'token', token: config.DASHBOARD_TOKEN };
  return isLoopbackHost(config.HTTP_HOST) ? { mode: 'open' } : { mode: 'off' };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The password of a Basic or the token of a Bearer Authorization header, or null. */
function presentedSecret(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(Basic|Bearer)\s+(\S+)\s*$/i.exec(header);
  if (!m?.[2]) return null;
  if (m[1]?.toLowerCase() === 'bearer') return m[2];
  const decoded = Buffer.from(m[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/** An onRequest hook that answers 401 unless the request carries `token`. */
export function tokenGuard(token: string): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = digest(token);
  return async (req, reply) => {
    const presented = presentedSecret(req.headers.authorization);
    // Compare digests: equal lengths for timingSafeEqual, and no length leak.
    if (presented !== null && timingSafeEqual(digest(presented), expected)) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Basic realm="newsrelay dashboard", charset="UTF-8"')
      .send({ error: 'unauthorized' });
  };
}

/**
 * Mount the dashboard under {@link DASHBOARD_PATH} in its own scope, behind the guard that
 * {@link dashboardAccess} decides; `mount` registers the dashboard's routes (bull-board lives in
 * jobs/). Returns the access mode, `off` meaning nothing was mounted.
 */
export async function mountDashboard(
  app: FastifyInstance,
  config: Pick<Config, 'DASHBOARD_TOKEN' | 'HTTP_HOST'>,
  mount: (scope: FastifyInstance, basePath: string) => Promise<void>,
): Promise<DashboardAccess> {
  const access = dashboardAccess(config);
  if (access.mode === 'off') return access;
  if (access.mode === 'token') registerSecrets([access.token]);
  await app.register(async (scope) => {
    if (access.mode === 'token') scope.addHook('onRequest', tokenGuard(access.token));
    await mount(scope, DASHBOARD_PATH);
  });
  return access;
}

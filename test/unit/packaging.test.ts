/**
 * What operators run, checked without Docker: docker-compose.yml, the Dockerfile, .env.example
 * and the GitHub workflow parse, name only variables the config schema knows, and do what the
 * README says (three roles, Redis noeviction + AOF, the README's test command).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../src/config/config.ts';
import { isLoopbackHost } from '../../src/http/dashboard-guard.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const known = new Set<string>(CONFIG_KEYS);

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown };
}

interface Workflow {
  on?: unknown;
  jobs: Record<
    string,
    {
      services?: Record<string, { image: string }>;
      env?: Record<string, string>;
      steps: Array<{ run?: string; uses?: string }>;
    }
  >;
}

const composeText = read('docker-compose.yml');
// Compose resolves YAML merge keys (`<<: *newsrelay`); so does the parser here.
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const newsrelay = Object.entries(services).filter(([, s]) => s.build !== undefined);
const asArgs = (command: ComposeService['command']) =>
  Array.isArray(command) ? command : (command ?? '').split(/\s+/).filter(Boolean);
const envOf = (s: ComposeService) =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

/** `NAME=value` and `# NAME=value` lines of .env.example, in order. */
function envExample(): Array<[string, string]> {
  return read('.env.example')
    .split('\n')
    .flatMap((line) => {
      const m = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      return m ? [[m[1] ?? '', (m[2] ?? '').trim()] as [string, string]] : [];
    });
}

/** The command the README's "Two commands" gives for running the tests. */
function readmeTestCommand(): string {
  const m = /&&\s*(npm [^#\n]*?)\s+#\s*run the tests/.exec(read('README.md'));
  if (!m?.[1]) throw new Error('README has no "# run the tests" command');
  return m[1];
}

describe('docker-compose.yml', () => {
  it('runs MongoDB 8, and Redis 7 with noeviction and AOF on', () => {
    expect(services.mongodb?.image).toMatch(/^mongo:8(\b|$)/);
    expect(services.redis?.image).toMatch(/^redis:7(\b|$)/);
    const args = asArgs(services.redis?.command).join(' ');
    expect(args).toMatch(/--maxmemory-policy noeviction\b/);
    expect(args).toMatch(/--appendonly yes\b/);
    expect(services.mongodb?.healthcheck?.test).toBeDefined();
    expect(services.redis?.healthcheck?.test).toBeDefined();
  });

  it('runs newsrelay as scheduler, worker and bot, each a `serve --role`', () => {
    const roles = newsrelay.map(([, s]) => {
      const args = asArgs(s.command);
      expect(args.slice(0, 2)).toEqual(['serve', '--role']);
      return args[2];
    });
    expect(roles.sort()).toEqual(['bot', 'scheduler', 'worker']);
  });

  it('gives newsrelay only schema variables, valid together, reaching the compose databases', () => {
    for (const [name, s] of newsrelay) {
      const env = envOf(s);
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
      const config = loadConfig(env);
      expect(isLoopbackHost(config.HTTP_HOST), `${name} HTTP_HOST`).toBe(false);
      expect(new URL(config.MONGODB_URI).hostname).toBe('mongodb');
      expect(new URL(config.REDIS_URL).hostname).toBe('redis');
      expect(s.depends_on).toMatchObject({
        mongodb: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('interpolates only schema variables', () => {
    const names = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    expect(names.filter((n) => !known.has(n ?? ''))).toEqual([]);
  });
});

describe('.env.example', () => {
  const entries = envExample();

  it('names every schema variable once, and nothing else', () => {
    const names = entries.map(([k]) => k);
    expect(names.filter((k) => !known.has(k))).toEqual([]);
    expect(CONFIG_KEYS.filter((k) => !names.includes(k))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('its example values are a valid configuration', () => {
    expect(() => loadConfig(Object.fromEntries(entries))).not.toThrow();
  });

  it('sets nothing when copied to .env: every variable line is commented out', () => {
    // A set MONGODB_URI / REDIS_URL stops `serve` from starting local servers (decision 0003).
    const active = read('.env.example')
      .split('\n')
      .filter((l) => /^\s*[A-Z][A-Z0-9_]*=/.test(l));
    expect(active).toEqual([]);
  });
});

describe('README', () => {
  it('the configuration table names every schema variable', () => {
    const table = read('README.md')
      .split('\n')
      .filter((l) => /^\| [A-Z]/.test(l))
      .map((l) => l.split('|')[1] ?? '')
      .join(' ');
    expect(CONFIG_KEYS.filter((k) => !new RegExp(`\\b${k}\\b`).test(table))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const lines = text.split('\n');
  const lastStage = text.slice(text.lastIndexOf('\nFROM '));

  it('is multi-stage and runs the tsx entry as a non-root user', () => {
    expect(lines.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    const user = /^USER\s+(\S+)/m.exec(lastStage)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(lastStage).toMatch(/^ENTRYPOINT \["node", "bin\/newsrelay\.js"\]/m);
    expect(lastStage).toMatch(/^CMD \["serve"\]/m);
    expect(JSON.parse(read('package.json')).dependencies).toHaveProperty('tsx');
  });

  it('builds the parse workers’ module before it switches to the service user, with a script that works', () => {
    const build = lastStage.indexOf('RUN node --import tsx scripts/build-parse-worker.ts');
    expect(build).toBeGreaterThan(0);
    expect(build).toBeLessThan(lastStage.indexOf('\nUSER '));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-parse-worker.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(run.stdout.trim())).toBe(true);
  });

  it('binds every interface and checks /readyz on HTTP_PORT', () => {
    expect(lastStage).toMatch(/HTTP_HOST=0\.0\.0\.0/);
    expect(lastStage).toMatch(/^HEALTHCHECK .*\n?.*\/readyz/m);
    expect(lastStage).toMatch(/process\.env\.HTTP_PORT/);
    const env = Object.fromEntries(
      [...lastStage.matchAll(/\b([A-Z][A-Z0-9_]*)=(\S+)/g)]
        .filter((m) => m[1] !== 'NODE_ENV')
        .map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
  });

  it('copies only files that exist, and the build context leaves secrets and data out', () => {
    const sources = lines
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from='))
      .flatMap((l) =>
        l
          .replace(/^COPY\s+/, '')
          .split(/\s+/)
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) expect(existsSync(path.join(root, s)), s).toBe(true);
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['.env', '.data', 'node_modules', '.git']) expect(ignored).toContain(p);
  });
});

describe('.github/workflows/test.yml', () => {
  const workflow = parse(read('.github/workflows/test.yml')) as Workflow;
  const jobs = Object.values(workflow.jobs);

  it('runs the README test command after the same steps as .ci/run', () => {
    const ciSteps = read('.ci/run')
      .split('\n')
      .filter((l) => /^npm /.test(l));
    expect(ciSteps.at(-1)).toBe(readmeTestCommand());
    for (const job of jobs) {
      const runs = job.steps.flatMap((s) => (s.run ? [s.run.trim()] : []));
      expect(runs).toEqual(ciSteps);
    }
  });

  it('tests against MongoDB 8 and Redis 7 service containers, named by schema variables only', () => {
    for (const job of jobs) {
      const images = Object.values(job.services ?? {}).map((s) => s.image);
      expect(images.some((i) => /^mongo:8(\b|$)/.test(i))).toBe(true);
      expect(images.some((i) => /^redis:7(\b|$)/.test(i))).toBe(true);
      const env = job.env ?? {};
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      // Set explicitly, so `npm test` waits for the containers instead of starting FerretDB.
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['MONGODB_URI', 'REDIS_URL']));
      expect(() => loadConfig(env)).not.toThrow();
    }
  });
});

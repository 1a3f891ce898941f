/**
 * A process loads a platform's client library only where that platform is configured: the
 * service's entry module imports neither telegraf nor discord.js (discord.js alone is about
 * 36 MB of a worker's memory, issue 11). Checked in a fresh process, whose module cache holds
 * exactly what importing the entry loaded.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Packages under node_modules that importing `modulePath` loaded, in a fresh process. */
function packagesLoadedBy(modulePath: string): string[] {
  const script = `
    await import(${JSON.stringify(path.join(root, modulePath))});
    const { createRequire } = await import('node:module');
    const cache = createRequire(import.meta.url).cache;
    const names = new Set(Object.keys(cache).map((k) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k)?.[1]).filter(Boolean));
    process.stdout.write(JSON.stringify([...names]));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

describe('platform libraries', () => {
  it('the service entry loads neither telegraf nor discord.js until a platform is configured', () => {
    const loaded = packagesLoadedBy('src/main.ts');
    // The probe sees CommonJS packages: the database driver is one, so an empty list means a broken probe.
    expect(loaded).toContain('mongoose');
    expect(loaded).not.toContain('discord.js');
    expect(loaded).not.toContain('telegraf');
  });
});

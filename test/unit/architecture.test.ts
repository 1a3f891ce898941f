import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function tsFiles(dir: string): string[] {
  const abs = path.join(root, dir);
  return readdirSync(abs).flatMap((name) => {
    const p = path.join(abs, name);
    const rel = path.join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(rel);
    return name.endsWith('.ts') ? [rel] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [
    ...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
}

const PLATFORM_SDKS = /^(telegraf|discord\.js|@discordjs\/)/;
const QUEUE_LIBS = /^(bullmq|@bull-board\/)/;

describe('module boundaries (docs/design.md layout)', () => {
  it('the core imports no platform SDK, no queue, nothing from adapters/ or jobs/ (except src/main.ts)', () => {
    const offenders = tsFiles('src')
      .filter((f) => f !== path.join('src', 'main.ts'))
      .flatMap((f) =>
        imports(f)
          .filter(
            (m) =>
              PLATFORM_SDKS.test(m) ||
              QUEUE_LIBS.test(m) ||
              /(^|\/)\.\.\/(adapters|jobs)\//.test(m) ||
              /^\.\.\/\.\.\/(adapters|jobs)/.test(m),
          )
          .map((m) => `${f} imports ${m}`),
      );
    expect(offenders).toEqual([]);
  });

  it('jobs/ imports no platform SDK and no adapter', () => {
    const offenders = tsFiles('jobs').flatMap((f) =>
      imports(f)
        .filter((m) => PLATFORM_SDKS.test(m) || /adapters\//.test(m))
        .map((m) => `${f} imports ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  it('each adapter imports no other adapter', () => {
    const offenders = ['telegram', 'discord'].flatMap((platform) => {
      let files: string[] = [];
      try {
        files = tsFiles(path.join('adapters', platform));
      } catch {
        return [];
      }
      const other = platform === 'telegram' ? /discord/ : /telegram|telegraf/;
      return files.flatMap((f) =>
        imports(f)
          .filter((m) => other.test(m))
          .map((m) => `${f} imports ${m}`),
      );
    });
    expect(offenders).toEqual([]);
  });

  it('adapters/ and jobs/ reach the core through its services, never through src/store/', () => {
    const offenders = [...tsFiles('adapters'), ...tsFiles('jobs')].flatMap((f) =>
      imports(f)
        .filter((m) => /(^|\/)src\/store\//.test(m))
        .map((m) => `${f} imports ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  it('adapters/ keep no sentences or locale tables of their own (one catalogue per language in src/i18n/)', () => {
    const offenders = tsFiles('adapters').filter(
      (f) =>
        /(strings|catalog|locale)\.ts$/.test(f) ||
        /'zh-Hans':\s*\{|const LOCALES\b/.test(readFileSync(path.join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('only the config schema reads process.env', () => {
    const offenders = [...tsFiles('src'), ...tsFiles('jobs')].filter(
      (f) =>
        f !== path.join('src', 'config', 'config.ts') &&
        /process\.env\b/.test(readFileSync(path.join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});

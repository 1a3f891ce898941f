/**
 * `npm run bench [filter]`: runs every `bench/<group>-<name>.ts` module that exports
 * `async function run(): Promise<Record<string, number | string>>`, one after another
 * (only those whose file name contains one of the comma-separated fragments, when given), prints each result as a table
 * and merges the results into bench/results.json. A failing benchmark prints its error and
 * the harness goes on; the exit code is 1 if any failed. A module may also export
 * `async function cleanup()`, called once after all benchmarks ran (shared databases).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// The heap policy of a `serve` process, so that in-process figures are what a service gets.
import './lib/heap-policy.ts';

type BenchResult = Record<string, number | string>;
interface BenchModule {
  run?: () => Promise<BenchResult>;
  cleanup?: () => Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(here, 'results.json');
// Comma-separated name fragments: `npm run bench -- core-ingest,core-search`.
const filter = process.argv[2] ?? '';
const fragments = filter.split(',').filter(Boolean);
const BENCH_FILE = /^[a-z0-9]+-[a-z0-9-]+\.ts$/;

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function printTable(name: string, result: BenchResult, seconds: number): void {
  const rows = Object.entries(result);
  const width = Math.max(...rows.map(([k]) => k.length), 10);
  const line = '-'.repeat(width + 24);
  process.stdout.write(`\n${name} (${seconds.toFixed(1)} s)\n${line}\n`);
  for (const [k, v] of rows) {
    const shown = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v;
    process.stdout.write(`${k.padEnd(width)}  ${shown}\n`);
  }
  process.stdout.write(`${line}\n`);
}

function readPrevious(): { results: Record<string, unknown> } {
  if (!existsSync(resultsFile)) return { results: {} };
  try {
    const prev = JSON.parse(readFileSync(resultsFile, 'utf8')) as { results?: Record<string, unknown> };
    return { results: prev.results ?? {} };
  } catch {
    return { results: {} };
  }
}

async function main(): Promise<number> {
  const files = readdirSync(here)
    .filter(
      (f) =>
        BENCH_FILE.test(f) &&
        f !== 'run.ts' &&
        (fragments.length === 0 || fragments.some((x) => f.includes(x))),
    )
    .sort();
  if (files.length === 0) {
    process.stderr.write(`no benchmark matches "${filter}"\n`);
    return 1;
  }
  const previous = readPrevious();
  const results: Record<string, unknown> = { ...previous.results };
  const failed: string[] = [];
  const modules: Array<[string, BenchModule]> = [];

  for (const file of files) {
    const name = file.replace(/\.ts$/, '');
    const started = performance.now();
    try {
      const mod = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
      modules.push([name, mod]);
      if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`);
      process.stdout.write(`\n▶ ${name} …\n`);
      collectGarbage();
      const result = await mod.run();
      const seconds = (performance.now() - started) / 1000;
      printTable(name, result, seconds);
      results[name] = {
        ...result,
        finishedAt: new Date().toISOString(),
        wallSeconds: Math.round(seconds * 10) / 10,
      };
    } catch (err) {
      failed.push(name);
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`\n✖ ${name} failed:\n${message}\n`);
      results[name] = {
        error: err instanceof Error ? err.message : String(err),
        finishedAt: new Date().toISOString(),
      };
    }
    collectGarbage();
  }

  for (const [name, mod] of modules) {
    if (typeof mod.cleanup !== 'function') continue;
    try {
      await mod.cleanup();
    } catch (err) {
      process.stderr.write(
        `cleanup of ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }

  const out = {
    updatedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
    },
    results,
  };
  writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(
    `\nresults written to ${path.relative(process.cwd(), resultsFile)}${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

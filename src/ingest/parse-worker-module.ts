/**
 * The module parse workers load. A thread that loads TypeScript through tsx runs a second V8
 * isolate for tsx's loader (on Node 20, module hooks run in a thread of their own), about
 * 25 MB of a worker process. So the pool's entry and everything of this project it imports are
 * built once per process into one JavaScript module with esbuild (the compiler tsx itself uses),
 * written under `node_modules/.cache/newsrelay/` (named by a hash of its content, so processes of
 * one installation share it and an edited source builds a new one). Packages stay imports, found
 * in the installation's `node_modules`. Where it cannot be built or written, the threads load the
 * TypeScript entry through tsx as before (`parse-worker.js`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where built modules are kept: the installation's own `node_modules/.cache`. */
export const PARSE_WORKER_CACHE = path.resolve(here, '../../node_modules/.cache/newsrelay');

/** The entry threads load through tsx when no built module can be had. */
export const TSX_PARSE_WORKER = new URL('./parse-worker.js', import.meta.url).href;

/** The module a parse worker loads, and how it came to be. */
export interface ParseWorkerModule {
  /** `file:` URL of the module. */
  url: string;
  /** `built`: one JavaScript module; `tsx`: the TypeScript entry, with tsx's loader in the thread. */
  kind: 'built' | 'tsx';
  /** Why it is `tsx` (the build's or the write's error). */
  reason?: string;
}

const built = new Map<string, Promise<ParseWorkerModule>>();

/**
 * Builds (or finds, built before) the parse workers' JavaScript module in `cacheDir`, once per
 * process; falls back to the tsx entry, saying why, when esbuild or the directory fails.
 */
export function parseWorkerModule(cacheDir = PARSE_WORKER_CACHE): Promise<ParseWorkerModule> {
  let module = built.get(cacheDir);
  if (!module) {
    module = buildModule(cacheDir);
    built.set(cacheDir, module);
  }
  return module;
}

async function buildModule(cacheDir: string): Promise<ParseWorkerModule> {
  try {
    const esbuild = await import('esbuild');
    // esbuild builds in a child process of its own; it is stopped once the module is built.
    const out = await esbuild
      .build({
        entryPoints: [path.join(here, 'parse-worker-entry.ts')],
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      })
      .finally(() => esbuild.stop());
    const code = out.outputFiles[0]!.contents;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const file = path.join(cacheDir, `parse-worker-${hash}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(cacheDir, { recursive: true });
      // Written whole, then renamed: a process starting meanwhile never loads half a module.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    return { url: pathToFileURL(file).href, kind: 'built' };
  } catch (err) {
    return { url: TSX_PARSE_WORKER, kind: 'tsx', reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Reads fetched documents off the main thread: a piscina pool of worker threads, each with a
 * V8 heap limit, and a wall-time limit per document. A pathological document fails its one
 * fetch with `parse_timeout` or `parse_memory` (the worker is terminated and replaced); the
 * event loop that answers Telegram and Discord never runs a parser
 * (docs/decisions/0010-parse-worker-pool.md).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { NewsrelayError } from '../errors.ts';
import type { DocumentJob, DocumentRead } from './document-job.ts';
import { PARSE_HEAP_MB, PARSE_TIMEOUT_MS, PARSE_YOUNG_MB } from './document-limits.ts';
import { isTaskStarted, type ParseTask, type ParseTaskResult } from './parse-task.ts';
import { type ParseWorkerModule, parseWorkerModule } from './parse-worker-module.ts';

/** Options of {@link ParsePool}. */
export interface ParsePoolOptions {
  /** Worker threads. Default: one fewer than the available parallelism, at least 1 and at most 4. */
  threads?: number;
  /** Wall time one document may take in a worker (queueing excluded). Default PARSE_TIMEOUT_MS. */
  timeoutMs?: number;
  /** V8 old-generation heap of each worker, in MiB. Default PARSE_HEAP_MB. */
  heapMb?: number;
  /** Told when a worker fails outside any read (a read's own failure is its rejection). */
  onWorkerError?: (err: unknown) => void;
  /** Told when the threads load the TypeScript entry through tsx, with why (see parse-worker-module.ts). */
  onModuleFallback?: (reason: string) => void;
  /** The module threads load (default {@link parseWorkerModule}); tests give another. */
  workerModule?: () => Promise<ParseWorkerModule>;
}

/** Reports of the pool, for metrics and the hostile-input benchmark. */
export interface ParsePoolStats {
  /** Documents read to an answer (a read or a typed refusal). */
  completed: number;
  /** Documents given up after the time limit. */
  timedOut: number;
  /** Documents given up because a worker reached its heap limit. */
  outOfMemory: number;
}

/**
 * Longest a read waits for a thread to start it. Only reached when no thread can start (a
 * broken installation); a busy pool starts each waiting read within a few documents' time.
 */
const START_BACKSTOP_MS = 5 * 60_000;

function errorCode(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}

/** The core's document reader; one per process, closed at shutdown. */
export class ParsePool {
  private pool: Promise<Piscina> | null = null;
  private loaded: Promise<ParseWorkerModule> | null = null;
  private closed = false;
  private readonly onWorkerError: (err: unknown) => void;
  private readonly onModuleFallback: (reason: string) => void;
  private readonly workerModule: () => Promise<ParseWorkerModule>;
  /** Worker threads of the pool. */
  readonly threads: number;
  private readonly timeoutMs: number;
  private readonly heapMb: number;
  /** Reads sent to the pool and not yet started by a thread: their time limit starts then. */
  private readonly starting = new Map<number, () => void>();
  private lastId = 0;
  readonly stats: ParsePoolStats = { completed: 0, timedOut: 0, outOfMemory: 0 };

  constructor(opts: ParsePoolOptions = {}) {
    this.threads = Math.max(1, opts.threads ?? Math.min(availableParallelism() - 1, 4));
    this.timeoutMs = opts.timeoutMs ?? PARSE_TIMEOUT_MS;
    this.heapMb = opts.heapMb ?? PARSE_HEAP_MB;
    this.onWorkerError = opts.onWorkerError ?? (() => {});
    this.onModuleFallback = opts.onModuleFallback ?? (() => {});
    this.workerModule = opts.workerModule ?? (() => parseWorkerModule());
  }

  /** The module the threads load (built on first use, see parse-worker-module.ts). */
  module(): Promise<ParseWorkerModule> {
    this.loaded ??= this.workerModule().then((m) => {
      if (m.kind === 'tsx') this.onModuleFallback(m.reason ?? 'unknown');
      return m;
    });
    return this.loaded;
  }

  /** Threads are started on first use: one-shot commands that read nothing start none. */
  private piscina(): Promise<Piscina> {
    this.pool ??= this.module().then(({ url }) => {
      const pool = new Piscina({
        filename: url,
        minThreads: this.threads,
        maxThreads: this.threads,
        // Lower priority than the main thread, whose event loop answers chats within seconds.
        niceIncrement: 5,
        resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: PARSE_YOUNG_MB },
      });
      // Piscina emits 'error' for a worker that dies with no task; unheard, it would end the process.
      pool.on('error', (err: unknown) => this.onWorkerError(err));
      pool.on('message', (message: unknown) => {
        if (isTaskStarted(message)) this.starting.get(message.parseTaskStarted)?.();
      });
      return pool;
    });
    return this.pool;
  }

  /**
   * Starts the threads if they are not running (each loads its modules and dictionaries before
   * it takes a document): call it before a fetch, so that the start-up overlaps the network.
   */
  warm(): void {
    if (!this.closed) void this.piscina();
  }

  /**
   * Decodes and parses a fetched document and builds its articles, in a worker thread.
   *
   * @throws NewsrelayError `entity_expansion`, `too_deep`, `parse_timeout`, `parse_memory`, or
   *   `parse_failed` (a worker failed otherwise, or the pool is closed)
   */
  async read(job: DocumentJob): Promise<DocumentRead> {
    if (this.closed) throw new NewsrelayError('parse_failed', 'The document reader is shut down');
    const id = ++this.lastId;
    const controller = new AbortController();
    // The time limit runs from the moment a thread starts the document (the thread says so), so
    // that neither waiting behind other documents nor a replaced thread's start-up counts.
    let limit: NodeJS.Timeout | undefined;
    this.starting.set(id, () => {
      this.starting.delete(id);
      limit = setTimeout(() => controller.abort('limit'), this.timeoutMs);
    });
    const backstop = setTimeout(() => controller.abort('backstop'), START_BACKSTOP_MS);
    let result: ParseTaskResult;
    try {
      const pool = await this.piscina();
      if (this.closed) throw new NewsrelayError('parse_failed', 'The document reader is shut down');
      result = (await pool.run({ id, job } satisfies ParseTask, {
        signal: controller.signal,
      })) as ParseTaskResult;
    } catch (err) {
      throw this.failure(err, controller.signal);
    } finally {
      this.starting.delete(id);
      clearTimeout(limit);
      clearTimeout(backstop);
    }
    this.stats.completed++;
    if (result.ok) return result.read;
    throw new NewsrelayError(result.code, result.message, { params: result.params });
  }

  private failure(err: unknown, signal: AbortSignal): NewsrelayError {
    if (signal.aborted && signal.reason === 'backstop') {
      return new NewsrelayError('parse_failed', 'No document reader thread could start', { cause: err });
    }
    if (signal.aborted) {
      this.stats.timedOut++;
      return new NewsrelayError(
        'parse_timeout',
        `Reading the document took longer than ${this.timeoutMs} ms and was given up`,
        { cause: err, params: { limit: this.timeoutMs } },
      );
    }
    if (errorCode(err) === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.stats.outOfMemory++;
      return new NewsrelayError(
        'parse_memory',
        `Reading the document needed more than ${this.heapMb} MiB and was given up`,
        { cause: err, params: { limit: this.heapMb } },
      );
    }
    if (this.closed) return new NewsrelayError('parse_failed', 'The document reader is shut down');
    const what = err instanceof Error ? err.message : String(err);
    return new NewsrelayError('parse_failed', `The document reader failed: ${what}`, { cause: err });
  }

  /** Stops the workers; reads in flight fail with `parse_failed`. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    await (await pool?.catch(() => null))?.destroy();
  }
}

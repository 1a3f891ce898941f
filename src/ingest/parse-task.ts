/**
 * The task a parse worker runs (loaded by parse-worker.js). Failures are returned as data: an
 * error's class and code do not survive the trip between threads.
 */
import { parentPort } from 'node:worker_threads';
import { type ErrorCode, NewsrelayError } from '../errors.ts';
import { type DocumentJob, type DocumentRead, runDocumentJob } from './document-job.ts';

/** A document job and the pool's number for it. */
export interface ParseTask {
  id: number;
  job: DocumentJob;
}

/** What a thread posts to the pool when it starts a task (the task's time limit starts then). */
export interface TaskStarted {
  parseTaskStarted: number;
}

/** True for a {@link TaskStarted} message. */
export function isTaskStarted(message: unknown): message is TaskStarted {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as Partial<TaskStarted>).parseTaskStarted === 'number'
  );
}

/** The answer of one task. */
export type ParseTaskResult =
  | { ok: true; read: DocumentRead }
  | { ok: false; code: ErrorCode; message: string; params: Record<string, string | number> };

/** Runs one document job; never throws. */
export function runParseTask(task: ParseTask): ParseTaskResult {
  parentPort?.postMessage({ parseTaskStarted: task.id } satisfies TaskStarted);
  try {
    return { ok: true, read: runDocumentJob(task.job) };
  } catch (err) {
    if (err instanceof NewsrelayError) {
      return { ok: false, code: err.code, message: err.message, params: { ...err.params } };
    }
    // A bug, or V8 refusing a string or a stack: one sentence for the operator, no stack trace.
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return {
      ok: false,
      code: 'parse_failed',
      message: `The document could not be read (${what})`,
      params: {},
    };
  }
}

/**
 * Reads a one-item feed, so that the modules and dictionaries the first real document would
 * load (OpenCC's) load while the thread starts, not within a document's time limit.
 */
export function warmUp(): void {
  runDocumentJob({
    body: Buffer.from(
      '<rss><channel><item><title>預熱：新闻标题</title><link>https://warm-up.invalid/1</link></item></channel></rss>',
    ),
    contentType: 'application/rss+xml',
    url: 'https://warm-up.invalid/rss',
    sourceId: 'warm-up',
    now: 0,
  });
}

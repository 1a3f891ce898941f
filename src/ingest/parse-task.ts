/**
 * The task a parse worker runs (loaded by parse-worker.js). Failures are returned as data: an
 * error's class and code do not survive the trip between threads.
 */
import { type ErrorCode, NewsrelayError } from '../errors.ts';
import { type DocumentJob, type DocumentRead, runDocumentJob } from './document-job.ts';

/** The answer of one task. */
export type ParseTaskResult =
  | { ok: true; read: DocumentRead }
  | { ok: false; code: ErrorCode; message: string; params: Record<string, string | number> };

/** Runs one document job; never throws. */
export function runParseTask(job: DocumentJob): ParseTaskResult {
  try {
    return { ok: true, read: runDocumentJob(job) };
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

/**
 * Worker-thread entry of the parse pool as one JavaScript module (parse-worker-module.ts builds
 * it): no TypeScript loader runs in the thread.
 */
import { runParseTask, warmUp } from './parse-task.ts';

// Before the thread reports ready: a document's time limit must not pay for loading dictionaries.
warmUp();

export default runParseTask;

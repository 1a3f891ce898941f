// Worker-thread entry of the parse pool (parse-pool.ts). Plain JavaScript, so that it loads in
// a thread that has no TypeScript loader: on Node 20 neither `node --import tsx` nor the package
// bin's `register()` reaches worker threads, so the tsx loader is registered here.
import { register } from 'tsx/esm/api';

register();
const { runParseTask, warmUp } = await import('./parse-task.ts');
// Before the thread reports ready: a document's time limit must not pay for loading dictionaries.
warmUp();

export default runParseTask;

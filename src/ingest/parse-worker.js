// Worker-thread entry of the parse pool (parse-pool.ts). Plain JavaScript, so that it loads in
// a thread that has no TypeScript loader: on Node 20 neither `node --import tsx` nor the package
// bin's `register()` reaches worker threads, so the tsx loader is registered here.
import { register } from 'tsx/esm/api';

register();
const { runParseTask } = await import('./parse-task.ts');

export default runParseTask;

// The parse pool's fallback worker entry (parse-worker-module.ts): plain JavaScript that loads
// the TypeScript entry through tsx, for where the built module cannot be had. On Node 20 neither
// `node --import tsx` nor the package bin's `register()` reaches worker threads, so the tsx
// loader is registered here.
import { register } from 'tsx/esm/api';

register();
const { default: runParseTask } = await import('./parse-worker-entry.ts');

export default runParseTask;

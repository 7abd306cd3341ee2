import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts one of the store's worker threads: `source` (a module beside this one) under a
 * TypeScript loader (src/, run by tsx), or `built`, its bundle beside dist/im-server.js once
 * built (the same files in the im-widget-server package).
 */
export function startWorker(source: string, built: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${built}`, import.meta.url), { workerData });
  // A worker thread does not inherit the TypeScript loader (node --import tsx): it registers tsx, then loads the script.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  const script = new URL(`./${source}`, import.meta.url).href;
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(script)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}

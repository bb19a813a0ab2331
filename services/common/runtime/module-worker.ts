/**
 * Starts a worker thread from a module of ours, however this process runs our code: from `dist`
 * (compiled JavaScript: Node loads the worker module itself) or from the sources (tsx, vitest:
 * a worker thread has no TypeScript loader of its own, so a bootstrap loads the module through
 * tsx's API). `moduleUrl` is the worker module next to the caller, named with the caller's own
 * extension: see `siblingModule`.
 */
import { Worker } from 'node:worker_threads';

/** How long a worker started from the sources takes to load tsx and the module: about 110 ms. */
const TYPESCRIPT_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then(({ tsImport }) => tsImport(workerData.module, workerData.module))
  .catch((error) => {
    // An uncaught error ends the worker with an 'error' event the parent handles.
    setImmediate(() => {
      throw error;
    });
  });
`;

/** The URL of module `name` in the caller's directory, with the caller's extension (.ts or .js). */
export function siblingModule(callerUrl: string, name: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}

export function startModuleWorker(moduleUrl: URL, workerData: unknown): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, { workerData });
  return new Worker(TYPESCRIPT_BOOTSTRAP, {
    eval: true,
    workerData: {
      ...(workerData as object),
      tsx: import.meta.resolve('tsx/esm/api'),
      module: moduleUrl.href,
    },
  });
}

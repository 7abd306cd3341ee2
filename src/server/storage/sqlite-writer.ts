/**
 * The SQLite writer thread (worker_threads): it owns the store's write connection and runs every
 * write the main thread hands it (see WriterThread in sqlite-store.ts). The calls that arrive
 * while it is busy are committed together: one transaction, a savepoint per call, one fsync
 * (SqliteChatStore.commitWrites). Each call is answered once that transaction has committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteChatStore, WRITE_METHODS, type WriterCall, type WriterThreadData } from './sqlite-store.js';

const port = parentPort!;
const { file, checkpoints } = workerData as WriterThreadData;
const store = new SqliteChatStore(file, { writer: 'inline', search: 'none', checkpoints });
const allowed = new Set<string>(WRITE_METHODS);

let queue: WriterCall[] = [];
let flushScheduled = false;
let committing: Promise<void> = Promise.resolve();
let closing = false;

const flush = (): void => {
  flushScheduled = false;
  const calls = queue.filter((call) => allowed.has(call.method));
  const refused = queue.filter((call) => !allowed.has(call.method));
  queue = [];
  if (refused.length) {
    port.postMessage(refused.map(({ id, method }) => ({ id, ok: false, error: { name: 'Error', message: `not a write: ${method}` } })));
  }
  if (!calls.length) return;
  // The transaction runs now (synchronously); only the answers wait for the promises to settle.
  const replies = store.commitWrites(calls);
  committing = committing.then(() => replies).then((answers) => port.postMessage(answers));
};

port.on('message', (message: WriterCall[] | 'close') => {
  if (message === 'close') {
    closing = true;
    if (flushScheduled) flush();
    void committing.then(() => store.close()).then(() => port.close());
    return;
  }
  if (closing) return;
  queue.push(...message);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
});

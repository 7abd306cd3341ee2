/**
 * The SQLite writer thread (worker_threads): it owns the store's write connection and runs every
 * write the main thread hands it (see WriterThread in sqlite-store.ts). Appends keep their group
 * commit: those that arrive together share one transaction and one fsync. Each call is answered
 * once its transaction has committed; answers go back together, in the order they settled.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteChatStore, WRITE_METHODS, toWriterError, type WriterCall, type WriterReply } from './sqlite-store.js';

const port = parentPort!;
const store = new SqliteChatStore((workerData as { file: string }).file, { writer: 'inline' });
const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
const allowed = new Set<string>(WRITE_METHODS);

let replies: WriterReply[] = [];
let replyScheduled = false;
const sendReplies = (): void => {
  replyScheduled = false;
  const batch = replies;
  replies = [];
  port.postMessage(batch);
};
const reply = (answer: WriterReply): void => {
  replies.push(answer);
  if (!replyScheduled) {
    replyScheduled = true;
    setImmediate(sendReplies);
  }
};

let open = 0;
let closing = false;
let closed = false;
const closeWhenIdle = async (): Promise<void> => {
  if (!closing || open > 0 || closed) return;
  closed = true;
  await store.close();
  if (replies.length) sendReplies();
  port.close();
};

port.on('message', (message: WriterCall[] | 'close') => {
  if (message === 'close') {
    closing = true;
    void closeWhenIdle();
    return;
  }
  for (const { id, method, args } of message) {
    if (!allowed.has(method)) {
      reply({ id, ok: false, error: { name: 'Error', message: `not a write: ${method}` } });
      continue;
    }
    open++;
    methods[method]!(...args).then(
      (value) => reply({ id, ok: true, value }),
      (error: unknown) => reply({ id, ok: false, error: toWriterError(error) }),
    ).finally(() => {
      open--;
      void closeWhenIdle();
    });
  }
});

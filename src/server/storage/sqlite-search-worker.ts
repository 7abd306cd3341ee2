/**
 * The search thread (worker_threads): it keeps the search file (`<chat file>-search`) current
 * with the chat file, on a connection of its own that reads the chat file and writes the search
 * file only (see SearchThread in sqlite-search.ts). Each 'catch-up' is answered with the
 * watermark reached once that is committed; then the thread checkpoints the chat file's WAL,
 * which the writer thread leaves to it.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SearchIndexer, attachSearch, type SearchReply } from './sqlite-search.js';

const port = parentPort!;
const { file } = workerData as { file: string };
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
attachSearch(db, file, false);
const indexer = new SearchIndexer(db);

port.on('message', (message: 'catch-up' | 'close') => {
  if (message === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: SearchReply;
  try {
    reply = { ok: true, watermark: indexer.catchUp() };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  checkpointChatFile();
  port.postMessage(reply);
});

/**
 * Copies the chat file's WAL back into it, as far as its readers allow, so that the writer's
 * commits need not (they would hold the acks of their batch while copying): the writer thread
 * leaves this to us (SqliteStoreOptions.checkpoints). Before the answer, so that once a search
 * had the index catch up, the file is checkpointed too (a search waits a few ms more; an append
 * never does).
 */
function checkpointChatFile(): void {
  try {
    db.pragma('main.wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failed: the next catch-up tries again, and the writer's backstop bounds the WAL.
  }
}

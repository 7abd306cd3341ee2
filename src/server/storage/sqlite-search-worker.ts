/**
 * The search thread (worker_threads): it keeps the search file (`<chat file>-search`) current
 * with the chat file, on a connection of its own that reads the chat file and writes the search
 * file only (see SearchThread in sqlite-search.ts). Each 'catch-up' is answered with the
 * watermark reached once that is committed.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SearchIndexer, attachSearch } from './sqlite-search.js';

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
  try {
    port.postMessage({ ok: true, watermark: indexer.catchUp() });
  } catch (error) {
    port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
});

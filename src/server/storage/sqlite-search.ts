import type Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { SEARCHABLE_FIELDS } from './chat-store.js';
import { startWorker } from './start-worker.js';

const searchableTypesSql = (): string => Object.keys(SEARCHABLE_FIELDS).map((name) => `'${name}'`).join(', ');

/** The searchable text of a messages row `m` (its content is UTF-8 JSON), '' when none. */
function searchableTextSql(m: string): string {
  const json = `CAST(${m}.content AS TEXT)`;
  const field = (name: string) => `COALESCE(CAST(json_extract(${json}, '$.${name}') AS TEXT), '')`;
  const cases = Object.entries(SEARCHABLE_FIELDS)
    .map(([type, fields]) => `WHEN '${type}' THEN ${fields.map(field).join(` || ' ' || `)}`).join(' ');
  return `(CASE WHEN json_valid(${json}) THEN CASE ${m}.object_name ${cases} ELSE '' END ELSE '' END)`;
}

/**
 * The search file of a chat file: beside it (`<file>-search`), derived from it alone, so losing
 * it loses nothing (it is built again from the messages).
 */
export const searchFileOf = (file: string): string => (file === ':memory:' ? ':memory:' : `${file}-search`);

/** The search file's layout; a file of another version is emptied and indexed again. */
const SEARCH_VERSION = 1;

/**
 * The text users see of each message, in a table of its own with a trigram full-text index
 * over it (CJK included), and how far into the chat file's messages and removals it is.
 */
const SEARCH_TABLES = `
  CREATE TABLE search.search_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL,
    messages_upto INTEGER NOT NULL,
    removals_upto INTEGER NOT NULL
  );
  CREATE TABLE search.message_text (
    id INTEGER PRIMARY KEY,
    conversation_key TEXT NOT NULL,
    sent_time INTEGER NOT NULL,
    text TEXT NOT NULL
  );
  CREATE INDEX search.message_text_by_conversation ON message_text (conversation_key, sent_time);
  CREATE VIRTUAL TABLE search.message_text_index USING fts5(text, content='message_text', content_rowid='id', tokenize='trigram');
  CREATE TRIGGER search.message_text_added AFTER INSERT ON message_text BEGIN
    INSERT INTO message_text_index (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER search.message_text_removed AFTER DELETE ON message_text BEGIN
    INSERT INTO message_text_index (message_text_index, rowid, text) VALUES ('delete', old.id, old.text);
  END;`;

/** How far the search file is: the last message id looked at, the last removal applied. */
export interface Watermark { messages: number; removals: number }

const covers = (watermark: Watermark, target: Watermark): boolean =>
  watermark.messages >= target.messages && watermark.removals >= target.removals;

const HEADS_SQL = `SELECT (SELECT COALESCE(MAX(id), 0) FROM main.messages) AS messages,
  (SELECT COALESCE(MAX(id), 0) FROM main.search_removals) AS removals`;

const headStatements = new WeakMap<Database.Database, Database.Statement>();

/** The newest message and removal the chat file holds, read on `db` (the chat file as main). */
export function readHeads(db: Database.Database): Watermark {
  let statement = headStatements.get(db);
  if (!statement) headStatements.set(db, statement = db.prepare(HEADS_SQL));
  return statement.get() as Watermark;
}

/**
 * Attaches the search file to `db` (the chat file's connection) as schema `search`, and, with
 * `prepare`, makes it current and this chat file's own: a file of another layout or another
 * store, or one ahead of the chat file (the chat file restored from a backup), is emptied and
 * indexed again from the first message.
 */
export function attachSearch(db: Database.Database, file: string, prepare: boolean): void {
  db.prepare('ATTACH DATABASE ? AS search').run(searchFileOf(file));
  if (file !== ':memory:') db.pragma('search.journal_mode = WAL');
  // Derived data: a commit lost to a power cut is indexed again (its watermark is lost with it).
  db.pragma('search.synchronous = NORMAL');
  if (!prepare) return;
  const storeId = db.prepare('SELECT store_id FROM main.store_identity').pluck().get() as string;
  const state = db.pragma('search.user_version', { simple: true }) === SEARCH_VERSION
    ? db.prepare('SELECT store_id, messages_upto AS messages, removals_upto AS removals FROM search.search_state').get() as
      (Watermark & { store_id: string }) | undefined
    : undefined;
  if (state && state.store_id === storeId && covers(readHeads(db), state)) return;
  db.transaction(() => {
    db.exec(`DROP TABLE IF EXISTS search.message_text_index; DROP TABLE IF EXISTS search.message_text;
      DROP TABLE IF EXISTS search.search_state; ${SEARCH_TABLES}`);
    db.prepare('INSERT INTO search.search_state (id, store_id, messages_upto, removals_upto) VALUES (1, ?, 0, 0)').run(storeId);
    db.pragma(`search.user_version = ${SEARCH_VERSION}`);
  })();
}

/** Messages indexed per transaction, so a long catch-up (a rebuilt file) keeps each commit short. */
const INDEX_BATCH = 2000;

/**
 * Brings the search file up to the chat file, on a connection with both (the chat file as main,
 * the search file attached as `search`): the search entries of the messages after the
 * watermark, the removals (recalls) after it, and the new watermark, in one transaction that
 * writes the search file only. Messages are read as they are now, so one recalled before it
 * was indexed is never indexed; ids are given out in commit order by the chat file's single
 * writer, so no message can appear below the watermark later.
 */
export class SearchIndexer {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      state: db.prepare('SELECT messages_upto AS messages, removals_upto AS removals FROM search.search_state'),
      index: db.prepare(`INSERT INTO search.message_text (id, conversation_key, sent_time, text)
        SELECT id, conversation_key, sent_time, text FROM (SELECT m.id, m.conversation_key, m.sent_time, ${searchableTextSql('m')} AS text
        FROM main.messages m WHERE m.id > ? AND m.id <= ? AND m.object_name IN (${searchableTypesSql()})) WHERE text <> ''`),
      remove: db.prepare(`DELETE FROM search.message_text
        WHERE id IN (SELECT message_id FROM main.search_removals WHERE id > ? AND id <= ?)`),
      save: db.prepare('UPDATE search.search_state SET messages_upto = ?, removals_upto = ?'),
    };
  }

  /** Indexes everything the chat file holds now; returns the watermark reached. */
  catchUp(): Watermark {
    const s = this.statements;
    // A deferred transaction: BEGIN IMMEDIATE would take the chat file's write lock as well.
    const step = this.db.transaction((): { reached: Watermark; done: boolean } => {
      const from = s.state.get() as Watermark;
      const heads = readHeads(this.db);
      const messages = Math.min(heads.messages, from.messages + INDEX_BATCH);
      if (messages > from.messages) s.index.run(from.messages, messages);
      if (heads.removals > from.removals) s.remove.run(from.removals, heads.removals);
      const reached = { messages, removals: heads.removals };
      if (!covers(from, reached)) s.save.run(reached.messages, reached.removals);
      return { reached, done: messages === heads.messages };
    });
    for (;;) {
      const { reached, done } = step();
      if (done) return reached;
    }
  }
}

/** What a store's search side does: index soon after writes, and be current before a search. */
export interface SearchFollower {
  /** Messages were stored or recalled: index them soon. */
  stored(): void;
  /** Resolves once everything up to `target` is searchable. */
  reach(target: Watermark): Promise<void>;
  close(): Promise<void>;
}

/** The search index kept on the store's own connection: indexed when a search needs it. */
export class InlineSearch implements SearchFollower {
  private readonly indexer: SearchIndexer;
  constructor(db: Database.Database) { this.indexer = new SearchIndexer(db); }
  stored(): void {}
  async reach(): Promise<void> { this.indexer.catchUp(); }
  async close(): Promise<void> {}
}

/** How long after a write the search thread looks: the writes of that time are indexed together. */
const INDEX_DELAY_MS = 200;
/** A search waits this long for the index at most, then searches what is indexed (a file being rebuilt). */
const REACH_LIMIT_MS = 10_000;

/** What the search thread answers to a catch-up. */
export type SearchReply = { ok: true; watermark: Watermark } | { ok: false; message: string };

/**
 * The search index kept by a thread of its own (sqlite-search-worker.ts) on a file of its own,
 * so the trigram index costs the chat file's writer nothing: its commits and fsyncs carry the
 * messages alone. The thread indexes shortly after writes, and at once when a search needs it:
 * a search made after a send resolved finds it.
 */
export class SearchThread implements SearchFollower {
  private worker: Worker | undefined;
  private watermark: Watermark = { messages: 0, removals: 0 };
  private readonly waiting = new Set<{ target: Watermark; settle(error?: Error): void }>();
  private running = false;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closing = false;

  constructor(private readonly file: string) {}

  private start(): Worker {
    const worker = startWorker('sqlite-search-worker.ts', 'im-server-sqlite-search.js', { file: this.file });
    worker.unref();
    worker.on('message', (reply: SearchReply) => {
      this.running = false;
      if (reply.ok) this.watermark = reply.watermark;
      for (const waiter of this.waiting) {
        if (!reply.ok) waiter.settle(new Error(`search index: ${reply.message}`));
        else if (covers(this.watermark, waiter.target)) waiter.settle();
      }
      if (this.again && !this.closing) this.request();
      // While closing, held until it has ended (close() waits for its exit).
      else if (!this.closing) worker.unref();
    });
    // Started again by the next request; the searches waiting now fail (their callers may retry).
    const stopped = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.running = false;
      for (const waiter of this.waiting) waiter.settle(error);
    };
    worker.on('error', stopped);
    worker.on('exit', () => stopped(new Error('the search thread has stopped')));
    return worker;
  }

  private request(): void {
    if (this.closing) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    const worker = this.worker ??= this.start();
    worker.ref();
    worker.postMessage('catch-up');
  }

  stored(): void {
    if (this.timer || this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.request();
    }, INDEX_DELAY_MS);
    this.timer.unref();
  }

  reach(target: Watermark): Promise<void> {
    if (covers(this.watermark, target)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        target,
        settle: (error?: Error) => {
          clearTimeout(limit);
          this.waiting.delete(waiter);
          if (error) reject(error);
          else resolve();
        },
      };
      const limit = setTimeout(() => waiter.settle(), REACH_LIMIT_MS);
      this.waiting.add(waiter);
      this.request();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    await exited;
  }
}


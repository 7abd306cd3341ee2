import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import {
  RecallConflict, ownBytes, takePage, type AppendInput, type AppendResult, type ChatStore, type ConversationState, type PageBudget, type ReceiptPositions,
  type RecallInput, type StoredMessage, type UserRecord, type ServiceAgentRecord, type ServiceGroupRecord, type ServiceNoteRecord,
  type ServiceSessionRecord, type ServiceSessionStatus, type ConversationSettings, type SearchConversationHit, type SearchQuery, type NewServiceSession, type ServiceSessionQuery, type ServiceSessionScope, type ServiceTicketRecord,
} from './chat-store.js';
import type { BlacklistEntry, ChosenUserStatus } from '../../core/protocol/social-records.js';
import { ConversationType } from '../../core/protocol/codes.js';
import { SUPPORTED_CONVERSATION_TYPES, conversationKey, newMessageUid, privateParticipants, serviceConversationKey } from '../ids.js';
import { InlineSearch, SearchThread, attachSearch, readHeads, type SearchFollower } from './sqlite-search.js';
import { startWorker } from './start-worker.js';
import { toServiceSession, toServiceTicket, type ServiceSessionRow, type ServiceTicketRow } from './service-rows.js';


/** A LIKE pattern that finds `text` anywhere, its wildcards taken literally (ESCAPE '\\'). */
const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The trigram index finds strings of three characters or more; shorter ones are looked for with LIKE. */
const indexable = (text: string): boolean => [...text].length >= 3;

/** A message's row is visible to viewer @viewer: not deleted by them, not in their cleared history. */
const VISIBLE_TO_VIEWER = `NOT EXISTS (SELECT 1 FROM message_deletions d WHERE d.user_id = @viewer AND d.message_id = m.id)
  AND m.seq > COALESCE((SELECT uc.cleared_seq FROM user_conversations uc WHERE uc.user_id = @viewer
    AND uc.conversation_key = m.conversation_key), 0)`;

/** What @text is bound to: an FTS5 phrase (quotes doubled) for the index, a LIKE pattern for a scan. */
const searchTerm = (text: string): string => (indexable(text) ? `"${text.replace(/"/g, '""')}"` : containsPattern(text));

/**
 * The search statements, over the search file attached as `search` (sqlite-search.ts): by the trigram index for three characters or more; shorter text (common
 * in Chinese: 你好, 订单) by LIKE over the conversations' texts, which the (conversation_key,
 * sent_time) index bounds to those conversations. Parameters @viewer, @keys (a JSON array), @text.
 */
function searchStatements(db: Database.Database) {
  const matching = (indexed: boolean) => indexed
    ? `FROM search.message_text_index f JOIN search.message_text t ON t.id = f.rowid JOIN messages m ON m.id = t.id
       WHERE message_text_index MATCH @text AND t.conversation_key IN (SELECT value FROM json_each(@keys))`
    : `FROM search.message_text t JOIN messages m ON m.id = t.id
       WHERE t.conversation_key IN (SELECT value FROM json_each(@keys)) AND t.text LIKE @text ESCAPE '\\'`;
  const conversations = (indexed: boolean) => db.prepare(`SELECT m.conversation_key, m.conversation_type, COUNT(*) AS matches,
    MAX(m.id) AS latest ${matching(indexed)} AND ${VISIBLE_TO_VIEWER} GROUP BY m.conversation_key ORDER BY latest DESC LIMIT @limit`);
  const messages = (indexed: boolean) => db.prepare(`SELECT ${PAGE_COLUMNS} ${matching(indexed)}
    AND (t.sent_time < @before OR (t.sent_time = @before AND t.id < @beforeId)) AND ${VISIBLE_TO_VIEWER} ORDER BY t.sent_time DESC, t.id DESC LIMIT @limit`);
  return {
    searchConversationsIndexed: conversations(true),
    searchConversationsScan: conversations(false),
    searchMessagesIndexed: messages(true),
    searchMessagesScan: messages(false),
  };
}

/** Schema versions, applied in order; PRAGMA user_version records how many ran. */
const migrations: readonly string[] = [
  `CREATE TABLE users (
     user_id TEXT PRIMARY KEY,
     name TEXT NOT NULL DEFAULT '',
     portrait_uri TEXT NOT NULL DEFAULT '',
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE groups (
     group_id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE group_members (
     group_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     joined_at INTEGER NOT NULL,
     PRIMARY KEY (group_id, user_id)
   ) WITHOUT ROWID;
   CREATE TABLE conversations (
     conversation_key TEXT PRIMARY KEY,
     conversation_type INTEGER NOT NULL,
     last_seq INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     conversation_key TEXT NOT NULL,
     conversation_type INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     sender_id TEXT NOT NULL,
     client_msg_id TEXT NOT NULL,
     message_uid TEXT NOT NULL UNIQUE,
     object_name TEXT NOT NULL,
     content BLOB NOT NULL,
     sent_time INTEGER NOT NULL,
     counted INTEGER NOT NULL,
     UNIQUE (sender_id, client_msg_id),
     UNIQUE (conversation_key, seq)
   );
   -- One row per recipient of a message: the user's sync stream and unread counts.
   CREATE TABLE inbox (
     user_id TEXT NOT NULL,
     message_id INTEGER NOT NULL,
     conversation_key TEXT NOT NULL,
     seq INTEGER NOT NULL,
     unread_counts INTEGER NOT NULL,
     PRIMARY KEY (user_id, message_id)
   ) WITHOUT ROWID;
   CREATE INDEX inbox_by_conversation ON inbox (user_id, conversation_key, seq);
   CREATE TABLE user_conversations (
     user_id TEXT NOT NULL,
     conversation_key TEXT NOT NULL,
     conversation_type INTEGER NOT NULL,
     read_seq INTEGER NOT NULL DEFAULT 0,
     hidden_cursor INTEGER NOT NULL DEFAULT 0,
     latest_cursor INTEGER NOT NULL,
     PRIMARY KEY (user_id, conversation_key)
   ) WITHOUT ROWID;
   CREATE INDEX user_conversations_by_activity ON user_conversations (user_id, latest_cursor);`,
  // Delivery receipts: what the user's devices received. Read positions were there already.
  `ALTER TABLE user_conversations ADD COLUMN delivered_seq INTEGER NOT NULL DEFAULT 0;`,
  // Token revocation: a user's tokens issued before valid_after (ms) are refused.
  `CREATE TABLE token_revocations (
     user_id TEXT PRIMARY KEY,
     valid_after INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Customer service: skill groups, agents, sessions (one conversation per visitor and group, many
  // sessions in it) and internal notes, which are rows of their own and never messages.
  `CREATE TABLE cs_groups (
     group_id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     mode TEXT NOT NULL,
     welcome TEXT NOT NULL,
     faq TEXT NOT NULL,
     max_per_agent INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE cs_agents (
     user_id TEXT PRIMARY KEY,
     cap INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE cs_agent_groups (
     group_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     PRIMARY KEY (group_id, user_id)
   ) WITHOUT ROWID;
   CREATE TABLE cs_sessions (
     session_id INTEGER PRIMARY KEY AUTOINCREMENT,
     group_id TEXT NOT NULL,
     serving_group_id TEXT NOT NULL,
     visitor_id TEXT NOT NULL,
     status TEXT NOT NULL,
     agent_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     queued_at INTEGER NOT NULL,
     rating INTEGER NOT NULL DEFAULT 0,
     comment TEXT NOT NULL DEFAULT ''
   );
   CREATE INDEX cs_sessions_by_visitor ON cs_sessions (visitor_id, group_id, session_id);
   CREATE INDEX cs_sessions_by_agent ON cs_sessions (agent_id, status);
   CREATE INDEX cs_sessions_by_queue ON cs_sessions (serving_group_id, status, queued_at);
   CREATE TABLE cs_notes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     session_id INTEGER NOT NULL,
     author_id TEXT NOT NULL,
     text TEXT NOT NULL,
     time INTEGER NOT NULL
   );
   CREATE INDEX cs_notes_by_session ON cs_notes (session_id, id);`,
  // Customer service, second slice: a group's further settings (hours, pre-chat form, offline
  // message, canned replies) as one JSON object, an agent's away flag, a session's pre-chat form
  // and its first seq in the conversation (where its transcript starts).
  `ALTER TABLE cs_groups ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
   ALTER TABLE cs_agents ADD COLUMN away INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE cs_sessions ADD COLUMN visitor_info TEXT NOT NULL DEFAULT '{}';
   ALTER TABLE cs_sessions ADD COLUMN start_seq INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX cs_sessions_by_serving_group ON cs_sessions (serving_group_id, status, session_id);`,
  // Customer-service tickets: messages left for a group, rows of their own like notes.
  `CREATE TABLE cs_tickets (
     ticket_id INTEGER PRIMARY KEY AUTOINCREMENT,
     group_id TEXT NOT NULL,
     visitor_id TEXT NOT NULL,
     name TEXT NOT NULL,
     email TEXT NOT NULL,
     message TEXT NOT NULL,
     form TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     closed_by TEXT NOT NULL DEFAULT '',
     closed_at INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX cs_tickets_by_group ON cs_tickets (group_id, status, ticket_id);
   CREATE INDEX cs_tickets_by_visitor ON cs_tickets (visitor_id, created_at);`,
  // The blacklist, users' chosen status, and groups by member (whom a user shares a group with).
  `CREATE TABLE blacklist (
     owner_id TEXT NOT NULL,
     blocked_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (owner_id, blocked_id)
   ) WITHOUT ROWID;
   CREATE TABLE user_status (
     user_id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     text TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX group_members_by_user ON group_members (user_id, group_id);`,
  // Per-user conversation settings (pin, do not disturb) and one-sided deletes (single messages,
  // and the history up to a seq). (This version also made the text search's tables, here until
  // the next one moved them to a file of their own: a file migrated since never gets them.)
  `ALTER TABLE user_conversations ADD COLUMN is_top INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE user_conversations ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE user_conversations ADD COLUMN cleared_seq INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE inbox ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE message_deletions (
     user_id TEXT NOT NULL,
     message_id INTEGER NOT NULL,
     PRIMARY KEY (user_id, message_id)
   ) WITHOUT ROWID;`,
  // The text search moves to the search file (sqlite-search.ts), kept by a thread of its own,
  // which indexes this file's messages again from the first. This file keeps what that thread
  // cannot see in the messages: the recalls whose entries it must remove, and the store's id,
  // which tells a search file of this store from another's.
  `DROP TRIGGER IF EXISTS message_text_added;
   DROP TRIGGER IF EXISTS message_text_removed;
   DROP TABLE IF EXISTS message_text_index;
   DROP TABLE IF EXISTS message_text;
   CREATE TABLE search_removals (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     message_id INTEGER NOT NULL
   );
   CREATE TABLE store_identity (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     store_id TEXT NOT NULL
   );
   INSERT INTO store_identity (id, store_id) VALUES (1, lower(hex(randomblob(16))));`,
  // The index that finds a resend (one per sender and clientMsgId) led with the sender, so each
  // commit wrote a page of it per sender; clientMsgIds begin with the time they were made (the
  // core's do), so led by them, new entries go together at the end. A SQLite table keeps the
  // order of its UNIQUE constraint: the table is made again, ids and AUTOINCREMENT's high-water
  // mark kept (an id is never given twice, even after the newest message's row).
  `CREATE TABLE messages_next (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     conversation_key TEXT NOT NULL,
     conversation_type INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     sender_id TEXT NOT NULL,
     client_msg_id TEXT NOT NULL,
     message_uid TEXT NOT NULL UNIQUE,
     object_name TEXT NOT NULL,
     content BLOB NOT NULL,
     sent_time INTEGER NOT NULL,
     counted INTEGER NOT NULL,
     UNIQUE (client_msg_id, sender_id),
     UNIQUE (conversation_key, seq)
   );
   INSERT INTO messages_next (id, conversation_key, conversation_type, seq, sender_id, client_msg_id, message_uid,
     object_name, content, sent_time, counted)
   SELECT id, conversation_key, conversation_type, seq, sender_id, client_msg_id, message_uid, object_name, content,
     sent_time, counted FROM messages ORDER BY id;
   DELETE FROM sqlite_sequence WHERE name = 'messages_next';
   INSERT INTO sqlite_sequence (name, seq) SELECT 'messages_next', seq FROM sqlite_sequence WHERE name = 'messages';
   DROP TABLE messages;
   ALTER TABLE messages_next RENAME TO messages;`,
];


/** The statuses each scope lists, and whether it is the agent's own (else their groups'). */
const SCOPES: Record<ServiceSessionScope, { own: boolean; statuses: string }> = {
  mine: { own: true, statuses: '["open","pending"]' },
  queued: { own: false, statuses: '["queued"]' },
  all: { own: false, statuses: '["queued","open","pending"]' },
  resolved: { own: true, statuses: '["resolved"]' },
};

/**
 * The conversation types a list can be filtered by, each a bit of a mask: a filter is at most
 * these few values however many a client sends, and one static statement serves every filter.
 */
const LISTABLE_TYPES: readonly number[] = [...SUPPORTED_CONVERSATION_TYPES].sort((a, b) => a - b);

/** The mask of the known types in `types`; undefined when there is no filter. */
function typeMask(types: readonly number[] | undefined): number | undefined {
  if (!types?.length) return undefined;
  let mask = 0;
  for (const type of new Set(types)) {
    const bit = LISTABLE_TYPES.indexOf(type);
    if (bit >= 0) mask |= 1 << bit;
  }
  return mask;
}

/** A row's conversation_type as its bit of the mask (0 for a type no filter can name). */
const TYPE_BIT_SQL = `(CASE conversation_type ${LISTABLE_TYPES.map((type, bit) => `WHEN ${type} THEN ${1 << bit}`).join(' ')} ELSE 0 END)`;

interface MessageRow {
  id: number;
  conversation_key: string;
  conversation_type: number;
  seq: number;
  sender_id: string;
  client_msg_id: string;
  message_uid: string;
  object_name: string;
  content: Buffer;
  sent_time: number;
  counted: number;
}

/** A row of PAGE_COLUMNS: `content` is null when it is too large to come with the row. */
type PageRow = Omit<MessageRow, 'content'> & { content: Buffer | null };

interface UserConversationRow {
  conversation_key: string;
  conversation_type: number;
  read_seq: number;
  latest_cursor: number;
  is_top: number;
  muted: number;
  cleared_seq: number;
}

/** The columns of a UserConversationRow. */
const USER_CONVERSATION_COLUMNS = 'conversation_key, conversation_type, read_seq, latest_cursor, is_top, muted, cleared_seq';

const toMessage = (row: MessageRow): StoredMessage => ({
  id: row.id,
  conversationKey: row.conversation_key,
  conversationType: row.conversation_type,
  senderUserId: row.sender_id,
  clientMsgId: row.client_msg_id,
  messageUid: row.message_uid,
  objectName: row.object_name,
  content: new Uint8Array(row.content.buffer, row.content.byteOffset, row.content.byteLength),
  sentTime: row.sent_time,
  seq: row.seq,
  counted: row.counted === 1,
});

/** Rows mapped as they are pulled: what a page does not reach is never converted. */
function* mapRows<R, T>(rows: Iterable<R>, map: (row: R) => T): Generator<T> {
  for (const row of rows) yield map(row);
}

/** A page's rows carry contents up to this size; a larger one is read when the page reaches its row. */
const INLINE_CONTENT_BYTES = 4096;

/**
 * The columns of a page of messages: every row of the LIMIT is read at once (as fast as it gets
 * for small messages), but a large content only when a page takes its row (`length()` of a blob
 * does not read it), so a page cut after one large message never reads the 200 after it.
 */
const PAGE_COLUMNS = `m.id, m.conversation_key, m.conversation_type, m.seq, m.sender_id, m.client_msg_id, m.message_uid, m.object_name,
  m.sent_time, m.counted, CASE WHEN length(m.content) <= ${INLINE_CONTENT_BYTES} THEN m.content END AS content`;

/**
 * The store's methods that write. With a writer thread, these run there, on its own connection,
 * one at a time in the order they were called; everything else reads on the caller's connection.
 */
export const WRITE_METHODS = [
  'upsertUser', 'createGroup', 'joinGroup', 'quitGroup', 'renameGroup', 'dismissGroup', 'appendMessage', 'recallMessage',
  'markRead', 'markDelivered', 'removeConversation', 'setConversationSettings', 'deleteMessagesFor', 'clearHistoryFor',
  'revokeTokens', 'setServiceGroup', 'setServiceAgentAway', 'setServiceAgent', 'createServiceSession', 'updateServiceSession',
  'rateServiceSession', 'addServiceNote', 'addServiceTicket', 'closeServiceTicket', 'blockUser', 'unblockUser', 'setUserStatus',
] as const satisfies ReadonlyArray<keyof ChatStore>;

export type WriteMethod = (typeof WRITE_METHODS)[number];

/** The writes that change a group's members (the group's id is their first argument). */
const MEMBERSHIP_WRITES: ReadonlySet<WriteMethod> = new Set(['createGroup', 'joinGroup', 'quitGroup', 'dismissGroup']);

/** How many groups' member lists the store keeps at most (then it starts over). */
const MEMBER_CACHE_GROUPS = 10_000;

/** The writes that change a blacklist (owner and blocked user are their first two arguments). */
const BLACKLIST_WRITES: ReadonlySet<WriteMethod> = new Set(['blockUser', 'unblockUser']);

/** How many (owner, user) answers of isBlocked the store keeps at most (then it starts over). */
const BLOCK_CACHE_PAIRS = 100_000;

const blockKey = (ownerId: string, blockedId: string): string => `${ownerId}\n${blockedId}`;

/** A write call as it crosses to the writer thread, and its answer. */
export interface WriterCall { id: number; method: WriteMethod; args: unknown[] }
export type WriterReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WriterError };
export interface WriterError { name: string; message: string; code?: string; recallConflict?: boolean }

/** An error as the writer sends it: its class (RecallConflict or not), name, message and SQLite code. */
export function toWriterError(error: unknown): WriterError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}),
    ...(error instanceof RecallConflict ? { recallConflict: true } : {}),
  };
}

function fromWriterError(error: WriterError): Error {
  if (error.recallConflict) return new RecallConflict(error.message);
  const result = new Error(error.message);
  result.name = error.name;
  if (error.code !== undefined) Object.assign(result, { code: error.code });
  return result;
}

/**
 * The caller's side of the writer thread. Calls made in one tick cross in one message; the
 * thread answers each once its transaction has committed (an append: once its group commit,
 * fsync included, is done), so a read made after a write resolved sees it (WAL: every read
 * starts from the latest commit).
 */
class WriterThread {
  private worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  /** The calls handed to the current thread and not answered yet. */
  private readonly handedOver = new Set<number>();
  private outbox: WriterCall[] = [];
  private sendScheduled = false;
  private closing = false;
  /** While a stopped thread's successor is not started yet (calls wait in the outbox): when it is. */
  private restart: Promise<void> | undefined;
  /** Stops in a row without an answer in between: the wait before the next start grows. */
  private stopsInARow = 0;
  private exited!: Promise<void>;

  constructor(private readonly file: string, private readonly checkpoints: Checkpoints, private readonly log: (message: string) => void) {
    this.worker = this.start();
  }

  private start(): Worker {
    // Beside this module under a TypeScript loader, beside dist/im-server.js once built.
    const worker = startWorker('sqlite-writer.ts', 'im-server-sqlite-writer.js', { file: this.file, checkpoints: this.checkpoints } satisfies WriterThreadData);
    if (this.waiting.size === 0) worker.unref();
    worker.on('message', (replies: WriterReply[]) => {
      this.stopsInARow = 0;
      for (const reply of replies) {
        const call = this.waiting.get(reply.id);
        this.handedOver.delete(reply.id);
        if (!call) continue;
        this.waiting.delete(reply.id);
        if (reply.ok) call.resolve(reply.value);
        else call.reject(fromWriterError(reply.error));
      }
      if (this.waiting.size === 0 && !this.closing) worker.unref();
    });
    let failure: Error | undefined;
    worker.on('error', (error) => { failure = error; });
    this.exited = new Promise((resolve) => worker.once('exit', () => {
      this.stopped(failure);
      resolve();
    }));
    return worker;
  }

  /**
   * The thread ended. Unless closing, that is a failure (an exception it did not catch, memory):
   * the calls it had fail (their transaction may have committed or not: an append sent again
   * under its clientMsgId is stored once), the calls not handed over yet wait, and a new thread
   * starts, soon, then later if it keeps stopping.
   */
  private stopped(failure: Error | undefined): void {
    const reason = new Error(`the SQLite writer thread stopped${failure ? `: ${failure.message}` : ''}`);
    for (const id of this.handedOver) {
      this.waiting.get(id)?.reject(reason);
      this.waiting.delete(id);
    }
    this.handedOver.clear();
    if (this.closing) {
      for (const call of this.waiting.values()) call.reject(reason);
      this.waiting.clear();
      return;
    }
    const delay = Math.min(50 * 2 ** this.stopsInARow++, 5000);
    this.log(`sqlite: ${reason.message}; starting a new one in ${delay} ms`);
    this.restart = new Promise((resolve) => setTimeout(() => {
      this.restart = undefined;
      this.worker = this.start();
      this.send();
      resolve();
    }, delay));
  }

  call(method: WriteMethod, args: unknown[]): Promise<unknown> {
    if (this.closing) return Promise.reject(new Error('the store is closing'));
    if (method === 'appendMessage') {
      // The content's bytes alone cross (posting a view copies its whole buffer), and a new
      // message comes back as what the writer chose for it alone (see toAppendReply).
      const input = args[0] as AppendInput;
      const own = ownBytes(input.content);
      return this.post(method, own === input.content ? args : [{ ...input, content: own }]).then((value) => {
        const reply = value as AppendReply;
        return Array.isArray(reply) ? { duplicate: false, message: newMessage(input, reply, own) } satisfies AppendResult : reply;
      });
    }
    return this.post(method, args);
  }

  private post(method: WriteMethod, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1 && !this.restart) this.worker.ref();
      this.outbox.push({ id, method, args });
      if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(this.send);
      }
    });
  }

  private readonly send = (): void => {
    this.sendScheduled = false;
    if (this.restart || !this.outbox.length) return;
    const calls = this.outbox;
    this.outbox = [];
    for (const call of calls) this.handedOver.add(call.id);
    this.worker.ref();
    this.worker.postMessage(calls);
  };

  /** Hands over what is queued, lets the thread finish it and close its connection, and waits for it to end. */
  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    // A thread being replaced: its successor takes what waits, then closes.
    await this.restart;
    this.send();
    // Held until the thread has ended (the answers to the last writes would otherwise let go of it).
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }
}

export type Checkpoints = 'commits' | 'search-thread';

/** What the writer thread is started with. */
export interface WriterThreadData { file: string; checkpoints: Checkpoints }

/** The WAL's size, in pages, past which the writer's commits checkpoint when the search thread is to. */
const CHECKPOINT_BACKSTOP_PAGES = 16_000;

export interface SqliteStoreOptions {
  /**
   * Where writes run: 'thread' (the default for a file), a worker thread with a connection of
   * its own, so the group commit's work and fsync never hold up this thread; or 'inline', on
   * this thread's connection (the only choice for ':memory:', and what the writer thread itself uses).
   */
  writer?: 'thread' | 'inline';
  /**
   * Where the message search is kept: 'thread' (the default for a file with a writer thread), in
   * the search file (`<file>-search`) by a thread of its own, so indexing costs the writer
   * nothing; 'inline', by this connection when a search needs it (':memory:' keeps it in
   * memory); 'none', no search (the writer thread's own store).
   */
  search?: 'thread' | 'inline' | 'none';
  /**
   * Who copies the WAL back into the file (a checkpoint): 'commits', SQLite's default, the commit
   * that takes the WAL past 1,000 pages, whose callers wait for the copy and its fsync; or
   * 'search-thread', that thread after each catch-up (sqlite-search-worker.ts), beside the
   * writer's commits, which then checkpoint only past CHECKPOINT_BACKSTOP_PAGES (that thread
   * stopped, or writes with no message among them). By default 'search-thread' for a store with
   * a search thread, else 'commits'; a store hands its choice to its writer thread.
   */
  checkpoints?: Checkpoints;
  /** Where a failure the store recovers from (a writer thread started again) and an existing file's migration are told: stderr by default. */
  log?: (message: string) => void;
}

/**
 * An append's answer as the writer thread sends it. A new message: only what the writer chose
 * for it (id, seq, time, uid); the rest, its content included, is the caller's own, which
 * WriterThread.call puts back, so it does not cross the threads again (a structured clone costs
 * per property: the whole message took ~4 µs of the event loop to receive, this ~1.5). A
 * duplicate: the stored message, whole.
 */
type Chosen = [id: number, seq: number, sentTime: number, messageUid: string];
type AppendReply = AppendResult | Chosen;

/** A new message: the input, with what the writer chose for it. */
function newMessage(input: AppendInput, [id, seq, sentTime, messageUid]: Chosen, content: Uint8Array): StoredMessage {
  return {
    id, conversationKey: input.conversationKey, conversationType: input.conversationType, senderUserId: input.senderUserId,
    clientMsgId: input.clientMsgId, messageUid, objectName: input.objectName, content, sentTime, seq, counted: input.counted,
  };
}

function toAppendReply(result: AppendResult): AppendReply {
  if (result.duplicate) return result;
  const { id, seq, sentTime, messageUid } = result.message;
  return [id, seq, sentTime, messageUid];
}

/** The writes after which the search index has something to do. */
const SEARCH_WRITES: ReadonlySet<WriteMethod> = new Set(['appendMessage', 'recallMessage']);

interface PendingAppend {
  input: AppendInput;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a resolved append
 * survives SIGKILL and power loss. Appends arriving in the same tick share one transaction
 * (group commit): one fsync for many messages.
 */
export class SqliteChatStore implements ChatStore {
  private readonly db: Database.Database;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly statements;

  private readonly writer: WriterThread | undefined;
  private readonly search: SearchFollower | undefined;
  private readonly searchStatements: ReturnType<typeof searchStatements> | undefined;
  /**
   * Member lists by group, read on every group send: forgotten when this store changes the
   * group (createGroup, joinGroup, quitGroup, dismissGroup), so it assumes what it was built
   * for: one server process per SQLite file.
   */
  private readonly members = new Map<string, readonly string[]>();
  /**
   * isBlocked's answers by (owner, user), read on every private send: forgotten when this store
   * changes that pair (blockUser, unblockUser). The same assumption as the member cache.
   */
  private readonly blocks = new Map<string, boolean>();
  private savepointStatements: { begin: Database.Statement; release: Database.Statement; rollback: Database.Statement } | undefined;
  private get savepoint() {
    return this.savepointStatements ??= {
      begin: this.db.prepare('SAVEPOINT write_call'), release: this.db.prepare('RELEASE write_call'),
      rollback: this.db.prepare('ROLLBACK TO write_call'),
    };
  }

  /** `file` is a path, or ':memory:' for a throwaway store. */
  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.db = new Database(file);
    // A new file only (a file's page size is fixed once it has tables). An append changes a few
    // rows on several pages (inbox and index entries per recipient), and every changed page goes
    // to the WAL and its fsync whole: 2 KB pages halve those bytes, and the commit's cost with
    // them (bench:server, BENCHMARKS.md), while reads of small messages stay as fast.
    this.db.pragma('page_size = 2048');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    const inline = file === ':memory:' || options.writer === 'inline';
    // Only the connection that writes the messages checkpoints (a store with a writer thread only migrates here).
    if (inline && options.checkpoints === 'search-thread') this.db.pragma(`wal_autocheckpoint = ${CHECKPOINT_BACKSTOP_PAGES}`);
    const log = options.log ?? ((line: string) => console.error(line));
    this.migrate(log);
    const search = options.search === 'none' ? 'none' : inline ? 'inline' : options.search ?? 'thread';
    if (search !== 'none') {
      attachSearch(this.db, file, true);
      this.search = search === 'thread' ? new SearchThread(file) : new InlineSearch(this.db);
    }
    if (!inline) {
      // Started once the schema is current. Its methods shadow the inline ones on this instance.
      const checkpoints = options.checkpoints ?? (search === 'thread' ? 'search-thread' : 'commits');
      const writer = this.writer = new WriterThread(file, checkpoints, log);
      for (const method of WRITE_METHODS) {
        const changesMembers = MEMBERSHIP_WRITES.has(method);
        const changesBlacklist = BLACKLIST_WRITES.has(method);
        const follower = SEARCH_WRITES.has(method) ? this.search : undefined;
        const call = (...args: unknown[]) => {
          let settled = writer.call(method, args);
          // Before the caller goes on: its next read must not come from the member cache.
          if (changesMembers) settled = settled.finally(() => this.members.delete(args[0] as string));
          if (changesBlacklist) settled = settled.finally(() => this.blocks.delete(blockKey(args[0] as string, args[1] as string)));
          if (follower) settled = settled.then((value) => { follower.stored(); return value; });
          return settled;
        };
        Object.defineProperty(this, method, { value: call, configurable: true });
      }
    }
    const db = this.db;
    this.searchStatements = this.search && searchStatements(db);
    this.statements = {
      upsertUser: db.prepare(`INSERT INTO users (user_id, name, portrait_uri, created_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
          name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE users.name END,
          portrait_uri = CASE WHEN excluded.portrait_uri <> '' THEN excluded.portrait_uri ELSE users.portrait_uri END`),
      getUser: db.prepare('SELECT user_id, name, portrait_uri FROM users WHERE user_id = ?'),
      upsertGroup: db.prepare(`INSERT INTO groups (group_id, name, created_at) VALUES (?, ?, ?)
        ON CONFLICT (group_id) DO UPDATE SET name = excluded.name`),
      groupExists: db.prepare('SELECT 1 FROM groups WHERE group_id = ?').pluck(),
      groupName: db.prepare('SELECT name FROM groups WHERE group_id = ?').pluck(),
      addMember: db.prepare('INSERT OR IGNORE INTO group_members (group_id, user_id, joined_at) VALUES (?, ?, ?)'),
      removeMember: db.prepare('DELETE FROM group_members WHERE group_id = ? AND user_id = ?'),
      renameGroup: db.prepare('UPDATE groups SET name = ? WHERE group_id = ?'),
      deleteGroup: db.prepare('DELETE FROM groups WHERE group_id = ?'),
      deleteMembers: db.prepare('DELETE FROM group_members WHERE group_id = ?'),
      members: db.prepare('SELECT user_id FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id').pluck(),
      findDuplicate: db.prepare('SELECT * FROM messages WHERE sender_id = ? AND client_msg_id = ?'),
      nextSeq: db.prepare(`INSERT INTO conversations (conversation_key, conversation_type, last_seq) VALUES (?, ?, 1)
        ON CONFLICT (conversation_key) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`).pluck(),
      insertMessage: db.prepare(`INSERT INTO messages (conversation_key, conversation_type, seq, sender_id, client_msg_id,
        message_uid, object_name, content, sent_time, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).pluck(),
      insertInbox: db.prepare(`INSERT OR IGNORE INTO inbox (user_id, message_id, conversation_key, seq, unread_counts)
        VALUES (?, ?, ?, ?, ?)`),
      touchConversation: db.prepare(`INSERT INTO user_conversations (user_id, conversation_key, conversation_type, latest_cursor)
        VALUES (?, ?, ?, ?) ON CONFLICT (user_id, conversation_key) DO UPDATE SET latest_cursor = excluded.latest_cursor`),
      sync: db.prepare(`SELECT ${PAGE_COLUMNS} FROM inbox i JOIN messages m ON m.id = i.message_id
        WHERE i.user_id = ? AND i.message_id > ? AND i.deleted = 0 ORDER BY i.message_id LIMIT ?`),
      historyBefore: db.prepare(`SELECT ${PAGE_COLUMNS} FROM messages m WHERE conversation_key = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
      historyAfter: db.prepare(`SELECT ${PAGE_COLUMNS} FROM messages m WHERE conversation_key = ? AND seq > ? ORDER BY seq ASC LIMIT ?`),
      historyBeforeFor: db.prepare(`SELECT ${PAGE_COLUMNS} FROM messages m WHERE conversation_key = @key AND seq < @before
        AND ${VISIBLE_TO_VIEWER} ORDER BY seq DESC LIMIT @limit`),
      historyAfterFor: db.prepare(`SELECT ${PAGE_COLUMNS} FROM messages m WHERE conversation_key = @key AND seq > @after
        AND ${VISIBLE_TO_VIEWER} ORDER BY seq ASC LIMIT @limit`),
      addRemoval: db.prepare('INSERT INTO search_removals (message_id) VALUES (?)'),
      settings: db.prepare('SELECT is_top, muted FROM user_conversations WHERE user_id = ? AND conversation_key = ?'),
      // A conversation the user has no row of yet (no message) gets one that stays out of the list (latest_cursor 0).
      ensureUserConversation: db.prepare(`INSERT OR IGNORE INTO user_conversations (user_id, conversation_key, conversation_type, latest_cursor)
        VALUES (?, ?, ?, 0)`),
      setTop: db.prepare('UPDATE user_conversations SET is_top = ? WHERE user_id = ? AND conversation_key = ?'),
      setMuted: db.prepare('UPDATE user_conversations SET muted = ? WHERE user_id = ? AND conversation_key = ?'),
      deletable: db.prepare(`SELECT m.id FROM messages m WHERE m.conversation_key = @key AND m.message_uid = @uid AND ${VISIBLE_TO_VIEWER}`).pluck(),
      addDeletion: db.prepare('INSERT OR IGNORE INTO message_deletions (user_id, message_id) VALUES (?, ?)'),
      deleteFromInbox: db.prepare('UPDATE inbox SET deleted = 1, unread_counts = 0 WHERE user_id = ? AND message_id = ?'),
      lastSeqAtTime: db.prepare('SELECT MAX(seq) FROM messages WHERE conversation_key = ? AND sent_time <= ?').pluck(),
      setCleared: db.prepare('UPDATE user_conversations SET cleared_seq = MAX(cleared_seq, ?) WHERE user_id = ? AND conversation_key = ?'),
      clearInbox: db.prepare(`UPDATE inbox SET deleted = 1, unread_counts = 0 WHERE user_id = ? AND conversation_key = ? AND seq <= ?
        AND deleted = 0`),
      isDeletedFor: db.prepare('SELECT 1 FROM message_deletions WHERE user_id = ? AND message_id = ?').pluck(),
      // The newest message of the conversation the user still has (a recall command is never a preview).
      latestVisible: db.prepare(`SELECT m.* FROM inbox i JOIN messages m ON m.id = i.message_id WHERE i.user_id = ?
        AND i.conversation_key = ? AND i.deleted = 0 AND m.object_name <> 'RC:RcCmd' ORDER BY i.seq DESC LIMIT 1`),
      listedKeys: db.prepare(`SELECT conversation_key FROM user_conversations WHERE user_id = ? AND latest_cursor > hidden_cursor
        ORDER BY latest_cursor DESC`).pluck(),
      listedKeysOfTypes: db.prepare(`SELECT conversation_key FROM user_conversations WHERE user_id = ? AND latest_cursor > hidden_cursor
        AND (${TYPE_BIT_SQL} & ?) <> 0 ORDER BY latest_cursor DESC`).pluck(),
      totalUnread: db.prepare(`SELECT COUNT(*) FROM user_conversations uc JOIN inbox i ON i.user_id = uc.user_id
        AND i.conversation_key = uc.conversation_key AND i.seq > uc.read_seq AND i.unread_counts = 1
        WHERE uc.user_id = @user AND uc.latest_cursor > uc.hidden_cursor AND (@all = 1 OR uc.muted = 0)`).pluck(),
      contentById: db.prepare('SELECT content FROM messages WHERE id = ?').pluck(),
      messageById: db.prepare('SELECT * FROM messages WHERE id = ?'),
      messageByUid: db.prepare('SELECT * FROM messages WHERE conversation_key = ? AND message_uid = ?'),
      replaceMessage: db.prepare(`UPDATE messages SET object_name = ?, content = ?, counted = 0
        WHERE id = ? AND object_name = ?`),
      uncount: db.prepare('UPDATE inbox SET unread_counts = 0 WHERE message_id = ?'),
      userConversation: db.prepare(`SELECT ${USER_CONVERSATION_COLUMNS}
        FROM user_conversations WHERE user_id = ? AND conversation_key = ?`),
      unread: db.prepare(`SELECT COUNT(*) FROM inbox WHERE user_id = ? AND conversation_key = ? AND seq > ?
        AND unread_counts = 1`).pluck(),
      latestSeq: db.prepare('SELECT MAX(seq) FROM inbox WHERE user_id = ? AND conversation_key = ?').pluck(),
      setRead: db.prepare(`UPDATE user_conversations SET read_seq = MAX(read_seq, ?) WHERE user_id = ? AND conversation_key = ?`),
      positions: db.prepare(`SELECT read_seq, delivered_seq FROM user_conversations WHERE user_id = ? AND conversation_key = ?`),
      // The newest message of someone else the user has, at or below the seq a device told.
      deliverableSeq: db.prepare(`SELECT MAX(i.seq) FROM inbox i JOIN messages m ON m.id = i.message_id
        WHERE i.user_id = ? AND i.conversation_key = ? AND i.seq <= ? AND m.sender_id <> ?`).pluck(),
      setDelivered: db.prepare(`UPDATE user_conversations SET delivered_seq = MAX(delivered_seq, ?)
        WHERE user_id = ? AND conversation_key = ?`),
      messageBySeq: db.prepare('SELECT * FROM messages WHERE conversation_key = ? AND seq = ?'),
      groupReadPositions: db.prepare(`SELECT gm.user_id AS user_id, COALESCE(uc.read_seq, 0) AS read_seq,
        COALESCE(uc.delivered_seq, 0) AS delivered_seq FROM group_members gm
        JOIN inbox i ON i.user_id = gm.user_id AND i.conversation_key = ? AND i.seq = ?
        LEFT JOIN user_conversations uc ON uc.user_id = gm.user_id AND uc.conversation_key = i.conversation_key
        WHERE gm.group_id = ? ORDER BY gm.joined_at, gm.user_id`),
      hide: db.prepare(`UPDATE user_conversations SET hidden_cursor = latest_cursor WHERE user_id = ? AND conversation_key = ?`),
      countMessages: db.prepare('SELECT COUNT(*) FROM messages').pluck(),
      latestCursor: db.prepare('SELECT MAX(message_id) FROM inbox WHERE user_id = ?').pluck(),
      countUsers: db.prepare('SELECT COUNT(*) FROM users').pluck(),
      conversationPage: db.prepare(`SELECT ${USER_CONVERSATION_COLUMNS}
        FROM user_conversations WHERE user_id = ? AND latest_cursor > hidden_cursor AND latest_cursor < ?
        ORDER BY latest_cursor DESC LIMIT ?`),
      // The mask is applied per row: the (user_id, latest_cursor) index still drives the scan.
      conversationPageOfTypes: db.prepare(`SELECT ${USER_CONVERSATION_COLUMNS}
        FROM user_conversations WHERE user_id = ? AND latest_cursor > hidden_cursor AND latest_cursor < ?
        AND (${TYPE_BIT_SQL} & ?) <> 0 ORDER BY latest_cursor DESC LIMIT ?`),
      revokeTokens: db.prepare(`INSERT INTO token_revocations (user_id, valid_after) VALUES (?, ?)
        ON CONFLICT (user_id) DO UPDATE SET valid_after = MAX(valid_after, excluded.valid_after)`),
      tokensValidAfter: db.prepare('SELECT valid_after FROM token_revocations WHERE user_id = ?').pluck(),
      countGroups: db.prepare('SELECT COUNT(*) FROM groups').pluck(),
      setServiceGroup: db.prepare(`INSERT INTO cs_groups (group_id, name, mode, welcome, faq, max_per_agent, settings) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, mode = excluded.mode, welcome = excluded.welcome,
        faq = excluded.faq, max_per_agent = excluded.max_per_agent, settings = excluded.settings`),
      serviceGroup: db.prepare('SELECT * FROM cs_groups WHERE group_id = ?'),
      upsertAgent: db.prepare(`INSERT INTO cs_agents (user_id, cap, created_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET cap = excluded.cap`),
      deleteAgent: db.prepare('DELETE FROM cs_agents WHERE user_id = ?'),
      clearAgentGroups: db.prepare('DELETE FROM cs_agent_groups WHERE user_id = ?'),
      addAgentGroup: db.prepare('INSERT OR IGNORE INTO cs_agent_groups (group_id, user_id) VALUES (?, ?)'),
      agent: db.prepare('SELECT user_id, cap, created_at, away FROM cs_agents WHERE user_id = ?'),
      setAgentAway: db.prepare('UPDATE cs_agents SET away = ? WHERE user_id = ?'),
      agentGroups: db.prepare('SELECT group_id FROM cs_agent_groups WHERE user_id = ? ORDER BY group_id').pluck(),
      agentsOf: db.prepare(`SELECT a.user_id FROM cs_agent_groups g JOIN cs_agents a ON a.user_id = g.user_id
        WHERE g.group_id = ? ORDER BY a.created_at, a.user_id`).pluck(),
      insertSession: db.prepare(`INSERT INTO cs_sessions (group_id, serving_group_id, visitor_id, status, agent_id, created_at, queued_at,
        visitor_info, start_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?,
        COALESCE((SELECT last_seq FROM conversations WHERE conversation_key = ?), 0) + 1) RETURNING *`),
      ownSessions: db.prepare(`SELECT * FROM cs_sessions WHERE agent_id = ? AND status IN (SELECT value FROM json_each(?))
        AND session_id < ? ORDER BY session_id DESC LIMIT ?`),
      groupSessions: db.prepare(`SELECT * FROM cs_sessions WHERE serving_group_id IN (SELECT value FROM json_each(?))
        AND status IN (SELECT value FROM json_each(?)) AND session_id < ? ORDER BY session_id DESC LIMIT ?`),
      nextSession: db.prepare(`SELECT * FROM cs_sessions WHERE visitor_id = ? AND group_id = ? AND session_id > ?
        ORDER BY session_id LIMIT 1`),
      session: db.prepare('SELECT * FROM cs_sessions WHERE session_id = ?'),
      latestSession: db.prepare('SELECT * FROM cs_sessions WHERE visitor_id = ? AND group_id = ? ORDER BY session_id DESC LIMIT 1'),
      updateSession: db.prepare(`UPDATE cs_sessions SET status = ?, agent_id = ?, serving_group_id = ?, queued_at = ?
        WHERE session_id = ? RETURNING *`),
      queued: db.prepare(`SELECT * FROM cs_sessions WHERE serving_group_id = ? AND status = 'queued' ORDER BY queued_at, session_id`),
      agentSessions: db.prepare(`SELECT * FROM cs_sessions WHERE agent_id = ? AND status IN ('open', 'pending') ORDER BY session_id`),
      rate: db.prepare('UPDATE cs_sessions SET rating = ?, comment = ? WHERE session_id = ? AND rating = 0'),
      addNote: db.prepare('INSERT INTO cs_notes (session_id, author_id, text, time) VALUES (?, ?, ?, ?)'),
      addTicket: db.prepare(`INSERT INTO cs_tickets (group_id, visitor_id, name, email, message, form, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?, 'open', ?) RETURNING *`),
      ticket: db.prepare('SELECT * FROM cs_tickets WHERE ticket_id = ?'),
      tickets: db.prepare(`SELECT * FROM cs_tickets WHERE group_id IN (SELECT value FROM json_each(?))
        AND (? IS NULL OR status = ?) ORDER BY ticket_id DESC LIMIT ?`),
      closeTicket: db.prepare(`UPDATE cs_tickets SET status = 'closed', closed_by = ?, closed_at = ? WHERE ticket_id = ? AND status = 'open'`),
      countTickets: db.prepare('SELECT COUNT(*) FROM cs_tickets WHERE visitor_id = ? AND created_at >= ?').pluck(),
      notes: db.prepare('SELECT session_id, author_id, text, time FROM cs_notes WHERE session_id = ? ORDER BY id'),
      block: db.prepare('INSERT INTO blacklist (owner_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      unblock: db.prepare('DELETE FROM blacklist WHERE owner_id = ? AND blocked_id = ?'),
      isBlocked: db.prepare('SELECT 1 FROM blacklist WHERE owner_id = ? AND blocked_id = ?').pluck(),
      blocked: db.prepare('SELECT blocked_id, created_at FROM blacklist WHERE owner_id = ? AND blocked_id > ? ORDER BY blocked_id LIMIT ?'),
      countBlocked: db.prepare('SELECT COUNT(*) FROM blacklist WHERE owner_id = ?').pluck(),
      setUserStatus: db.prepare(`INSERT INTO user_status (user_id, status, text) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, text = excluded.text`),
      userStatus: db.prepare('SELECT status, text FROM user_status WHERE user_id = ?'),
      sharesConversation: db.prepare(`SELECT 1 WHERE (SELECT COUNT(*) FROM user_conversations WHERE user_id IN (?, ?) AND conversation_key = ?) = 2
        OR EXISTS (SELECT 1 FROM group_members a JOIN group_members b ON b.group_id = a.group_id AND b.user_id = ? WHERE a.user_id = ?)`).pluck(),
    };
  }

  /** An existing file's migrations are told, with their time: one may remake a table (seconds per million messages). */
  private migrate(log: (message: string) => void): void {
    const applied = this.db.pragma('user_version', { simple: true }) as number;
    if (applied === migrations.length) return;
    const started = performance.now();
    if (applied > 0) log(`sqlite: migrating the schema from version ${applied} to ${migrations.length}`);
    for (let version = applied; version < migrations.length; version++) {
      this.db.transaction(() => {
        this.db.exec(migrations[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
    if (applied > 0) log(`sqlite: migrated to version ${migrations.length} in ${Math.round(performance.now() - started)} ms`);
  }

  async upsertUser(user: UserRecord): Promise<void> {
    this.statements.upsertUser.run(user.userId, user.name, user.portraitUri, Date.now());
  }

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const row = this.statements.getUser.get(userId) as { user_id: string; name: string; portrait_uri: string } | undefined;
    return row && { userId: row.user_id, name: row.name, portraitUri: row.portrait_uri };
  }

  async createGroup(groupId: string, name: string, userIds: readonly string[]): Promise<void> {
    this.members.delete(groupId);
    this.db.transaction(() => {
      this.statements.upsertGroup.run(groupId, name, Date.now());
      this.addMembers(groupId, userIds);
    })();
  }

  async joinGroup(groupId: string, userIds: readonly string[]): Promise<boolean> {
    this.members.delete(groupId);
    return this.db.transaction(() => {
      if (!this.statements.groupExists.get(groupId)) return false;
      this.addMembers(groupId, userIds);
      return true;
    })();
  }

  private addMembers(groupId: string, userIds: readonly string[]): void {
    const now = Date.now();
    for (const userId of userIds) this.statements.addMember.run(groupId, userId, now);
  }

  async quitGroup(groupId: string, userIds: readonly string[]): Promise<boolean> {
    this.members.delete(groupId);
    return this.db.transaction(() => {
      if (!this.statements.groupExists.get(groupId)) return false;
      for (const userId of userIds) this.statements.removeMember.run(groupId, userId);
      return true;
    })();
  }

  async renameGroup(groupId: string, name: string): Promise<boolean> {
    return this.statements.renameGroup.run(name, groupId).changes > 0;
  }

  async dismissGroup(groupId: string): Promise<string[] | undefined> {
    this.members.delete(groupId);
    return this.db.transaction(() => {
      if (!this.statements.groupExists.get(groupId)) return undefined;
      const members = this.statements.members.all(groupId) as string[];
      this.statements.deleteMembers.run(groupId);
      this.statements.deleteGroup.run(groupId);
      return members;
    })();
  }

  async groupExists(groupId: string): Promise<boolean> {
    return !!this.statements.groupExists.get(groupId);
  }

  async groupName(groupId: string): Promise<string | undefined> {
    return this.statements.groupName.get(groupId) as string | undefined;
  }

  /** The group's member list, from the cache or read (and kept). */
  private memberList(groupId: string): readonly string[] {
    let members = this.members.get(groupId);
    if (!members) {
      members = this.statements.members.all(groupId) as string[];
      if (this.members.size >= MEMBER_CACHE_GROUPS) this.members.clear();
      this.members.set(groupId, members);
    }
    return members;
  }

  async groupMembers(groupId: string): Promise<string[]> {
    return [...this.memberList(groupId)];
  }

  async isGroupMember(groupId: string, userId: string): Promise<boolean> {
    return this.memberList(groupId).includes(userId);
  }

  appendMessage(input: AppendInput): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  // An arrow function: handed to setImmediate, it must keep `this`.
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    const outcomes: Array<{ ok: true; result: AppendResult } | { ok: false; error: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const { input } of batch) {
          // A nested transaction is a savepoint: one bad message does not sink the batch.
          try {
            outcomes.push({ ok: true, result: this.db.transaction(() => this.appendOne(input))() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.result);
      else item.reject(outcome.error);
    });
  };

  private appendOne(input: AppendInput): AppendResult {
    const s = this.statements;
    const existing = s.findDuplicate.get(input.senderUserId, input.clientMsgId) as MessageRow | undefined;
    if (existing) return { message: toMessage(existing), duplicate: true };
    const seq = s.nextSeq.get(input.conversationKey, input.conversationType) as number;
    const sentTime = Date.now();
    const messageUid = newMessageUid();
    const id = s.insertMessage.get(input.conversationKey, input.conversationType, seq, input.senderUserId,
      input.clientMsgId, messageUid, input.objectName, input.content, sentTime, input.counted ? 1 : 0) as number;
    for (const userId of new Set(input.recipients)) {
      const counts = input.counted && userId !== input.senderUserId ? 1 : 0;
      s.insertInbox.run(userId, id, input.conversationKey, seq, counts);
      if (input.listed !== false) s.touchConversation.run(userId, input.conversationKey, input.conversationType, id);
    }
    if (input.listed !== false && !input.recipients.includes(input.senderUserId)) {
      s.touchConversation.run(input.senderUserId, input.conversationKey, input.conversationType, id);
    }
    return { duplicate: false, message: newMessage(input, [id, seq, sentTime, messageUid], input.content) };
  }

  /**
   * The writer thread's group commit: every call of `calls` in one transaction (BEGIN IMMEDIATE:
   * this connection is the only writer), each in a savepoint of its own, so one that fails is
   * undone alone and does not sink the others; then one COMMIT, one fsync. Answers in call order
   * once committed (a new append as toAppendReply has it); if the commit itself
   * fails, every call fails with its error.
   */
  commitWrites(calls: readonly WriterCall[]): Promise<WriterReply[]> {
    const outcomes: Array<Promise<unknown>> = [];
    const methods = this as unknown as Record<WriteMethod, (...args: unknown[]) => Promise<unknown>>;
    try {
      this.db.transaction(() => {
        for (const { method, args } of calls) {
          try {
            // An append runs here rather than in the next flush. Every other write method does its
            // work before it returns (nested in this transaction, its own transaction is a savepoint).
            // (better-sqlite3's transaction() refuses a function that returns a promise, hence the plain savepoint.)
            this.savepoint.begin.run();
            outcomes.push(method === 'appendMessage' ? Promise.resolve(toAppendReply(this.appendOne(args[0] as AppendInput))) : methods[method](...args));
            this.savepoint.release.run();
          } catch (error) {
            this.savepoint.rollback.run();
            this.savepoint.release.run();
            outcomes.push(Promise.reject(error));
          }
        }
      }).immediate();
    } catch (error) {
      for (const outcome of outcomes) outcome.catch(() => undefined);
      return Promise.resolve(calls.map(({ id }) => ({ id, ok: false as const, error: toWriterError(error) })));
    }
    return Promise.all(outcomes.map((outcome, i) => outcome.then(
      (value): WriterReply => ({ id: calls[i]!.id, ok: true, value }),
      (error: unknown): WriterReply => ({ id: calls[i]!.id, ok: false, error: toWriterError(error) }),
    )));
  }

  async messageByUid(conversationKey: string, messageUid: string): Promise<StoredMessage | undefined> {
    const row = this.statements.messageByUid.get(conversationKey, messageUid) as MessageRow | undefined;
    return row && toMessage(row);
  }

  async recallMessage(input: RecallInput): Promise<AppendResult> {
    const s = this.statements;
    return this.db.transaction(() => {
      const existing = s.findDuplicate.get(input.command.senderUserId, input.command.clientMsgId) as MessageRow | undefined;
      if (existing) return { message: toMessage(existing), duplicate: true };
      const { changes } = s.replaceMessage.run(input.replacement.objectName, input.replacement.content, input.messageId,
        input.expectedObjectName);
      if (changes === 0) throw new RecallConflict('the message changed before the recall');
      s.uncount.run(input.messageId);
      s.addRemoval.run(input.messageId);
      return this.appendOne(input.command);
    })();
  }

  async latestCursor(userId: string): Promise<number> {
    return (this.statements.latestCursor.get(userId) as number | null) ?? 0;
  }

  async syncAfter(userId: string, cursor: number, limit: number, budget?: PageBudget<StoredMessage>) {
    const rows = this.statements.sync.all(userId, cursor, limit + 1) as PageRow[];
    const { items, hasMore } = takePage(mapRows(rows, this.pageMessage), limit, budget);
    return { messages: items, hasMore };
  }

  /** A row of PAGE_COLUMNS as a message, its large content read now. */
  private readonly pageMessage = (row: PageRow): StoredMessage =>
    toMessage(row.content === null ? { ...row, content: this.statements.contentById.get(row.id) as Buffer } : row as MessageRow);

  async history(conversationKey: string,
    query: { before?: number; after?: number; count: number; budget?: PageBudget<StoredMessage>; viewerId?: string }) {
    const { count, budget, viewerId } = query;
    const s = this.statements;
    if (query.after !== undefined && query.before === undefined) {
      const rows = (viewerId === undefined ? s.historyAfter.all(conversationKey, query.after, count + 1)
        : s.historyAfterFor.all({ key: conversationKey, after: query.after, limit: count + 1, viewer: viewerId })) as PageRow[];
      const { items, hasMore } = takePage(mapRows(rows, this.pageMessage), count, budget);
      return { messages: items, hasMore };
    }
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    // Newest first: a page cut by its bytes keeps the newest, and the older ones are what is left.
    const rows = (viewerId === undefined ? s.historyBefore.all(conversationKey, before, count + 1)
      : s.historyBeforeFor.all({ key: conversationKey, before, limit: count + 1, viewer: viewerId })) as PageRow[];
    let { items, hasMore } = takePage(mapRows(rows, this.pageMessage), count, budget);
    if (query.after !== undefined) items = items.filter((message) => message.seq > query.after!);
    return { messages: items.reverse(), hasMore };
  }

  async conversationList(userId: string, query: { types?: readonly number[]; before?: number; count: number; budget?: PageBudget<ConversationState> }) {
    const before = query.before || Number.MAX_SAFE_INTEGER;
    const mask = typeMask(query.types);
    if (mask === 0) return { conversations: [], hasMore: false };
    const rows = (mask === undefined
      ? this.statements.conversationPage.all(userId, before, query.count + 1)
      : this.statements.conversationPageOfTypes.all(userId, before, mask, query.count + 1)) as UserConversationRow[];
    // A row's state (and its latest message) is read only when the page reaches it.
    const { items, hasMore } = takePage(mapRows(rows.slice(0, query.count), (row) => this.conversationState(userId, row)), query.count, query.budget);
    return { conversations: items, hasMore: hasMore || rows.length > query.count };
  }

  private conversationState(userId: string, row: UserConversationRow): ConversationState {
    let latest = this.statements.messageById.get(row.latest_cursor) as MessageRow | undefined;
    // Deleted for this user: the preview is the newest message they still have (the list's order stays).
    if (latest && (latest.seq <= row.cleared_seq || this.statements.isDeletedFor.get(userId, latest.id))) {
      latest = this.statements.latestVisible.get(userId, row.conversation_key) as MessageRow | undefined;
    }
    const participants = privateParticipants(row.conversation_key);
    const peerId = participants && (participants[0] === userId ? participants[1] : participants[0]);
    const peer = peerId !== undefined && peerId !== userId ? this.positions(peerId, row.conversation_key) : undefined;
    return {
      conversationKey: row.conversation_key,
      conversationType: row.conversation_type,
      readSeq: row.read_seq,
      unreadCount: this.statements.unread.get(userId, row.conversation_key, row.read_seq) as number,
      latestMessage: latest && toMessage(latest),
      latestCursor: row.latest_cursor,
      isTop: row.is_top === 1,
      muted: row.muted === 1,
      clearedSeq: row.cleared_seq,
      // Last: on Node 20, a property added after a spread costs ~1 µs.
      ...(peer ? { peerReadSeq: peer.readSeq, peerDeliveredSeq: Math.max(peer.readSeq, peer.deliveredSeq) } : {}),
    };
  }

  async markRead(userId: string, conversationKey: string, readSeq?: number): Promise<ConversationState | undefined> {
    return this.db.transaction(() => {
      const latest = (this.statements.latestSeq.get(userId, conversationKey) as number | null) ?? 0;
      this.statements.setRead.run(readSeq ? Math.min(readSeq, latest) : latest, userId, conversationKey);
      const row = this.statements.userConversation.get(userId, conversationKey) as UserConversationRow | undefined;
      return row && this.conversationState(userId, row);
    })();
  }

  private positions(userId: string, conversationKey: string): ReceiptPositions | undefined {
    const row = this.statements.positions.get(userId, conversationKey) as { read_seq: number; delivered_seq: number } | undefined;
    return row && { readSeq: row.read_seq, deliveredSeq: row.delivered_seq };
  }

  async receiptPositions(userId: string, conversationKey: string): Promise<ReceiptPositions | undefined> {
    return this.positions(userId, conversationKey);
  }

  async markDelivered(userId: string, conversationKey: string, seq: number): Promise<number> {
    return this.db.transaction(() => {
      const deliverable = (this.statements.deliverableSeq.get(userId, conversationKey, seq, userId) as number | null) ?? 0;
      if (deliverable > 0) this.statements.setDelivered.run(deliverable, userId, conversationKey);
      return this.positions(userId, conversationKey)?.deliveredSeq ?? 0;
    })();
  }

  async messageBySeq(conversationKey: string, seq: number): Promise<StoredMessage | undefined> {
    const row = this.statements.messageBySeq.get(conversationKey, seq) as MessageRow | undefined;
    return row && toMessage(row);
  }

  async groupReadPositions(groupId: string, conversationKey: string, seq: number) {
    const rows = this.statements.groupReadPositions.all(conversationKey, seq, groupId) as Array<{ user_id: string; read_seq: number; delivered_seq: number }>;
    return rows.map((row) => ({ userId: row.user_id, readSeq: row.read_seq, deliveredSeq: row.delivered_seq }));
  }

  async removeConversation(userId: string, conversationKey: string): Promise<ConversationState | undefined> {
    return this.db.transaction(() => {
      this.statements.hide.run(userId, conversationKey);
      const latest = (this.statements.latestSeq.get(userId, conversationKey) as number | null) ?? 0;
      this.statements.setRead.run(latest, userId, conversationKey);
      const row = this.statements.userConversation.get(userId, conversationKey) as UserConversationRow | undefined;
      return row && this.conversationState(userId, row);
    })();
  }

  async conversationSettings(userId: string, conversationKey: string): Promise<ConversationSettings> {
    const row = this.statements.settings.get(userId, conversationKey) as { is_top: number; muted: number } | undefined;
    return { isTop: row?.is_top === 1, muted: row?.muted === 1 };
  }

  async setConversationSettings(userId: string, conversationKey: string, conversationType: number, change: Partial<ConversationSettings>) {
    const s = this.statements;
    return this.db.transaction(() => {
      s.ensureUserConversation.run(userId, conversationKey, conversationType);
      if (change.isTop !== undefined) s.setTop.run(change.isTop ? 1 : 0, userId, conversationKey);
      if (change.muted !== undefined) s.setMuted.run(change.muted ? 1 : 0, userId, conversationKey);
      const row = s.settings.get(userId, conversationKey) as { is_top: number; muted: number };
      return { isTop: row.is_top === 1, muted: row.muted === 1 };
    })();
  }

  async deleteMessagesFor(userId: string, conversationKey: string, messageUids: readonly string[]): Promise<string[]> {
    const s = this.statements;
    return this.db.transaction(() => {
      const deleted: string[] = [];
      for (const uid of new Set(messageUids)) {
        const id = s.deletable.get({ key: conversationKey, uid, viewer: userId }) as number | undefined;
        if (id === undefined) continue;
        s.addDeletion.run(userId, id);
        s.deleteFromInbox.run(userId, id);
        deleted.push(uid);
      }
      return deleted;
    })();
  }

  async clearHistoryFor(userId: string, conversationKey: string, conversationType: number, timestamp: number): Promise<number> {
    const s = this.statements;
    return this.db.transaction(() => {
      const seq = (s.lastSeqAtTime.get(conversationKey, timestamp) as number | null) ?? 0;
      s.ensureUserConversation.run(userId, conversationKey, conversationType);
      if (seq > 0) {
        s.setCleared.run(seq, userId, conversationKey);
        s.clearInbox.run(userId, conversationKey, seq);
      }
      return (s.userConversation.get(userId, conversationKey) as UserConversationRow).cleared_seq;
    })();
  }

  async conversationKeys(userId: string, types?: readonly number[]): Promise<string[]> {
    const mask = typeMask(types);
    if (mask === 0) return [];
    return (mask === undefined ? this.statements.listedKeys.all(userId) : this.statements.listedKeysOfTypes.all(userId, mask)) as string[];
  }

  async totalUnread(userId: string, options: { excludeMuted?: boolean } = {}): Promise<number> {
    return this.statements.totalUnread.get({ user: userId, all: options.excludeMuted ? 0 : 1 }) as number;
  }

  /** The search statements, once the search file holds everything this file held when called. */
  private async searchable(): Promise<ReturnType<typeof searchStatements>> {
    if (!this.search || !this.searchStatements) throw new Error('this store keeps no search');
    await this.search.reach(readHeads(this.db));
    return this.searchStatements;
  }

  async searchConversations(query: SearchQuery & { limit: number }): Promise<SearchConversationHit[]> {
    if (!query.text || !query.conversationKeys.length) return [];
    const search = await this.searchable();
    const statement = indexable(query.text) ? search.searchConversationsIndexed : search.searchConversationsScan;
    const rows = statement.all({
      viewer: query.viewerId, keys: JSON.stringify(query.conversationKeys), text: searchTerm(query.text), limit: query.limit,
    }) as Array<{ conversation_key: string; conversation_type: number; matches: number; latest: number }>;
    return rows.map((row) => ({
      conversationKey: row.conversation_key, conversationType: row.conversation_type, matchCount: row.matches,
      latestMatch: toMessage(this.statements.messageById.get(row.latest) as MessageRow),
    }));
  }

  async searchMessages(query: SearchQuery & { beforeTime?: number; beforeId?: number; count: number; budget?: PageBudget<StoredMessage> }) {
    if (!query.text || !query.conversationKeys.length) return { messages: [], hasMore: false };
    const search = await this.searchable();
    const statement = indexable(query.text) ? search.searchMessagesIndexed : search.searchMessagesScan;
    const rows = statement.all({
      viewer: query.viewerId, keys: JSON.stringify(query.conversationKeys), text: searchTerm(query.text),
      before: query.beforeTime && query.beforeTime > 0 ? query.beforeTime : Number.MAX_SAFE_INTEGER, beforeId: query.beforeId ?? 0,
      limit: query.count + 1,
    }) as PageRow[];
    const { items, hasMore } = takePage(mapRows(rows, this.pageMessage), query.count, query.budget);
    return { messages: items, hasMore };
  }

  async revokeTokens(userId: string, validAfter: number): Promise<void> {
    this.statements.revokeTokens.run(userId, validAfter);
  }

  async tokensValidAfter(userId: string): Promise<number> {
    return (this.statements.tokensValidAfter.get(userId) as number | undefined) ?? 0;
  }

  async setServiceGroup(group: ServiceGroupRecord): Promise<void> {
    const { hours, preChatFields, offlineMessage, cannedReplies } = group;
    this.statements.setServiceGroup.run(group.groupId, group.name, group.mode, group.welcome, JSON.stringify(group.faq), group.maxPerAgent,
      JSON.stringify({ hours, preChatFields, offlineMessage, cannedReplies }));
  }

  async serviceGroup(groupId: string): Promise<ServiceGroupRecord | undefined> {
    const row = this.statements.serviceGroup.get(groupId) as
      { group_id: string; name: string; mode: 'robot' | 'human'; welcome: string; faq: string; max_per_agent: number; settings: string } | undefined;
    return row && {
      groupId: row.group_id, name: row.name, mode: row.mode, welcome: row.welcome, faq: JSON.parse(row.faq), maxPerAgent: row.max_per_agent,
      ...JSON.parse(row.settings),
    };
  }

  async setServiceAgentAway(userId: string, away: boolean): Promise<boolean> {
    return this.statements.setAgentAway.run(away ? 1 : 0, userId).changes === 1;
  }

  async setServiceAgent(agent: Omit<ServiceAgentRecord, 'createdAt' | 'away'>): Promise<void> {
    const s = this.statements;
    this.db.transaction(() => {
      s.clearAgentGroups.run(agent.userId);
      if (agent.groupIds.length === 0) {
        s.deleteAgent.run(agent.userId);
        return;
      }
      s.upsertAgent.run(agent.userId, agent.cap, Date.now());
      for (const groupId of agent.groupIds) s.addAgentGroup.run(groupId, agent.userId);
    })();
  }

  async serviceAgent(userId: string): Promise<ServiceAgentRecord | undefined> {
    const row = this.statements.agent.get(userId) as { user_id: string; cap: number; created_at: number; away: number } | undefined;
    return row && {
      userId: row.user_id, cap: row.cap, createdAt: row.created_at, groupIds: this.statements.agentGroups.all(userId) as string[],
      away: row.away === 1,
    };
  }

  async serviceAgentsOf(groupId: string): Promise<ServiceAgentRecord[]> {
    const agents: ServiceAgentRecord[] = [];
    for (const userId of this.statements.agentsOf.all(groupId) as string[]) {
      const agent = await this.serviceAgent(userId);
      if (agent) agents.push(agent);
    }
    return agents;
  }

  async createServiceSession(session: NewServiceSession): Promise<ServiceSessionRecord> {
    return toServiceSession(this.statements.insertSession.get(session.groupId, session.servingGroupId, session.visitorId, session.status,
      session.agentId, session.createdAt, session.queuedAt, JSON.stringify(session.visitorInfo ?? {}),
      serviceConversationKey(session.groupId, session.visitorId)) as ServiceSessionRow);
  }

  async serviceSessions(query: ServiceSessionQuery): Promise<ServiceSessionRecord[]> {
    const { own, statuses } = SCOPES[query.scope];
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    const rows = own
      ? this.statements.ownSessions.all(query.agentId, statuses, before, query.limit)
      : this.statements.groupSessions.all(JSON.stringify(query.groupIds), statuses, before, query.limit);
    return (rows as ServiceSessionRow[]).map(toServiceSession);
  }

  async nextServiceSession(session: ServiceSessionRecord): Promise<ServiceSessionRecord | undefined> {
    const row = this.statements.nextSession.get(session.visitorId, session.groupId, session.sessionId) as ServiceSessionRow | undefined;
    return row && toServiceSession(row);
  }

  async serviceSession(sessionId: number): Promise<ServiceSessionRecord | undefined> {
    const row = this.statements.session.get(sessionId) as ServiceSessionRow | undefined;
    return row && toServiceSession(row);
  }

  async latestServiceSession(visitorId: string, groupId: string): Promise<ServiceSessionRecord | undefined> {
    const row = this.statements.latestSession.get(visitorId, groupId) as ServiceSessionRow | undefined;
    return row && toServiceSession(row);
  }

  async updateServiceSession(sessionId: number, change: Partial<Pick<ServiceSessionRecord, 'status' | 'agentId' | 'servingGroupId' | 'queuedAt'>>) {
    return this.db.transaction(() => {
      const row = this.statements.session.get(sessionId) as ServiceSessionRow | undefined;
      if (!row) return undefined;
      const next = { ...toServiceSession(row), ...change };
      return toServiceSession(this.statements.updateSession.get(next.status, next.agentId, next.servingGroupId, next.queuedAt, sessionId) as ServiceSessionRow);
    })();
  }

  async queuedServiceSessions(servingGroupId: string): Promise<ServiceSessionRecord[]> {
    return (this.statements.queued.all(servingGroupId) as ServiceSessionRow[]).map(toServiceSession);
  }

  async agentServiceSessions(agentId: string): Promise<ServiceSessionRecord[]> {
    return (this.statements.agentSessions.all(agentId) as ServiceSessionRow[]).map(toServiceSession);
  }

  async rateServiceSession(sessionId: number, rating: number, comment: string): Promise<boolean> {
    return this.statements.rate.run(rating, comment, sessionId).changes === 1;
  }

  async addServiceNote(note: ServiceNoteRecord): Promise<void> {
    this.statements.addNote.run(note.sessionId, note.authorId, note.text, note.time);
  }

  async serviceNotes(sessionId: number): Promise<ServiceNoteRecord[]> {
    return (this.statements.notes.all(sessionId) as Array<{ session_id: number; author_id: string; text: string; time: number }>)
      .map((row) => ({ sessionId: row.session_id, authorId: row.author_id, text: row.text, time: row.time }));
  }

  async addServiceTicket(ticket: Omit<ServiceTicketRecord, 'ticketId' | 'status' | 'closedBy' | 'closedAt'>): Promise<ServiceTicketRecord> {
    return toServiceTicket(this.statements.addTicket.get(ticket.groupId, ticket.visitorId, ticket.name, ticket.email, ticket.message,
      JSON.stringify(ticket.form), ticket.createdAt) as ServiceTicketRow);
  }

  async serviceTicket(ticketId: number): Promise<ServiceTicketRecord | undefined> {
    const row = this.statements.ticket.get(ticketId) as ServiceTicketRow | undefined;
    return row && toServiceTicket(row);
  }

  async serviceTickets(query: { groupIds: readonly string[]; status?: 'open' | 'closed'; limit: number }): Promise<ServiceTicketRecord[]> {
    const status = query.status ?? null;
    return (this.statements.tickets.all(JSON.stringify(query.groupIds), status, status, query.limit) as ServiceTicketRow[]).map(toServiceTicket);
  }

  async closeServiceTicket(ticketId: number, closedBy: string, closedAt: number): Promise<ServiceTicketRecord | undefined> {
    return this.db.transaction(() => {
      this.statements.closeTicket.run(closedBy, closedAt, ticketId);
      const row = this.statements.ticket.get(ticketId) as ServiceTicketRow | undefined;
      return row && toServiceTicket(row);
    })();
  }

  async countServiceTickets(visitorId: string, since: number): Promise<number> {
    return this.statements.countTickets.get(visitorId, since) as number;
  }

  async blockUser(ownerId: string, blockedId: string, time: number, limit = Infinity): Promise<'added' | 'exists' | 'full'> {
    this.blocks.delete(blockKey(ownerId, blockedId));
    return this.db.transaction(() => {
      if (this.statements.isBlocked.get(ownerId, blockedId)) return 'exists' as const;
      if ((this.statements.countBlocked.get(ownerId) as number) >= limit) return 'full' as const;
      this.statements.block.run(ownerId, blockedId, time);
      return 'added' as const;
    })();
  }

  async unblockUser(ownerId: string, blockedId: string): Promise<boolean> {
    this.blocks.delete(blockKey(ownerId, blockedId));
    return this.statements.unblock.run(ownerId, blockedId).changes > 0;
  }

  async isBlocked(ownerId: string, blockedId: string): Promise<boolean> {
    const key = blockKey(ownerId, blockedId);
    let blocked = this.blocks.get(key);
    if (blocked === undefined) {
      blocked = !!this.statements.isBlocked.get(ownerId, blockedId);
      if (this.blocks.size >= BLOCK_CACHE_PAIRS) this.blocks.clear();
      this.blocks.set(key, blocked);
    }
    return blocked;
  }

  async blockedUsers(ownerId: string, query: { after?: string; limit: number; budget?: PageBudget<BlacklistEntry> }) {
    const rows = this.statements.blocked.all(ownerId, query.after ?? '', query.limit + 1) as Array<{ blocked_id: string; created_at: number }>;
    const page = takePage(rows.map((row) => ({ userId: row.blocked_id, time: row.created_at })), query.limit, query.budget);
    return { entries: page.items, hasMore: page.hasMore };
  }

  async countBlocked(ownerId: string): Promise<number> {
    return this.statements.countBlocked.get(ownerId) as number;
  }

  async setUserStatus(userId: string, status: { status: ChosenUserStatus; text: string }): Promise<void> {
    this.statements.setUserStatus.run(userId, status.status, status.text);
  }

  async userStatus(userId: string): Promise<{ status: ChosenUserStatus; text: string } | undefined> {
    return this.statements.userStatus.get(userId) as { status: ChosenUserStatus; text: string } | undefined;
  }

  async sharesConversation(userId: string, otherId: string): Promise<boolean> {
    return !!this.statements.sharesConversation.get(userId, otherId, conversationKey(ConversationType.PRIVATE, userId, otherId), otherId, userId);
  }

  async stats() {
    const s = this.statements;
    return {
      messages: s.countMessages.get() as number,
      users: s.countUsers.get() as number,
      groups: s.countGroups.get() as number,
    };
  }

  async close(): Promise<void> {
    await this.writer?.close();
    await this.search?.close();
    if (this.pending.length) this.flush();
    this.db.close();
  }

  private logStatements?: { after: Database.Statement; recipients: Database.Statement };

  /**
   * The global log after `afterId`. SQLite keeps no `listed` flag: the only unlisted messages
   * the server writes are recall commands (RC:RcCmd), so that is what is read as unlisted. The
   * inbox has no index by message: its recipients are read by one range scan per page.
   */
  async lastMessageId(): Promise<number> {
    return (this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM messages').get() as { id: number }).id;
  }

  async messagesAfter(afterId: number, limit: number): Promise<Array<{ message: StoredMessage; recipients: string[]; listed: boolean }>> {
    if (limit <= 0) return [];
    this.logStatements ??= {
      after: this.db.prepare('SELECT * FROM messages WHERE id > ? ORDER BY id LIMIT ?'),
      recipients: this.db.prepare('SELECT message_id, user_id FROM inbox WHERE message_id BETWEEN ? AND ? ORDER BY message_id, user_id'),
    };
    const rows = this.logStatements.after.all(afterId, limit) as MessageRow[];
    if (!rows.length) return [];
    const recipients = new Map<number, string[]>(rows.map((row) => [row.id, []]));
    for (const { message_id: id, user_id: userId } of this.logStatements.recipients.all(rows[0]!.id, rows.at(-1)!.id) as
      Array<{ message_id: number; user_id: string }>) {
      recipients.get(id)?.push(userId);
    }
    return rows.map((row) => ({ message: toMessage(row), recipients: recipients.get(row.id)!, listed: row.object_name !== 'RC:RcCmd' }));
  }
}

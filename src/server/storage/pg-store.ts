import type { Pool, PoolClient, QueryResult, CustomTypesConfig } from 'pg';
import { createHash } from 'node:crypto';
import {
  RecallConflict, SEARCHABLE_FIELDS, StoreUnavailable, takePage, type AppendInput, type AppendResult, type ChatStore, type ConversationState, type PageBudget, type ReceiptPositions,
  type RecallInput, type StoredMessage, type UserRecord, type ServiceAgentRecord, type ServiceGroupRecord, type ServiceNoteRecord,
  type ServiceSessionRecord, type ServiceSessionStatus, type ConversationSettings, type SearchConversationHit, type SearchQuery, type NewServiceSession,
  type ServiceSessionQuery, type ServiceSessionScope, type ServiceTicketRecord,
} from './chat-store.js';
import type { BlacklistEntry, ChosenUserStatus } from '../../core/protocol/social-records.js';
import { ConversationType } from '../../core/protocol/codes.js';
import { SUPPORTED_CONVERSATION_TYPES, conversationKey, newMessageUid, privateParticipants, serviceConversationKey } from '../ids.js';
import { MIGRATION_LOCK_KEY, migrations } from './pg-schema.js';
import { toServiceSession, toServiceTicket, type ServiceSessionRow, type ServiceTicketRow } from './service-rows.js';

/** A JSON field as SQLite's CAST(json_extract(...) AS TEXT) gives it ('' for null or absent). */
function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The searchable text of a message, lower-cased here (Unicode-aware, whatever the database's
 * locale) so that matching it against a lower-cased pattern is any-case; '' when none.
 */
function searchableText(objectName: string, content: Uint8Array): string {
  if (!Object.hasOwn(SEARCHABLE_FIELDS, objectName)) return '';
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8'));
  } catch {
    return '';
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : {};
  const text = SEARCHABLE_FIELDS[objectName]!.map((field) => fieldText(record[field])).join(' ');
  return text.trim() === '' ? '' : text.toLowerCase().replace(/\0/g, '');
}

/** A LIKE pattern that finds `text` anywhere, its wildcards and the escape taken literally. */
const containsPattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** PostgreSQL text cannot hold NUL: such an input fails alone, before its batch is written. */
const hasNul = (...values: string[]): boolean => values.some((value) => value.includes('\0'));

const appendHasNul = (input: AppendInput): boolean =>
  hasNul(input.conversationKey, input.senderUserId, input.clientMsgId, input.objectName, ...input.recipients);

/** Conversation types a filter can match: the supported ones it names; undefined: no filter. */
function knownTypes(types: readonly number[] | undefined): number[] | undefined {
  if (!types?.length) return undefined;
  return [...new Set(types)].filter((type) => SUPPORTED_CONVERSATION_TYPES.has(type));
}

const MESSAGE_FIELDS = ['id', 'conversation_key', 'conversation_type', 'seq', 'sender_id', 'client_msg_id', 'message_uid', 'object_name',
  'content', 'sent_time', 'counted'] as const;

/** The message columns of alias `m`, each named with `prefix`. */
const messageColumns = (m: string, prefix = ''): string => MESSAGE_FIELDS.map((field) => `${m}.${field} AS ${prefix}${field}`).join(', ');
const MSG = messageColumns('m');

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
  counted: boolean;
}

/** A row's message, from the columns named with `prefix`. */
function toMessage(row: Record<string, any>, prefix = ''): StoredMessage {
  const content = row[`${prefix}content`] as Buffer;
  return {
    id: row[`${prefix}id`],
    conversationKey: row[`${prefix}conversation_key`],
    conversationType: row[`${prefix}conversation_type`],
    senderUserId: row[`${prefix}sender_id`],
    clientMsgId: row[`${prefix}client_msg_id`],
    messageUid: row[`${prefix}message_uid`],
    objectName: row[`${prefix}object_name`],
    content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
    sentTime: row[`${prefix}sent_time`],
    seq: row[`${prefix}seq`],
    counted: row[`${prefix}counted`],
  };
}

/** A message row is visible to viewer $1: not deleted by them, not in their cleared history. */
const VISIBLE_TO_VIEWER = `NOT EXISTS (SELECT 1 FROM message_deletions d WHERE d.user_id = $1 AND d.message_id = m.id)
  AND m.seq > COALESCE((SELECT uc.cleared_seq FROM user_conversations uc WHERE uc.user_id = $1
    AND uc.conversation_key = m.conversation_key), 0)`;

/**
 * A user's conversation rows `uc` with everything their states need, in one statement: the
 * unread count, and the preview (the latest message, or when the user deleted it or cleared the
 * history past it, the newest they still have that is not a recall command).
 */
const CONVERSATION_STATE_SELECT = `SELECT uc.conversation_key, uc.conversation_type, uc.read_seq, uc.latest_cursor, uc.is_top, uc.muted,
  uc.cleared_seq, (SELECT count(*) FROM inbox i WHERE i.user_id = uc.user_id AND i.conversation_key = uc.conversation_key
    AND i.seq > uc.read_seq AND i.unread_counts) AS unread, lm.*
  FROM user_conversations uc LEFT JOIN LATERAL (
    (SELECT ${messageColumns('m', 'lm_')} FROM messages m WHERE m.id = uc.latest_cursor AND m.seq > uc.cleared_seq
      AND NOT EXISTS (SELECT 1 FROM message_deletions d WHERE d.user_id = uc.user_id AND d.message_id = m.id))
    UNION ALL
    (SELECT ${messageColumns('m', 'lm_')} FROM inbox i JOIN messages m ON m.id = i.message_id
      WHERE uc.latest_cursor > 0 AND i.user_id = uc.user_id AND i.conversation_key = uc.conversation_key AND NOT i.deleted
      AND m.object_name <> 'RC:RcCmd' ORDER BY i.seq DESC LIMIT 1)
    LIMIT 1) lm ON true`;

interface ConversationStateRow {
  conversation_key: string;
  conversation_type: number;
  read_seq: number;
  latest_cursor: number;
  is_top: boolean;
  muted: boolean;
  cleared_seq: number;
  unread: number;
  lm_id: number | null;
}


/** The statuses each scope lists, and whether it is the agent's own (else their groups'). */
const SCOPES: Record<ServiceSessionScope, { own: boolean; statuses: string[] }> = {
  mine: { own: true, statuses: ['open', 'pending'] },
  queued: { own: false, statuses: ['queued'] },
  all: { own: false, statuses: ['queued', 'open', 'pending'] },
  resolved: { own: true, statuses: ['resolved'] },
};

/** Advisory-lock class (first key of the two-key form) of a user's blacklist changes. */
const BLACKLIST_LOCK_CLASS = 0x696d626c;

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown } | { ok: 'defer' };

type PendingWrite = ({ kind: 'append'; input: AppendInput } | { kind: 'recall'; recall: RecallInput }) & {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
  /** The log head when this write's batch first held it: a message of its key stored after that is its own. */
  firstHead?: number;
};

/** The append a write makes (a recall's is its command). */
const appendOf = (item: PendingWrite): AppendInput => (item.kind === 'append' ? item.input : item.recall.command);
const dedupeKey = (input: AppendInput): string => JSON.stringify([input.senderUserId, input.clientMsgId]);

/** Thrown inside a batch when a row another writer committed turned up after the dedupe read: the batch is redone. */
class RetryBatch extends Error {}

/** Writes (appends and recalls) in one transaction at most. */
const MAX_BATCH = 500;

export interface PgChatStoreOptions {
  /** Connections of the pool (default 10). */
  poolSize?: number;
}

/**
 * The shared store: PostgreSQL, for one or several server nodes. Message ids are handed out from
 * a one-row counter (`im_log_head`) locked until COMMIT, so they become visible in increasing
 * order (`messagesAfter` followers never skip one); each conversation's seq comes from its row
 * in `conversations`, in the same transaction. Writes arriving while a commit is in flight go
 * into the next transaction together (group commit), four round trips per batch.
 */
export class PgChatStore implements ChatStore {
  private pending: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  /** The last read of `inOrder`'s chain. */
  private orderedTail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly pool: Pool) {}

  /**
   * Resolves `read` only after every read issued through here before it: the queries run in
   * parallel on the pool, but their callers resume in the order they asked. The server pipelines
   * a session's sends, each one a lookup (group members, the blacklist) and then an append, and
   * relies on the lookups finishing in order (as SQLite's do) for the appends to arrive in the
   * order the frames did; with a pool, a later lookup could otherwise finish first and its
   * message take the earlier seq. Only for the cheap point reads of that path.
   */
  private inOrder<T>(read: Promise<T>): Promise<T> {
    const previous = this.orderedTail;
    const result = read.then(async (value) => {
      await previous;
      return value;
    }, async (error: unknown) => {
      await previous;
      throw error;
    });
    this.orderedTail = result.catch(() => undefined);
    return result;
  }

  /** Connects, and applies the schema's missing migrations (serialized between nodes by an advisory lock). */
  static async open(url: string, options: PgChatStoreOptions = {}): Promise<PgChatStore> {
    const { default: pg } = await import('pg');
    // bigint columns (ids, times, counts) as JS numbers: they stay far below 2^53.
    const types: CustomTypesConfig = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as CustomTypesConfig['getTypeParser'],
    };
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types });
    // An idle connection that drops (a server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end().catch(() => {});
      throw new Error(`PostgreSQL at ${where(url)}: ${(error as Error).message}`, { cause: error });
    }
    return new PgChatStore(pool);
  }

  /** One statement with its whole result (rowCount), through outages like `query`. */
  private poolQuery(text: string, values?: unknown[]): Promise<QueryResult> {
    return this.throughOutages(() => this.pool.query(text, values));
  }

  private query<R extends Record<string, any> = any>(text: string, values?: unknown[]): Promise<R[]> {
    return this.throughOutages(async () => (await this.pool.query<R>(text, values)).rows);
  }

  /**
   * `work` through outages for up to OUTAGE_RETRY_MS (see throughOutages). The statements run
   * this way are reads and writes that come out the same when repeated (upserts, positions that
   * only move forward, sets).
   */
  private throughOutages<T>(work: () => Promise<T>): Promise<T> {
    return throughOutages(work, { waitMs: OUTAGE_RETRY_MS, stopped: () => this.closed });
  }

  /** Runs `work` in a transaction on one connection (again on another when the connection is lost). */
  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.throughOutages(() => this.transactionOnce(work));
  }

  private async transactionOnce<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await checkOut(this.pool);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      let broken: Error | undefined;
      await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
      client.release(broken);
      throw error;
    }
  }

  async upsertUser(user: UserRecord): Promise<void> {
    await this.query(`INSERT INTO users (user_id, name, portrait_uri, created_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (user_id) DO UPDATE SET
        name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE users.name END,
        portrait_uri = CASE WHEN excluded.portrait_uri <> '' THEN excluded.portrait_uri ELSE users.portrait_uri END`,
    [user.userId, user.name, user.portraitUri, Date.now()]);
  }

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const [row] = await this.query('SELECT user_id, name, portrait_uri FROM users WHERE user_id = $1', [userId]);
    return row && { userId: row.user_id, name: row.name, portraitUri: row.portrait_uri };
  }

  async createGroup(groupId: string, name: string, userIds: readonly string[]): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(`INSERT INTO groups (group_id, name, created_at) VALUES ($1, $2, $3)
        ON CONFLICT (group_id) DO UPDATE SET name = excluded.name`, [groupId, name, Date.now()]);
      await addMembers(client, groupId, userIds);
    });
  }

  async joinGroup(groupId: string, userIds: readonly string[]): Promise<boolean> {
    return this.transaction(async (client) => {
      // FOR SHARE: a dismissal waits for the join (and the join sees a group dismissed before it).
      if (!(await client.query('SELECT 1 FROM groups WHERE group_id = $1 FOR SHARE', [groupId])).rowCount) return false;
      await addMembers(client, groupId, userIds);
      return true;
    });
  }

  async quitGroup(groupId: string, userIds: readonly string[]): Promise<boolean> {
    return this.transaction(async (client) => {
      if (!(await client.query('SELECT 1 FROM groups WHERE group_id = $1 FOR SHARE', [groupId])).rowCount) return false;
      await client.query('DELETE FROM group_members WHERE group_id = $1 AND user_id = ANY($2::text[])', [groupId, [...userIds]]);
      return true;
    });
  }

  async renameGroup(groupId: string, name: string): Promise<boolean> {
    return ((await this.poolQuery('UPDATE groups SET name = $1 WHERE group_id = $2', [name, groupId])).rowCount ?? 0) > 0;
  }

  async dismissGroup(groupId: string): Promise<string[] | undefined> {
    return this.transaction(async (client) => {
      const deleted = await client.query('DELETE FROM groups WHERE group_id = $1', [groupId]);
      if (!deleted.rowCount) return undefined;
      const { rows } = await client.query(`DELETE FROM group_members WHERE group_id = $1 RETURNING user_id, joined_at`, [groupId]);
      return rows.sort((a, b) => a.joined_at - b.joined_at || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0))
        .map((row) => row.user_id as string);
    });
  }

  async groupExists(groupId: string): Promise<boolean> {
    return (await this.inOrder(this.query('SELECT 1 FROM groups WHERE group_id = $1', [groupId]))).length > 0;
  }

  async groupName(groupId: string): Promise<string | undefined> {
    return (await this.query('SELECT name FROM groups WHERE group_id = $1', [groupId]))[0]?.name;
  }

  async groupMembers(groupId: string): Promise<string[]> {
    return (await this.inOrder(this.query('SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY joined_at, user_id', [groupId])))
      .map((row) => row.user_id);
  }

  async isGroupMember(groupId: string, userId: string): Promise<boolean> {
    return (await this.inOrder(this.query('SELECT 1 FROM group_members WHERE group_id = $1 AND user_id = $2', [groupId, userId]))).length > 0;
  }

  appendMessage(input: AppendInput): Promise<AppendResult> {
    return this.enqueue({ kind: 'append', input });
  }

  recallMessage(input: RecallInput): Promise<AppendResult> {
    return this.enqueue({ kind: 'recall', recall: input });
  }

  private enqueue(write: { kind: 'append'; input: AppendInput } | { kind: 'recall'; recall: RecallInput }): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise((resolve, reject) => {
      // resolve and reject before the spread: on Node 20, a property added after a spread costs ~1 µs.
      this.pending.push({ resolve, reject, ...write } as PendingWrite);
      this.flushing ??= this.flushLoop();
    });
  }

  /**
   * Writes the pending batches one after the other: what arrives while a commit is in flight
   * waits for it, then goes in the next transaction together. The first batch starts after the
   * current tick, so that writes made together share it.
   */
  private async flushLoop(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, MAX_BATCH);
        await this.writeBatch(batch);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Writes a batch and settles its items; an item the batch could not take goes back to the front of the queue. */
  private async writeBatch(batch: PendingWrite[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.writeThroughOutages(batch);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Something in the batch failed the statement (not an item's own conflict): each item
      // alone, so that only the bad one fails.
      outcomes = [];
      for (const item of batch) {
        try {
          outcomes.push((await this.withClient((client) => this.writeOnce(client, [item])))[0]!);
        } catch (itemError) {
          outcomes.push({ ok: false, error: itemError });
        }
      }
    }
    const deferred: PendingWrite[] = [];
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok === 'defer') deferred.push(item);
      else if (outcome.ok) item.resolve(outcome.result);
      else item.reject(outcome.error);
    });
    this.pending.unshift(...deferred);
  }

  /**
   * The batch's transaction, again on a new connection while the database cannot be reached (a
   * terminated backend, a restart, a failover): the batch goes whole or not at all, in its order.
   * Failing its items one by one instead would let a sender's later message be stored while an
   * earlier one, failed and sent again, lands after it. A commit whose answer was lost is
   * found again by the retry (the pairs are stored: duplicates), never written twice.
   */
  private writeThroughOutages(batch: PendingWrite[]): Promise<Outcome[]> {
    return this.throughOutages(() => this.withClient((client) => this.writeOnce(client, batch)));
  }

  /** One connection for a batch's transaction; redone (a few times) when the batch asks for it. */
  private async withClient(work: (client: PoolClient) => Promise<Outcome[]>): Promise<Outcome[]> {
    for (let attempt = 0; ; attempt++) {
      const client = await checkOut(this.pool);
      try {
        const outcomes = await work(client);
        client.release();
        return outcomes;
      } catch (error) {
        let broken: Error | undefined;
        await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
        client.release(broken);
        if (!(error instanceof RetryBatch) || attempt >= 3) throw error;
      }
    }
  }

  /**
   * One transaction for the batch: lock the log head (every writer of messages does, so from here
   * on no other transaction can commit a message before this one does), read which (sender,
   * clientMsgId) pairs are stored, replace the recalled messages, then insert the new messages,
   * their inbox rows and list positions with ids after the head's and seqs after each
   * conversation's, in one statement; COMMIT; only then are the results handed out.
   */
  private async writeOnce(client: PoolClient, items: PendingWrite[]): Promise<Outcome[]> {
    const outcomes: Array<Outcome | undefined> = items.map((item) => {
      const input = appendOf(item);
      const bad = appendHasNul(input) || (item.kind === 'recall' && hasNul(item.recall.expectedObjectName, item.recall.replacement.objectName));
      return bad ? { ok: false, error: new Error('a text field contains a NUL character') } : undefined;
    });
    // Two recalls of one message: the second waits for the next batch (it will find the first's replacement).
    const recalled = new Set<number>();
    items.forEach((item, i) => {
      if (outcomes[i] || item.kind !== 'recall') return;
      if (recalled.has(item.recall.messageId)) outcomes[i] = { ok: 'defer' };
      recalled.add(item.recall.messageId);
    });
    const live = items.map((_, i) => i).filter((i) => !outcomes[i]);
    if (!live.length) return outcomes as Outcome[];

    // READ COMMITTED whatever the server's default: each statement after the lock sees what the
    // writers before committed (a snapshot taken before the lock would miss their messages).
    const [, headResult] = await client.query('BEGIN ISOLATION LEVEL READ COMMITTED; SELECT last_id FROM im_log_head FOR UPDATE') as unknown as QueryResult[];
    const head = Number(headResult!.rows[0].last_id);
    for (const i of live) items[i]!.firstHead ??= head;

    // Stored before (by any node: their commits are visible now that we hold the head).
    const keys = new Map<string, AppendInput>();
    for (const i of live) keys.set(dedupeKey(appendOf(items[i]!)), appendOf(items[i]!));
    const stored = new Map<string, StoredMessage>();
    const { rows: existing } = await client.query({
      name: 'im_dedupe',
      text: `SELECT ${MSG} FROM messages m WHERE (m.sender_id, m.client_msg_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      values: [[...keys.values()].map((input) => input.senderUserId), [...keys.values()].map((input) => input.clientMsgId)],
    });
    for (const row of existing) stored.set(JSON.stringify([row.sender_id, row.client_msg_id]), toMessage(row));

    // Which item first claims each new key; the others with that key are its duplicates.
    const claimant = new Map<string, number>();
    const recalls: number[] = [];
    for (const i of live) {
      const key = dedupeKey(appendOf(items[i]!));
      const message = stored.get(key);
      if (message) {
        // Stored after this write first held the head: by that attempt itself, whose COMMIT's
        // answer was lost with its connection. Nobody has had it yet: new, to be published.
        const own = message.id > items[i]!.firstHead! && !claimant.has(key);
        if (own) claimant.set(key, i);
        outcomes[i] = { ok: true, result: { message, duplicate: !own } };
      } else if (!claimant.has(key)) {
        claimant.set(key, i);
        if (items[i]!.kind === 'recall') recalls.push(i);
      }
    }

    if (recalls.length) {
      const targets = recalls.map((i) => (items[i] as PendingWrite & { kind: 'recall' }).recall);
      const { rows } = await client.query({ name: 'im_recall', text: `WITH replaced AS (
          UPDATE messages m SET object_name = r.object_name, content = r.content, counted = false, search_text = ''
          FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bytea[]) AS r(id, expected, object_name, content)
          WHERE m.id = r.id AND m.object_name = r.expected RETURNING m.id),
        uncounted AS (UPDATE inbox SET unread_counts = false WHERE message_id IN (SELECT id FROM replaced))
        SELECT id FROM replaced`,
      values: [targets.map((t) => t.messageId), targets.map((t) => t.expectedObjectName), targets.map((t) => t.replacement.objectName),
        targets.map((t) => Buffer.from(t.replacement.content.buffer, t.replacement.content.byteOffset, t.replacement.content.byteLength))] });
      const replaced = new Set(rows.map((row) => Number(row.id)));
      for (const i of recalls) {
        if (replaced.has((items[i] as PendingWrite & { kind: 'recall' }).recall.messageId)) continue;
        outcomes[i] = { ok: false, error: new RecallConflict('the message changed before the recall') };
        claimant.delete(dedupeKey(appendOf(items[i]!)));
      }
    }

    // The new messages, in the batch's order: ids after the head.
    const fresh = live.filter((i) => !outcomes[i] && claimant.get(dedupeKey(appendOf(items[i]!))) === i);
    const messages = new Map<number, StoredMessage>();
    if (fresh.length) {
      const now = Date.now();
      const rows = fresh.map((i, k) => ({ i, id: head + 1 + k, input: appendOf(items[i]!), uid: newMessageUid() }));
      const inbox = { ids: [] as number[], users: [] as string[], counts: [] as boolean[] };
      const touched = new Map<string, { userId: string; key: string; type: number; id: number }>();
      for (const { id, input } of rows) {
        for (const userId of new Set(input.recipients)) {
          inbox.ids.push(id);
          inbox.users.push(userId);
          inbox.counts.push(input.counted && userId !== input.senderUserId);
        }
        if (input.listed === false) continue;
        for (const userId of new Set([...input.recipients, input.senderUserId])) {
          touched.set(JSON.stringify([userId, input.conversationKey]), { userId, key: input.conversationKey, type: input.conversationType, id });
        }
      }
      const touches = [...touched.values()];
      // Prepared once per connection (named): the statement is long, and parsed for every batch otherwise.
      const { rows: result } = await client.query({ name: 'im_append', text: `WITH input AS (
          SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[],
            $9::bool[], $10::bool[], $11::text[])
            AS t(id, conversation_key, conversation_type, sender_id, client_msg_id, message_uid, object_name, content, counted, listed, search_text)),
        per_key AS (SELECT conversation_key, min(conversation_type) AS conversation_type, count(*) AS n FROM input GROUP BY conversation_key),
        bumped AS (
          INSERT INTO conversations AS c (conversation_key, conversation_type, last_seq)
          SELECT conversation_key, conversation_type, n FROM per_key
          ON CONFLICT (conversation_key) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
          RETURNING c.conversation_key, c.last_seq),
        numbered AS (
          SELECT i.*, b.last_seq - k.n + row_number() OVER (PARTITION BY i.conversation_key ORDER BY i.id) AS seq
          FROM input i JOIN per_key k USING (conversation_key) JOIN bumped b USING (conversation_key)),
        inserted AS (
          INSERT INTO messages (id, conversation_key, conversation_type, seq, sender_id, client_msg_id, message_uid, object_name, content,
            sent_time, counted, listed, search_text)
          SELECT id, conversation_key, conversation_type, seq, sender_id, client_msg_id, message_uid, object_name, content,
            $12::bigint, counted, listed, search_text FROM numbered
          ON CONFLICT DO NOTHING RETURNING id),
        delivered AS (
          INSERT INTO inbox (user_id, message_id, conversation_key, seq, unread_counts)
          SELECT r.user_id, n.id, n.conversation_key, n.seq, r.counts
          FROM unnest($13::bigint[], $14::text[], $15::bool[]) AS r(message_id, user_id, counts) JOIN numbered n ON n.id = r.message_id
          ON CONFLICT DO NOTHING),
        touched AS (
          INSERT INTO user_conversations AS uc (user_id, conversation_key, conversation_type, latest_cursor)
          SELECT * FROM unnest($16::text[], $17::text[], $18::int[], $19::bigint[])
          ON CONFLICT (user_id, conversation_key) DO UPDATE SET latest_cursor = GREATEST(uc.latest_cursor, excluded.latest_cursor)),
        moved AS (UPDATE im_log_head SET last_id = $20)
        SELECT id, seq, (SELECT count(*) FROM inserted) AS inserted FROM numbered`,
      values: [rows.map((r) => r.id), rows.map((r) => r.input.conversationKey), rows.map((r) => r.input.conversationType),
        rows.map((r) => r.input.senderUserId), rows.map((r) => r.input.clientMsgId), rows.map((r) => r.uid), rows.map((r) => r.input.objectName),
        rows.map((r) => Buffer.from(r.input.content.buffer, r.input.content.byteOffset, r.input.content.byteLength)),
        rows.map((r) => r.input.counted), rows.map((r) => r.input.listed !== false), rows.map((r) => searchableText(r.input.objectName, r.input.content)),
        now, inbox.ids, inbox.users, inbox.counts,
        touches.map((t) => t.userId), touches.map((t) => t.key), touches.map((t) => t.type), touches.map((t) => t.id),
        head + rows.length] });
      // Another writer's row with one of these keys (or ids) appeared after the dedupe read: it
      // cannot while the head is held, but if it did, redo the batch rather than leave a seq gap.
      if (Number(result[0]?.inserted) !== rows.length) throw new RetryBatch('a key was taken concurrently');
      const seqs = new Map(result.map((row) => [Number(row.id), Number(row.seq)]));
      for (const { i, id, input, uid } of rows) {
        messages.set(i, {
          id, conversationKey: input.conversationKey, conversationType: input.conversationType, senderUserId: input.senderUserId,
          clientMsgId: input.clientMsgId, messageUid: uid, objectName: input.objectName, content: input.content, sentTime: now,
          seq: seqs.get(id)!, counted: input.counted,
        });
      }
    }
    await client.query('COMMIT');

    for (const i of live) {
      if (outcomes[i]) continue;
      const first = claimant.get(dedupeKey(appendOf(items[i]!)));
      const message = first === undefined ? undefined : messages.get(first);
      // The key's first item failed (a recall conflict): this one goes in the next batch, alone with its key.
      outcomes[i] = message ? { ok: true, result: { message, duplicate: first !== i } } : { ok: 'defer' };
    }
    return outcomes as Outcome[];
  }

  async messageByUid(conversationKey: string, messageUid: string): Promise<StoredMessage | undefined> {
    const [row] = await this.query(`SELECT ${MSG} FROM messages m WHERE m.conversation_key = $1 AND m.message_uid = $2`, [conversationKey, messageUid]);
    return row && toMessage(row);
  }

  async syncAfter(userId: string, cursor: number, limit: number, budget?: PageBudget<StoredMessage>) {
    const rows = await this.query(`SELECT ${MSG} FROM inbox i JOIN messages m ON m.id = i.message_id
      WHERE i.user_id = $1 AND i.message_id > $2 AND NOT i.deleted ORDER BY i.message_id LIMIT $3`, [userId, cursor, limit + 1]);
    const { items, hasMore } = takePage(rows.map((row) => toMessage(row)), limit, budget);
    return { messages: items, hasMore };
  }

  async latestCursor(userId: string): Promise<number> {
    return (await this.query('SELECT max(message_id) AS cursor FROM inbox WHERE user_id = $1', [userId]))[0]?.cursor ?? 0;
  }

  async history(conversationKey: string,
    query: { before?: number; after?: number; count: number; budget?: PageBudget<StoredMessage>; viewerId?: string }) {
    const { count, budget, viewerId } = query;
    // $1 is the viewer ('' and only type-checked without one), $2 the conversation, $3 the bound, $4 the limit.
    const visible = viewerId === undefined ? '' : `AND ${VISIBLE_TO_VIEWER}`;
    const values = [viewerId ?? '', conversationKey];
    if (query.after !== undefined && query.before === undefined) {
      const rows = await this.query(`SELECT ${MSG} FROM messages m WHERE m.conversation_key = $2 AND m.seq > $3 ${visible}
        AND $1::text IS NOT NULL ORDER BY m.seq ASC LIMIT $4`, [...values, query.after, count + 1]);
      const { items, hasMore } = takePage(rows.map((row) => toMessage(row)), count, budget);
      return { messages: items, hasMore };
    }
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    // Newest first: a page cut by its bytes keeps the newest, and the older ones are what is left.
    const rows = await this.query(`SELECT ${MSG} FROM messages m WHERE m.conversation_key = $2 AND m.seq < $3 ${visible}
      AND $1::text IS NOT NULL ORDER BY m.seq DESC LIMIT $4`, [...values, before, count + 1]);
    let { items, hasMore } = takePage(rows.map((row) => toMessage(row)), count, budget);
    if (query.after !== undefined) items = items.filter((message) => message.seq > query.after!);
    return { messages: items.reverse(), hasMore };
  }

  async conversationList(userId: string, query: { types?: readonly number[]; before?: number; count: number; budget?: PageBudget<ConversationState> }) {
    const before = query.before || Number.MAX_SAFE_INTEGER;
    const types = knownTypes(query.types);
    if (types?.length === 0) return { conversations: [], hasMore: false };
    const rows = await this.query<ConversationStateRow>(`${CONVERSATION_STATE_SELECT}
      WHERE uc.user_id = $1 AND uc.latest_cursor > uc.hidden_cursor AND uc.latest_cursor < $2
        AND ($3::int[] IS NULL OR uc.conversation_type = ANY($3::int[]))
      ORDER BY uc.latest_cursor DESC LIMIT $4`, [userId, before, types ?? null, query.count + 1]);
    const states = await this.conversationStates(userId, rows.slice(0, query.count));
    const { items, hasMore } = takePage(states, query.count, query.budget);
    return { conversations: items, hasMore: hasMore || rows.length > query.count };
  }

  /** The rows' states, with the peers' positions of the private ones (read in one statement). */
  private async conversationStates(userId: string, rows: ConversationStateRow[], client?: PoolClient): Promise<ConversationState[]> {
    const peers = rows.map((row) => {
      const participants = privateParticipants(row.conversation_key);
      const peerId = participants && (participants[0] === userId ? participants[1] : participants[0]);
      return peerId !== undefined && peerId !== userId ? peerId : undefined;
    });
    const positions = new Map<string, ReceiptPositions>();
    const asked = rows.filter((_, i) => peers[i] !== undefined);
    if (asked.length) {
      const { rows: found } = await (client ?? this.pool).query(`SELECT user_id, conversation_key, read_seq, delivered_seq FROM user_conversations
        WHERE (user_id, conversation_key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [peers.filter((peer) => peer !== undefined), asked.map((row) => row.conversation_key)]);
      for (const row of found) positions.set(JSON.stringify([row.user_id, row.conversation_key]), { readSeq: row.read_seq, deliveredSeq: row.delivered_seq });
    }
    return rows.map((row, i) => {
      const peer = peers[i] === undefined ? undefined : positions.get(JSON.stringify([peers[i], row.conversation_key]));
      return {
        conversationKey: row.conversation_key,
        conversationType: row.conversation_type,
        readSeq: row.read_seq,
        unreadCount: row.unread,
        latestMessage: row.lm_id === null ? undefined : toMessage(row, 'lm_'),
        latestCursor: row.latest_cursor,
        isTop: row.is_top,
        muted: row.muted,
        clearedSeq: row.cleared_seq,
        // Last: on Node 20, a property added after a spread costs ~1 µs.
        ...(peer ? { peerReadSeq: peer.readSeq, peerDeliveredSeq: Math.max(peer.readSeq, peer.deliveredSeq) } : {}),
      };
    });
  }

  /** The user's state of one conversation, read by `client` (inside its transaction). */
  private async conversationState(client: PoolClient, userId: string, conversationKey: string): Promise<ConversationState | undefined> {
    const { rows } = await client.query<ConversationStateRow>(`${CONVERSATION_STATE_SELECT} WHERE uc.user_id = $1 AND uc.conversation_key = $2`,
      [userId, conversationKey]);
    return rows.length ? (await this.conversationStates(userId, rows, client))[0] : undefined;
  }

  async markRead(userId: string, conversationKey: string, readSeq?: number): Promise<ConversationState | undefined> {
    return this.transaction(async (client) => {
      // A read position only moves forward and is told again: see `relaxed`.
      await client.query('SET LOCAL synchronous_commit = off');
      await client.query(`UPDATE user_conversations SET read_seq = GREATEST(read_seq, LEAST(COALESCE($3::bigint, max_seq), max_seq))
        FROM (SELECT COALESCE(max(seq), 0) AS max_seq FROM inbox WHERE user_id = $1 AND conversation_key = $2) latest
        WHERE user_id = $1 AND conversation_key = $2`, [userId, conversationKey, readSeq || null]);
      return this.conversationState(client, userId, conversationKey);
    });
  }

  async receiptPositions(userId: string, conversationKey: string): Promise<ReceiptPositions | undefined> {
    const [row] = await this.query('SELECT read_seq, delivered_seq FROM user_conversations WHERE user_id = $1 AND conversation_key = $2',
      [userId, conversationKey]);
    return row && { readSeq: row.read_seq, deliveredSeq: row.delivered_seq };
  }

  async markDelivered(userId: string, conversationKey: string, seq: number): Promise<number> {
    // The newest message of someone else the user has, at or below the seq a device told; never back.
    const [row] = await this.relaxed(`WITH deliverable AS (
        SELECT max(i.seq) AS seq FROM inbox i JOIN messages m ON m.id = i.message_id
        WHERE i.user_id = $1 AND i.conversation_key = $2 AND i.seq <= $3 AND m.sender_id <> $1),
      moved AS (UPDATE user_conversations SET delivered_seq = GREATEST(delivered_seq, (SELECT seq FROM deliverable))
        WHERE user_id = $1 AND conversation_key = $2 AND (SELECT seq FROM deliverable) > 0 RETURNING delivered_seq)
      SELECT COALESCE((SELECT delivered_seq FROM moved),
        (SELECT delivered_seq FROM user_conversations WHERE user_id = $1 AND conversation_key = $2), 0) AS delivered`,
    [userId, conversationKey, seq]);
    return row!.delivered;
  }

  /**
   * One statement committed without waiting for the disk (synchronous_commit off): for positions
   * that only move forward and that clients tell again (delivered, read), a crash of the
   * database may lose the last moments of them, never a message, and a client's receipts stop
   * costing a disk flush each (every received message sends one).
   */
  private relaxed<R extends Record<string, any> = any>(text: string, values: unknown[]): Promise<R[]> {
    return this.transaction(async (client) => {
      await client.query('SET LOCAL synchronous_commit = off');
      return (await client.query<R>(text, values)).rows;
    });
  }

  async messageBySeq(conversationKey: string, seq: number): Promise<StoredMessage | undefined> {
    const [row] = await this.query(`SELECT ${MSG} FROM messages m WHERE m.conversation_key = $1 AND m.seq = $2`, [conversationKey, seq]);
    return row && toMessage(row);
  }

  async groupReadPositions(groupId: string, conversationKey: string, seq: number) {
    const rows = await this.query(`SELECT gm.user_id, COALESCE(uc.read_seq, 0) AS read_seq, COALESCE(uc.delivered_seq, 0) AS delivered_seq
      FROM group_members gm JOIN inbox i ON i.user_id = gm.user_id AND i.conversation_key = $1 AND i.seq = $2
      LEFT JOIN user_conversations uc ON uc.user_id = gm.user_id AND uc.conversation_key = i.conversation_key
      WHERE gm.group_id = $3 ORDER BY gm.joined_at, gm.user_id`, [conversationKey, seq, groupId]);
    return rows.map((row) => ({ userId: row.user_id as string, readSeq: row.read_seq as number, deliveredSeq: row.delivered_seq as number }));
  }

  async removeConversation(userId: string, conversationKey: string): Promise<ConversationState | undefined> {
    return this.transaction(async (client) => {
      await client.query(`UPDATE user_conversations SET hidden_cursor = latest_cursor,
          read_seq = GREATEST(read_seq, (SELECT COALESCE(max(seq), 0) FROM inbox WHERE user_id = $1 AND conversation_key = $2))
        WHERE user_id = $1 AND conversation_key = $2`, [userId, conversationKey]);
      return this.conversationState(client, userId, conversationKey);
    });
  }

  async conversationSettings(userId: string, conversationKey: string): Promise<ConversationSettings> {
    const [row] = await this.query('SELECT is_top, muted FROM user_conversations WHERE user_id = $1 AND conversation_key = $2', [userId, conversationKey]);
    return { isTop: row?.is_top === true, muted: row?.muted === true };
  }

  async setConversationSettings(userId: string, conversationKey: string, conversationType: number, change: Partial<ConversationSettings>) {
    // A conversation the user has no row of yet (no message) gets one that stays out of the list (latest_cursor 0).
    const [row] = await this.query(`INSERT INTO user_conversations AS uc (user_id, conversation_key, conversation_type, latest_cursor, is_top, muted)
      VALUES ($1, $2, $3, 0, COALESCE($4, false), COALESCE($5, false))
      ON CONFLICT (user_id, conversation_key) DO UPDATE SET is_top = COALESCE($4, uc.is_top), muted = COALESCE($5, uc.muted)
      RETURNING is_top, muted`, [userId, conversationKey, conversationType, change.isTop ?? null, change.muted ?? null]);
    return { isTop: row.is_top, muted: row.muted };
  }

  async deleteMessagesFor(userId: string, conversationKey: string, messageUids: readonly string[]): Promise<string[]> {
    const uids = [...new Set(messageUids)];
    if (!uids.length) return [];
    return this.transaction(async (client) => {
      const { rows } = await client.query(`WITH deletable AS (
          SELECT m.id, m.message_uid FROM messages m WHERE m.conversation_key = $2 AND m.message_uid = ANY($3::text[]) AND ${VISIBLE_TO_VIEWER}),
        added AS (INSERT INTO message_deletions (user_id, message_id) SELECT $1, id FROM deletable ON CONFLICT DO NOTHING RETURNING message_id),
        hidden AS (UPDATE inbox SET deleted = true, unread_counts = false WHERE user_id = $1 AND message_id IN (SELECT message_id FROM added))
        SELECT d.message_uid FROM deletable d JOIN added a ON a.message_id = d.id`, [userId, conversationKey, uids]);
      const deleted = new Set(rows.map((row) => row.message_uid as string));
      return uids.filter((uid) => deleted.has(uid));
    });
  }

  async clearHistoryFor(userId: string, conversationKey: string, conversationType: number, timestamp: number): Promise<number> {
    return this.transaction(async (client) => {
      const { rows: [found] } = await client.query('SELECT COALESCE(max(seq), 0) AS seq FROM messages WHERE conversation_key = $1 AND sent_time <= $2',
        [conversationKey, timestamp]);
      const seq = found.seq as number;
      const { rows: [row] } = await client.query(`INSERT INTO user_conversations AS uc (user_id, conversation_key, conversation_type, latest_cursor, cleared_seq)
        VALUES ($1, $2, $3, 0, $4) ON CONFLICT (user_id, conversation_key) DO UPDATE SET cleared_seq = GREATEST(uc.cleared_seq, $4)
        RETURNING cleared_seq`, [userId, conversationKey, conversationType, seq]);
      if (seq > 0) {
        await client.query(`UPDATE inbox SET deleted = true, unread_counts = false WHERE user_id = $1 AND conversation_key = $2 AND seq <= $3
          AND NOT deleted`, [userId, conversationKey, seq]);
      }
      return row.cleared_seq as number;
    });
  }

  async conversationKeys(userId: string, types?: readonly number[]): Promise<string[]> {
    const known = knownTypes(types);
    if (known?.length === 0) return [];
    return (await this.query(`SELECT conversation_key FROM user_conversations WHERE user_id = $1 AND latest_cursor > hidden_cursor
      AND ($2::int[] IS NULL OR conversation_type = ANY($2::int[])) ORDER BY latest_cursor DESC`, [userId, known ?? null]))
      .map((row) => row.conversation_key);
  }

  async totalUnread(userId: string, options: { excludeMuted?: boolean } = {}): Promise<number> {
    const [row] = await this.query(`SELECT count(*) AS unread FROM user_conversations uc JOIN inbox i ON i.user_id = uc.user_id
      AND i.conversation_key = uc.conversation_key AND i.seq > uc.read_seq AND i.unread_counts
      WHERE uc.user_id = $1 AND uc.latest_cursor > uc.hidden_cursor AND ($2 OR NOT uc.muted)`, [userId, !options.excludeMuted]);
    return row.unread;
  }

  async searchConversations(query: SearchQuery & { limit: number }): Promise<SearchConversationHit[]> {
    if (!query.text || !query.conversationKeys.length) return [];
    const rows = await this.query(`SELECT m.conversation_key, min(m.conversation_type) AS conversation_type, count(*) AS matches, max(m.id) AS latest
      FROM messages m WHERE m.conversation_key = ANY($2::text[]) AND m.search_text <> '' AND m.search_text ILIKE $3 ESCAPE '\\'
      AND ${VISIBLE_TO_VIEWER} GROUP BY m.conversation_key ORDER BY latest DESC LIMIT $4`,
    [query.viewerId, [...query.conversationKeys], containsPattern(query.text), query.limit]);
    if (!rows.length) return [];
    const latest = new Map((await this.query(`SELECT ${MSG} FROM messages m WHERE m.id = ANY($1::bigint[])`, [rows.map((row) => row.latest)]))
      .map((row) => [row.id as number, toMessage(row)]));
    return rows.map((row) => ({
      conversationKey: row.conversation_key, conversationType: row.conversation_type, matchCount: row.matches, latestMatch: latest.get(row.latest)!,
    }));
  }

  async searchMessages(query: SearchQuery & { beforeTime?: number; beforeId?: number; count: number; budget?: PageBudget<StoredMessage> }) {
    if (!query.text || !query.conversationKeys.length) return { messages: [], hasMore: false };
    const before = query.beforeTime && query.beforeTime > 0 ? query.beforeTime : Number.MAX_SAFE_INTEGER;
    const rows = await this.query(`SELECT ${MSG} FROM messages m WHERE m.conversation_key = ANY($2::text[]) AND m.search_text <> ''
      AND m.search_text ILIKE $3 ESCAPE '\\' AND (m.sent_time < $4 OR (m.sent_time = $4 AND m.id < $5)) AND ${VISIBLE_TO_VIEWER}
      ORDER BY m.sent_time DESC, m.id DESC LIMIT $6`,
    [query.viewerId, [...query.conversationKeys], containsPattern(query.text), before, query.beforeId ?? 0, query.count + 1]);
    const { items, hasMore } = takePage(rows.map((row) => toMessage(row)), query.count, query.budget);
    return { messages: items, hasMore };
  }

  async messagesAfter(afterId: number, limit: number): Promise<Array<{ message: StoredMessage; recipients: string[]; listed: boolean }>> {
    if (limit <= 0) return [];
    const rows = await this.query(`SELECT ${MSG}, m.listed,
        ARRAY(SELECT i.user_id FROM inbox i WHERE i.message_id = m.id ORDER BY i.user_id) AS recipients
      FROM messages m WHERE m.id > $1 ORDER BY m.id LIMIT $2`, [afterId, limit]);
    return rows.map((row) => ({ message: toMessage(row), recipients: row.recipients as string[], listed: row.listed as boolean }));
  }

  async lastMessageId(): Promise<number> {
    // The head moves in the appending transaction: what it says is committed.
    const [row] = await this.query('SELECT last_id FROM im_log_head');
    return Number(row?.last_id ?? 0);
  }

  async revokeTokens(userId: string, validAfter: number): Promise<void> {
    await this.query(`INSERT INTO token_revocations AS t (user_id, valid_after) VALUES ($1, $2)
      ON CONFLICT (user_id) DO UPDATE SET valid_after = GREATEST(t.valid_after, excluded.valid_after)`, [userId, validAfter]);
  }

  async tokensValidAfter(userId: string): Promise<number> {
    return (await this.query('SELECT valid_after FROM token_revocations WHERE user_id = $1', [userId]))[0]?.valid_after ?? 0;
  }

  async setServiceGroup(group: ServiceGroupRecord): Promise<void> {
    const { hours, preChatFields, offlineMessage, cannedReplies } = group;
    await this.query(`INSERT INTO cs_groups (group_id, name, mode, welcome, faq, max_per_agent, settings) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (group_id) DO UPDATE SET name = excluded.name, mode = excluded.mode, welcome = excluded.welcome,
      faq = excluded.faq, max_per_agent = excluded.max_per_agent, settings = excluded.settings`,
    [group.groupId, group.name, group.mode, group.welcome, JSON.stringify(group.faq), group.maxPerAgent,
      JSON.stringify({ hours, preChatFields, offlineMessage, cannedReplies })]);
  }

  async serviceGroup(groupId: string): Promise<ServiceGroupRecord | undefined> {
    const [row] = await this.query('SELECT * FROM cs_groups WHERE group_id = $1', [groupId]);
    return row && {
      groupId: row.group_id, name: row.name, mode: row.mode, welcome: row.welcome, faq: JSON.parse(row.faq), maxPerAgent: row.max_per_agent,
      ...JSON.parse(row.settings),
    };
  }

  async setServiceAgentAway(userId: string, away: boolean): Promise<boolean> {
    return ((await this.poolQuery('UPDATE cs_agents SET away = $1 WHERE user_id = $2', [away, userId])).rowCount ?? 0) === 1;
  }

  async setServiceAgent(agent: Omit<ServiceAgentRecord, 'createdAt' | 'away'>): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('DELETE FROM cs_agent_groups WHERE user_id = $1', [agent.userId]);
      if (agent.groupIds.length === 0) {
        await client.query('DELETE FROM cs_agents WHERE user_id = $1', [agent.userId]);
        return;
      }
      await client.query(`INSERT INTO cs_agents (user_id, cap, created_at) VALUES ($1, $2, $3)
        ON CONFLICT (user_id) DO UPDATE SET cap = excluded.cap`, [agent.userId, agent.cap, Date.now()]);
      await client.query(`INSERT INTO cs_agent_groups (group_id, user_id) SELECT DISTINCT g, $1 FROM unnest($2::text[]) AS g
        ON CONFLICT DO NOTHING`, [agent.userId, agent.groupIds]);
    });
  }

  private static readonly AGENT_SELECT = `SELECT a.user_id, a.cap, a.created_at, a.away,
    ARRAY(SELECT g.group_id FROM cs_agent_groups g WHERE g.user_id = a.user_id ORDER BY g.group_id) AS group_ids FROM cs_agents a`;

  private static toAgent(row: Record<string, any>): ServiceAgentRecord {
    return { userId: row.user_id, cap: row.cap, createdAt: row.created_at, groupIds: row.group_ids, away: row.away };
  }

  async serviceAgent(userId: string): Promise<ServiceAgentRecord | undefined> {
    const [row] = await this.query(`${PgChatStore.AGENT_SELECT} WHERE a.user_id = $1`, [userId]);
    return row && PgChatStore.toAgent(row);
  }

  async serviceAgentsOf(groupId: string): Promise<ServiceAgentRecord[]> {
    return (await this.query(`${PgChatStore.AGENT_SELECT} JOIN cs_agent_groups ag ON ag.user_id = a.user_id AND ag.group_id = $1
      ORDER BY a.created_at, a.user_id`, [groupId])).map(PgChatStore.toAgent);
  }

  async createServiceSession(session: NewServiceSession): Promise<ServiceSessionRecord> {
    const [row] = await this.query(`INSERT INTO cs_sessions (group_id, serving_group_id, visitor_id, status, agent_id, created_at, queued_at,
      visitor_info, start_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
      COALESCE((SELECT last_seq FROM conversations WHERE conversation_key = $9), 0) + 1) RETURNING *`,
    [session.groupId, session.servingGroupId, session.visitorId, session.status, session.agentId, session.createdAt, session.queuedAt,
      JSON.stringify(session.visitorInfo ?? {}), serviceConversationKey(session.groupId, session.visitorId)]);
    return toServiceSession(row);
  }

  async serviceSessions(query: ServiceSessionQuery): Promise<ServiceSessionRecord[]> {
    const { own, statuses } = SCOPES[query.scope];
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    const rows = own
      ? await this.query(`SELECT * FROM cs_sessions WHERE agent_id = $1 AND status = ANY($2::text[]) AND session_id < $3
        ORDER BY session_id DESC LIMIT $4`, [query.agentId, statuses, before, query.limit])
      : await this.query(`SELECT * FROM cs_sessions WHERE serving_group_id = ANY($1::text[]) AND status = ANY($2::text[]) AND session_id < $3
        ORDER BY session_id DESC LIMIT $4`, [[...query.groupIds], statuses, before, query.limit]);
    return rows.map(toServiceSession);
  }

  async nextServiceSession(session: ServiceSessionRecord): Promise<ServiceSessionRecord | undefined> {
    const [row] = await this.query(`SELECT * FROM cs_sessions WHERE visitor_id = $1 AND group_id = $2 AND session_id > $3
      ORDER BY session_id LIMIT 1`, [session.visitorId, session.groupId, session.sessionId]);
    return row && toServiceSession(row);
  }

  async serviceSession(sessionId: number): Promise<ServiceSessionRecord | undefined> {
    const [row] = await this.query('SELECT * FROM cs_sessions WHERE session_id = $1', [sessionId]);
    return row && toServiceSession(row);
  }

  async latestServiceSession(visitorId: string, groupId: string): Promise<ServiceSessionRecord | undefined> {
    const [row] = await this.query('SELECT * FROM cs_sessions WHERE visitor_id = $1 AND group_id = $2 ORDER BY session_id DESC LIMIT 1',
      [visitorId, groupId]);
    return row && toServiceSession(row);
  }

  async updateServiceSession(sessionId: number, change: Partial<Pick<ServiceSessionRecord, 'status' | 'agentId' | 'servingGroupId' | 'queuedAt'>>) {
    const [row] = await this.query(`UPDATE cs_sessions SET status = COALESCE($1, status), agent_id = COALESCE($2, agent_id),
      serving_group_id = COALESCE($3, serving_group_id), queued_at = COALESCE($4, queued_at) WHERE session_id = $5 RETURNING *`,
    [change.status ?? null, change.agentId ?? null, change.servingGroupId ?? null, change.queuedAt ?? null, sessionId]);
    return row && toServiceSession(row);
  }

  async queuedServiceSessions(servingGroupId: string): Promise<ServiceSessionRecord[]> {
    return (await this.query(`SELECT * FROM cs_sessions WHERE serving_group_id = $1 AND status = 'queued' ORDER BY queued_at, session_id`,
      [servingGroupId])).map(toServiceSession);
  }

  async agentServiceSessions(agentId: string): Promise<ServiceSessionRecord[]> {
    return (await this.query(`SELECT * FROM cs_sessions WHERE agent_id = $1 AND status IN ('open', 'pending') ORDER BY session_id`,
      [agentId])).map(toServiceSession);
  }

  async rateServiceSession(sessionId: number, rating: number, comment: string): Promise<boolean> {
    return ((await this.poolQuery('UPDATE cs_sessions SET rating = $1, comment = $2 WHERE session_id = $3 AND rating = 0',
      [rating, comment, sessionId])).rowCount ?? 0) === 1;
  }

  async addServiceNote(note: ServiceNoteRecord): Promise<void> {
    await this.query('INSERT INTO cs_notes (session_id, author_id, text, time) VALUES ($1, $2, $3, $4)',
      [note.sessionId, note.authorId, note.text, note.time]);
  }

  async serviceNotes(sessionId: number): Promise<ServiceNoteRecord[]> {
    return (await this.query('SELECT session_id, author_id, text, time FROM cs_notes WHERE session_id = $1 ORDER BY id', [sessionId]))
      .map((row) => ({ sessionId: row.session_id, authorId: row.author_id, text: row.text, time: row.time }));
  }

  async addServiceTicket(ticket: Omit<ServiceTicketRecord, 'ticketId' | 'status' | 'closedBy' | 'closedAt'>): Promise<ServiceTicketRecord> {
    const [row] = await this.query(`INSERT INTO cs_tickets (group_id, visitor_id, name, email, message, form, status, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING *`,
    [ticket.groupId, ticket.visitorId, ticket.name, ticket.email, ticket.message, JSON.stringify(ticket.form), ticket.createdAt]);
    return toServiceTicket(row);
  }

  async serviceTicket(ticketId: number): Promise<ServiceTicketRecord | undefined> {
    const [row] = await this.query('SELECT * FROM cs_tickets WHERE ticket_id = $1', [ticketId]);
    return row && toServiceTicket(row);
  }

  async serviceTickets(query: { groupIds: readonly string[]; status?: 'open' | 'closed'; limit: number }): Promise<ServiceTicketRecord[]> {
    return (await this.query(`SELECT * FROM cs_tickets WHERE group_id = ANY($1::text[]) AND ($2::text IS NULL OR status = $2)
      ORDER BY ticket_id DESC LIMIT $3`, [[...query.groupIds], query.status ?? null, query.limit])).map(toServiceTicket);
  }

  async closeServiceTicket(ticketId: number, closedBy: string, closedAt: number): Promise<ServiceTicketRecord | undefined> {
    // The update, or (closed before, or no such ticket) the row as it is.
    const [row] = await this.query(`WITH closed AS (UPDATE cs_tickets SET status = 'closed', closed_by = $2, closed_at = $3
        WHERE ticket_id = $1 AND status = 'open' RETURNING *)
      SELECT * FROM closed UNION ALL SELECT * FROM cs_tickets WHERE ticket_id = $1 AND NOT EXISTS (SELECT 1 FROM closed)`,
    [ticketId, closedBy, closedAt]);
    return row && toServiceTicket(row);
  }

  async countServiceTickets(visitorId: string, since: number): Promise<number> {
    return (await this.query('SELECT count(*) AS n FROM cs_tickets WHERE visitor_id = $1 AND created_at >= $2', [visitorId, since]))[0].n;
  }

  async blockUser(ownerId: string, blockedId: string, time: number, limit = Infinity): Promise<'added' | 'exists' | 'full'> {
    return this.transaction(async (client) => {
      // One owner's changes one at a time: the check of the limit and the insert are one step.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BLACKLIST_LOCK_CLASS, ownerId]);
      if ((await client.query('SELECT 1 FROM blacklist WHERE owner_id = $1 AND blocked_id = $2', [ownerId, blockedId])).rowCount) return 'exists' as const;
      const { rows: [count] } = await client.query('SELECT count(*) AS n FROM blacklist WHERE owner_id = $1', [ownerId]);
      if (count.n >= limit) return 'full' as const;
      await client.query('INSERT INTO blacklist (owner_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [ownerId, blockedId, time]);
      return 'added' as const;
    });
  }

  async unblockUser(ownerId: string, blockedId: string): Promise<boolean> {
    return ((await this.poolQuery('DELETE FROM blacklist WHERE owner_id = $1 AND blocked_id = $2', [ownerId, blockedId])).rowCount ?? 0) > 0;
  }

  async isBlocked(ownerId: string, blockedId: string): Promise<boolean> {
    return (await this.inOrder(this.query('SELECT 1 FROM blacklist WHERE owner_id = $1 AND blocked_id = $2', [ownerId, blockedId]))).length > 0;
  }

  async blockedUsers(ownerId: string, query: { after?: string; limit: number; budget?: PageBudget<BlacklistEntry> }) {
    const rows = await this.query('SELECT blocked_id, created_at FROM blacklist WHERE owner_id = $1 AND blocked_id > $2 ORDER BY blocked_id LIMIT $3',
      [ownerId, query.after ?? '', query.limit + 1]);
    const page = takePage(rows.map((row) => ({ userId: row.blocked_id as string, time: row.created_at as number })), query.limit, query.budget);
    return { entries: page.items, hasMore: page.hasMore };
  }

  async countBlocked(ownerId: string): Promise<number> {
    return (await this.query('SELECT count(*) AS n FROM blacklist WHERE owner_id = $1', [ownerId]))[0].n;
  }

  async setUserStatus(userId: string, status: { status: ChosenUserStatus; text: string }): Promise<void> {
    await this.query(`INSERT INTO user_status (user_id, status, text) VALUES ($1, $2, $3)
      ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, text = excluded.text`, [userId, status.status, status.text]);
  }

  async userStatus(userId: string): Promise<{ status: ChosenUserStatus; text: string } | undefined> {
    const [row] = await this.query('SELECT status, text FROM user_status WHERE user_id = $1', [userId]);
    return row && { status: row.status, text: row.text };
  }

  async sharesConversation(userId: string, otherId: string): Promise<boolean> {
    const [row] = await this.query(`SELECT (SELECT count(*) FROM user_conversations WHERE user_id IN ($1, $2) AND conversation_key = $3) = 2
      OR EXISTS (SELECT 1 FROM group_members a JOIN group_members b ON b.group_id = a.group_id AND b.user_id = $2 WHERE a.user_id = $1) AS shares`,
    [userId, otherId, conversationKey(ConversationType.PRIVATE, userId, otherId)]);
    return row.shares;
  }

  async stats() {
    const [row] = await this.query(`SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM users) AS users,
      (SELECT count(*) FROM groups) AS groups`);
    return { messages: row.messages as number, users: row.users as number, groups: row.groups as number };
  }

  /** Per lock name, the calls of this process in turn: one connection at most waits for a lock. */
  private readonly lockTails = new Map<string, Promise<unknown>>();

  /**
   * A session-level advisory lock on a connection of its own, held while `work` runs (which uses
   * the pool as usual). If this process dies, PostgreSQL ends its connection and the lock goes
   * with it: no lease to wait out. Calls of this process take turns first (else each would hold a
   * pool connection while it waits, and `work` could find none left). Taking the lock waits
   * through outages like an append.
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T> {
    const result = (this.lockTails.get(name) ?? Promise.resolve()).then(() => this.holdingLock(name, work));
    const tail = result.catch(() => undefined);
    this.lockTails.set(name, tail);
    void tail.then(() => { if (this.lockTails.get(name) === tail) this.lockTails.delete(name); });
    return result;
  }

  private async holdingLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const key = lockKey(name);
    const holder = await this.throughOutages(async () => {
      const client = await checkOut(this.pool);
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key]);
        return client;
      } catch (error) {
        client.release(true);
        throw error;
      }
    });
    let broken = false;
    try {
      return await work();
    } finally {
      // A connection that cannot unlock is closed, which unlocks.
      await holder.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => { broken = true; });
      holder.release(broken);
    }
  }

  /** Writes what is pending, then closes the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.pool.end();
  }
}

/** A lock's name as the 64-bit key of pg_advisory_lock: the first 8 bytes of its SHA-256. */
function lockKey(name: string): string {
  return createHash('sha256').update(`im-widget:${name}`).digest().readBigInt64BE(0).toString();
}

/** The URL's host, port and database, for messages (never its password). */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the given URL';
  }
}

async function addMembers(client: PoolClient, groupId: string, userIds: readonly string[]): Promise<void> {
  if (!userIds.length) return;
  await client.query(`INSERT INTO group_members (group_id, user_id, joined_at) SELECT $1, u, $3 FROM unnest($2::text[]) WITH ORDINALITY AS t(u, n)
    ORDER BY n ON CONFLICT DO NOTHING`, [groupId, [...userIds], Date.now()]);
}

/** Applies the missing migrations in one transaction, under an advisory lock that other nodes starting at once wait on. */
async function migrate(pool: Pool): Promise<void> {
  const client = await checkOut(pool);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS im_schema_migrations (
      version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows: [{ version }] } = await client.query('SELECT COALESCE(max(version), 0) AS version FROM im_schema_migrations');
    if (version > migrations.length) throw new Error(`the database's schema (version ${version}) is newer than this server's (${migrations.length})`);
    for (let next = version; next < migrations.length; next++) {
      await migrations[next]!.apply(client);
      await client.query('INSERT INTO im_schema_migrations (version, description) VALUES ($1, $2)', [next + 1, migrations[next]!.description]);
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    client.release(true);
    throw error;
  }
}

/**
 * Runs `work` again on a new connection while the database cannot be reached (a terminated
 * backend, a restart), for up to `waitMs`, then fails with StoreUnavailable: what the pool gives
 * out after an outage may have died with it. `work` is told whether a connection was lost before
 * (an insert may then find its own row). Nothing is retried once `stopped()`.
 */
export async function throughOutages<T>(work: (lost: boolean) => Promise<T>, options: { waitMs: number; stopped?: () => boolean }): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt > 0);
    } catch (error) {
      if (!connectionLost(error) || options.stopped?.()) throw error;
      if (Date.now() - started > options.waitMs) throw new StoreUnavailable(`PostgreSQL unreachable: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, Math.min(25 * 2 ** attempt, 1000)));
    }
  }
}

/** Clients that have the listener below. */
const listened = new WeakSet<PoolClient>();
const ignoreError = (): void => undefined;

/**
 * A client of the pool, for a transaction. While checked out, a client whose connection dies
 * emits 'error' on itself (the pool listens only to idle ones): unheard, that event would end the
 * process. The statement in flight fails with the same error and is retried through outages, so
 * the event itself needs nothing more than a listener.
 */
export async function checkOut(pool: Pool): Promise<PoolClient> {
  const client = await pool.connect();
  if (!listened.has(client)) {
    listened.add(client);
    client.on('error', ignoreError);
  }
  return client;
}

/** How long appends wait for the database to come back before they fail. */
const OUTAGE_RETRY_MS = 15_000;

/**
 * Whether an error says the connection or the server went away, rather than anything about the
 * statement: SQLSTATE classes 08 (connection exception) and 57P (operator intervention: a
 * terminated backend, a shutdown), or a socket that closed under the client.
 */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE')) return true;
  return /Connection terminated|connection (is )?closed|Client has encountered a connection error/i.test(String((error as Error | undefined)?.message));
}

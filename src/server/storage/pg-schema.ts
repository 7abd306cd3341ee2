import type { PoolClient } from 'pg';

/**
 * The PostgreSQL schema, as versioned migrations. `PgChatStore.open` applies the missing ones in
 * one transaction that first takes an advisory lock, so several nodes starting at once against
 * one database apply each migration exactly once (the others wait, then find nothing to do).
 *
 * Identifiers and other keys compared or ordered by the store are `text COLLATE "C"`: byte order,
 * as in SQLite, whatever the database's locale (pages by user id must not depend on it).
 */

/** Key of the advisory lock that serializes migrations (any bigint; this one is "im_migr" in ASCII). */
export const MIGRATION_LOCK_KEY = '29675129179563890';

const ID = 'text COLLATE "C" NOT NULL';

export interface Migration {
  description: string;
  apply(client: PoolClient): Promise<void>;
}

const sql = (description: string, text: string): Migration => ({ description, apply: async (client) => { await client.query(text); } });

export const migrations: readonly Migration[] = [
  sql('messages, inboxes, conversations, groups, users, settings, deletes, tokens', `
    -- One row: the last message id handed out. Appends lock it (UPDATE) until COMMIT, so ids
    -- become visible in increasing order: a reader following id > last seen never skips one.
    CREATE TABLE im_log_head (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      last_id bigint NOT NULL
    );
    INSERT INTO im_log_head (one, last_id) VALUES (true, 0);
    CREATE TABLE users (
      user_id ${ID} PRIMARY KEY,
      name text NOT NULL DEFAULT '',
      portrait_uri text NOT NULL DEFAULT '',
      created_at bigint NOT NULL
    );
    CREATE TABLE groups (
      group_id ${ID} PRIMARY KEY,
      name text NOT NULL,
      created_at bigint NOT NULL
    );
    CREATE TABLE group_members (
      group_id ${ID},
      user_id ${ID},
      joined_at bigint NOT NULL,
      PRIMARY KEY (group_id, user_id)
    );
    CREATE INDEX group_members_by_user ON group_members (user_id, group_id);
    -- The per-conversation seq counter: its row is locked by the UPDATE that takes seqs.
    CREATE TABLE conversations (
      conversation_key ${ID} PRIMARY KEY,
      conversation_type integer NOT NULL,
      last_seq bigint NOT NULL
    );
    CREATE TABLE messages (
      id bigint PRIMARY KEY,
      conversation_key ${ID},
      conversation_type integer NOT NULL,
      seq bigint NOT NULL,
      sender_id ${ID},
      client_msg_id ${ID},
      message_uid ${ID} UNIQUE,
      object_name ${ID},
      content bytea NOT NULL,
      sent_time bigint NOT NULL,
      counted boolean NOT NULL,
      -- false: a message that does not become the conversations' latest (a recall command).
      listed boolean NOT NULL,
      -- The text users see (lower case), '' when none or recalled: what a search matches.
      search_text text NOT NULL DEFAULT '',
      CONSTRAINT messages_dedupe UNIQUE (sender_id, client_msg_id),
      CONSTRAINT messages_seq UNIQUE (conversation_key, seq)
    );
    CREATE INDEX messages_by_time ON messages (conversation_key, sent_time);
    -- One row per recipient of a message: the user's sync stream and unread counts.
    CREATE TABLE inbox (
      user_id ${ID},
      message_id bigint NOT NULL,
      conversation_key ${ID},
      seq bigint NOT NULL,
      unread_counts boolean NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      PRIMARY KEY (user_id, message_id)
    );
    CREATE INDEX inbox_by_conversation ON inbox (user_id, conversation_key, seq);
    CREATE INDEX inbox_by_message ON inbox (message_id);
    CREATE TABLE user_conversations (
      user_id ${ID},
      conversation_key ${ID},
      conversation_type integer NOT NULL,
      read_seq bigint NOT NULL DEFAULT 0,
      delivered_seq bigint NOT NULL DEFAULT 0,
      hidden_cursor bigint NOT NULL DEFAULT 0,
      latest_cursor bigint NOT NULL,
      is_top boolean NOT NULL DEFAULT false,
      muted boolean NOT NULL DEFAULT false,
      cleared_seq bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (user_id, conversation_key)
    );
    CREATE INDEX user_conversations_by_activity ON user_conversations (user_id, latest_cursor);
    CREATE TABLE message_deletions (
      user_id ${ID},
      message_id bigint NOT NULL,
      PRIMARY KEY (user_id, message_id)
    );
    CREATE TABLE token_revocations (
      user_id ${ID} PRIMARY KEY,
      valid_after bigint NOT NULL
    );`),
  sql('customer service, blacklist, chosen status', `
    CREATE TABLE cs_groups (
      group_id ${ID} PRIMARY KEY,
      name text NOT NULL,
      mode text NOT NULL,
      welcome text NOT NULL,
      faq text NOT NULL,
      max_per_agent integer NOT NULL,
      settings text NOT NULL DEFAULT '{}'
    );
    CREATE TABLE cs_agents (
      user_id ${ID} PRIMARY KEY,
      cap integer NOT NULL,
      created_at bigint NOT NULL,
      away boolean NOT NULL DEFAULT false
    );
    CREATE TABLE cs_agent_groups (
      group_id ${ID},
      user_id ${ID},
      PRIMARY KEY (group_id, user_id)
    );
    CREATE INDEX cs_agent_groups_by_user ON cs_agent_groups (user_id);
    CREATE TABLE cs_sessions (
      session_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      group_id ${ID},
      serving_group_id ${ID},
      visitor_id ${ID},
      status ${ID},
      agent_id ${ID},
      created_at bigint NOT NULL,
      queued_at bigint NOT NULL,
      rating integer NOT NULL DEFAULT 0,
      comment text NOT NULL DEFAULT '',
      visitor_info text NOT NULL DEFAULT '{}',
      start_seq bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX cs_sessions_by_visitor ON cs_sessions (visitor_id, group_id, session_id);
    CREATE INDEX cs_sessions_by_agent ON cs_sessions (agent_id, status);
    CREATE INDEX cs_sessions_by_queue ON cs_sessions (serving_group_id, status, queued_at);
    CREATE INDEX cs_sessions_by_serving_group ON cs_sessions (serving_group_id, status, session_id);
    CREATE TABLE cs_notes (
      id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      session_id bigint NOT NULL,
      author_id ${ID},
      text text NOT NULL,
      time bigint NOT NULL
    );
    CREATE INDEX cs_notes_by_session ON cs_notes (session_id, id);
    CREATE TABLE cs_tickets (
      ticket_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      group_id ${ID},
      visitor_id ${ID},
      name text NOT NULL,
      email text NOT NULL,
      message text NOT NULL,
      form text NOT NULL,
      status ${ID},
      created_at bigint NOT NULL,
      closed_by text NOT NULL DEFAULT '',
      closed_at bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX cs_tickets_by_group ON cs_tickets (group_id, status, ticket_id);
    CREATE INDEX cs_tickets_by_visitor ON cs_tickets (visitor_id, created_at);
    CREATE TABLE blacklist (
      owner_id ${ID},
      blocked_id ${ID},
      created_at bigint NOT NULL,
      PRIMARY KEY (owner_id, blocked_id)
    );
    CREATE TABLE user_status (
      user_id ${ID} PRIMARY KEY,
      status text NOT NULL,
      text text NOT NULL
    );`),
  {
    // The trigram index (pg_trgm, in PostgreSQL's contrib) serves substring searches of three
    // characters or more; without the extension searches still work, by scanning the
    // conversations' messages (bounded by the (conversation_key, sent_time) index).
    description: 'trigram index of the searchable text',
    async apply(client) {
      await client.query('SAVEPOINT trgm');
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT trgm');
        return;
      }
      await client.query('RELEASE SAVEPOINT trgm');
      await client.query(`CREATE INDEX messages_search ON messages USING gin (search_text gin_trgm_ops) WHERE search_text <> ''`);
    },
  },
];

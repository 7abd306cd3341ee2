import type pg from 'pg';
import type { FileMetaStore, FileRecord } from './file-store.js';
import { checkOut, throughOutages } from './pg-store.js';

/** How long a request waits for the database to come back before the store gives up (StoreUnavailable: the request gets 503). */
const OUTAGE_WAIT_MS = 5_000;
/** SQLSTATE of a duplicate key. */
const UNIQUE_VIOLATION = '23505';

/** Key of the advisory lock that serializes this store's migrations ("im_file" in ASCII; not the chat store's key). */
const MIGRATION_LOCK = 0x696d5f66696c65n;

/**
 * Schema versions, applied in order by whichever node gets the lock first; `im_file_schema`
 * records how many ran. Same tables and columns as the SQLite store, times and sizes as bigint.
 */
const migrations: readonly string[] = [
  `CREATE TABLE files (
     file_id TEXT PRIMARY KEY,
     uploader_id TEXT NOT NULL,
     name TEXT NOT NULL,
     size BIGINT NOT NULL,
     sniffed_type TEXT NOT NULL,
     declared_type TEXT NOT NULL,
     disposition TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE file_grants (
     file_id TEXT NOT NULL,
     conversation_key TEXT NOT NULL,
     granted_at BIGINT NOT NULL,
     PRIMARY KEY (file_id, conversation_key)
   );`,
];

interface FileRow {
  file_id: string;
  uploader_id: string;
  name: string;
  size: string | number;
  sniffed_type: string;
  declared_type: string;
  disposition: string;
  created_at: string | number;
}

/**
 * Files' metadata in PostgreSQL, so that every node of a cluster knows every upload (the same
 * database as the chat store: the tables `files` and `file_grants`, and `im_file_schema`).
 */
export class PgFileMetaStore implements FileMetaStore {
  private constructor(private readonly pool: pg.Pool, private readonly outageWaitMs: number) {}

  /** Connects, brings the schema up to date (idempotent; safe with several nodes starting at once). */
  static async open(url: string, options: { poolSize?: number; log?: (message: string) => void; outageWaitMs?: number } = {}): Promise<PgFileMetaStore> {
    // Loaded here, so that a server without PostgreSQL needs no pg installed.
    const { default: pgModule } = await import('pg');
    const pool = new pgModule.Pool({ connectionString: url, max: options.poolSize ?? 4 });
    // An idle connection the database dropped must not crash the process; the next query reconnects.
    pool.on('error', (error) => options.log?.(`files: PostgreSQL connection lost: ${error.message}`));
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end();
      throw new Error(`file metadata database: ${(error as Error).message}`, { cause: error });
    }
    return new PgFileMetaStore(pool, options.outageWaitMs ?? OUTAGE_WAIT_MS);
  }

  /**
   * One statement, again on a new connection while the database cannot be reached (a terminated
   * backend, a restart), for up to outageWaitMs; then StoreUnavailable. Every statement here
   * comes out the same when repeated, but for an insert of a new key: `ownDuplicate` says that a
   * duplicate key after a lost connection is the insert's own, committed before its answer was lost.
   */
  private query<R extends pg.QueryResultRow>(text: string, values: unknown[], ownDuplicate = false): Promise<pg.QueryResult<R> | undefined> {
    return throughOutages(async (lost) => {
      try {
        return await this.pool.query<R>(text, values);
      } catch (error) {
        if (lost && ownDuplicate && (error as { code?: unknown }).code === UNIQUE_VIOLATION) return undefined;
        throw error;
      }
    }, { waitMs: this.outageWaitMs });
  }

  async add(record: FileRecord): Promise<void> {
    // A file id is new (random): after a lost connection, one already there is this insert's own.
    await this.query(`INSERT INTO files
      (file_id, uploader_id, name, size, sniffed_type, declared_type, disposition, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [record.fileId, record.uploaderId, record.name, record.size, record.sniffedType, record.declaredType, record.disposition, record.createdAt], true);
  }

  async get(fileId: string): Promise<FileRecord | undefined> {
    const row = (await this.query<FileRow>('SELECT * FROM files WHERE file_id = $1', [fileId]))?.rows[0];
    if (!row) return undefined;
    return {
      fileId: row.file_id, uploaderId: row.uploader_id, name: row.name, size: Number(row.size), sniffedType: row.sniffed_type,
      declaredType: row.declared_type, disposition: row.disposition === 'inline' ? 'inline' : 'attachment', createdAt: Number(row.created_at),
    };
  }

  async grant(fileId: string, conversationKey: string, now = Date.now()): Promise<void> {
    await this.query(
      'INSERT INTO file_grants (file_id, conversation_key, granted_at) VALUES ($1, $2, $3) ON CONFLICT (file_id, conversation_key) DO NOTHING',
      [fileId, conversationKey, now]);
  }

  async grants(fileId: string): Promise<string[]> {
    const result = await this.query<{ conversation_key: string }>(
      'SELECT conversation_key FROM file_grants WHERE file_id = $1 ORDER BY granted_at, conversation_key', [fileId]);
    return (result?.rows ?? []).map((row) => row.conversation_key);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await checkOut(pool);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS im_file_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM im_file_schema');
    let version = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query('INSERT INTO im_file_schema (version) VALUES (0)');
    for (; version < migrations.length; version++) await client.query(migrations[version]!);
    await client.query('UPDATE im_file_schema SET version = $1', [version]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

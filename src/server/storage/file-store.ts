import Database from 'better-sqlite3';

export interface FileRecord {
  fileId: string;
  uploaderId: string;
  /** The sanitized name given by the uploader. */
  name: string;
  size: number;
  /** What the bytes are, from their first bytes. */
  sniffedType: string;
  /** What the uploader said they are: kept for the record, never used to serve them. */
  declaredType: string;
  disposition: 'inline' | 'attachment';
  createdAt: number;
}

/**
 * Uploaded files' metadata and the conversations each was sent to. `SqliteFileMetaStore` keeps
 * them in a file of one node; `PgFileMetaStore` (pg-file-meta-store.ts) in the cluster's database.
 */
export interface FileMetaStore {
  /** Records a file; its id is new. */
  add(record: FileRecord): Promise<void>;
  get(fileId: string): Promise<FileRecord | undefined>;
  /** Records that the file was sent to the conversation; repeating it changes nothing. */
  grant(fileId: string, conversationKey: string, now?: number): Promise<void>;
  /** The conversations the file was sent to, first grant first. */
  grants(fileId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Schema versions, applied in order; PRAGMA user_version records how many ran. */
const migrations: readonly string[] = [
  `CREATE TABLE files (
     file_id TEXT PRIMARY KEY,
     uploader_id TEXT NOT NULL,
     name TEXT NOT NULL,
     size INTEGER NOT NULL,
     sniffed_type TEXT NOT NULL,
     declared_type TEXT NOT NULL,
     disposition TEXT NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   -- Conversations a file was sent to: their members may read it.
   CREATE TABLE file_grants (
     file_id TEXT NOT NULL,
     conversation_key TEXT NOT NULL,
     granted_at INTEGER NOT NULL,
     PRIMARY KEY (file_id, conversation_key)
   ) WITHOUT ROWID;`,
];

interface FileRow {
  file_id: string;
  uploader_id: string;
  name: string;
  size: number;
  sniffed_type: string;
  declared_type: string;
  disposition: string;
  created_at: number;
}

/**
 * Uploaded files' metadata and who they were shared with, in a database of their own
 * (`files.db`) so that the message store's schema and commits stay untouched by uploads.
 */
export class SqliteFileMetaStore implements FileMetaStore {
  private readonly db: Database.Database;
  private readonly insertFile: Database.Statement;
  private readonly selectFile: Database.Statement;
  private readonly insertGrant: Database.Statement;
  private readonly selectGrants: Database.Statement;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // A file row must not outlive a crash once its upload was answered: the client holds its URL.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let index = version; index < migrations.length; index++) {
      this.db.transaction(() => {
        this.db.exec(migrations[index]!);
        this.db.pragma(`user_version = ${index + 1}`);
      })();
    }
    this.insertFile = this.db.prepare(`INSERT INTO files
      (file_id, uploader_id, name, size, sniffed_type, declared_type, disposition, created_at)
      VALUES (@fileId, @uploaderId, @name, @size, @sniffedType, @declaredType, @disposition, @createdAt)`);
    this.selectFile = this.db.prepare('SELECT * FROM files WHERE file_id = ?');
    this.insertGrant = this.db.prepare('INSERT OR IGNORE INTO file_grants (file_id, conversation_key, granted_at) VALUES (?, ?, ?)');
    this.selectGrants = this.db.prepare('SELECT conversation_key FROM file_grants WHERE file_id = ? ORDER BY granted_at');
  }

  async add(record: FileRecord): Promise<void> {
    this.insertFile.run(record);
  }

  async get(fileId: string): Promise<FileRecord | undefined> {
    const row = this.selectFile.get(fileId) as FileRow | undefined;
    if (!row) return undefined;
    return {
      fileId: row.file_id, uploaderId: row.uploader_id, name: row.name, size: row.size, sniffedType: row.sniffed_type,
      declaredType: row.declared_type, disposition: row.disposition === 'inline' ? 'inline' : 'attachment', createdAt: row.created_at,
    };
  }

  /** Records that the file was sent to the conversation; repeating it changes nothing. */
  async grant(fileId: string, conversationKey: string, now = Date.now()): Promise<void> {
    this.insertGrant.run(fileId, conversationKey, now);
  }

  async grants(fileId: string): Promise<string[]> {
    return (this.selectGrants.all(fileId) as Array<{ conversation_key: string }>).map((row) => row.conversation_key);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/**
 * A {@linkcode RecordStore} in an SQLite file through the built-in
 * `node:sqlite`, so a sandbox started with `--db FILE` keeps its records
 * (and its token signing key) across restarts.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { DocumentKeys, RecordStore, SequencedRecord } from "./store.ts";
import type { StoredRecord } from "./types.ts";

const SCHEMA = `
  PRAGMA journal_mode = WAL;
  -- A sandbox needs no durability against power loss; speed matters more.
  PRAGMA synchronous = OFF;
  CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    type_id TEXT NOT NULL,
    component_uuid TEXT,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS documents_by_key ON documents (collection, key, version);
  CREATE INDEX IF NOT EXISTS documents_by_type ON documents (collection, type_id, component_uuid);
  CREATE TABLE IF NOT EXISTS type_keys (
    collection TEXT NOT NULL, type_id TEXT NOT NULL, key TEXT NOT NULL,
    PRIMARY KEY (collection, type_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS type_counts (
    collection TEXT NOT NULL, type_id TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (collection, type_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

type Row = Record<string, unknown>;

// Latest versions recently read (type forms are read on every save); cleared when it grows.
const CACHE_LIMIT = 1000;

function parse(row: Row | undefined): StoredRecord | null {
  return row === undefined ? null : JSON.parse(String(row.body)) as StoredRecord;
}

/** Records in an SQLite file; every call is one indexed statement except the scans. */
export class SqliteStore implements RecordStore {
  #db: DatabaseSync;
  #counts = new Map<string, number>();
  #latest = new Map<string, StoredRecord | null>();
  #statements: Record<string, StatementSync>;

  /** Opens (creating if needed) the database file at `path`. */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec(SCHEMA);
    const prepare = (sql: string) => this.#db.prepare(sql);
    this.#statements = {
      insert: prepare(
        "INSERT INTO documents (collection, key, version, type_id, component_uuid, body) " +
          "VALUES (?, ?, ?, ?, ?, ?)",
      ),
      latestVersion: prepare(
        "SELECT MAX(version) AS version FROM documents WHERE collection = ? AND key = ?",
      ),
      latest: prepare(
        "SELECT body FROM documents WHERE collection = ? AND key = ? " +
          "ORDER BY version DESC, seq DESC LIMIT 1",
      ),
      version: prepare(
        "SELECT body FROM documents WHERE collection = ? AND key = ? AND version = ? " +
          "ORDER BY seq DESC LIMIT 1",
      ),
      ofType: prepare(
        "SELECT seq, body FROM documents WHERE collection = ? AND type_id = ? ORDER BY seq",
      ),
      ofTypeAndComponent: prepare(
        "SELECT seq, body FROM documents WHERE collection = ? AND type_id = ? " +
          "AND component_uuid = ? ORDER BY seq",
      ),
      all: prepare("SELECT key, version, body FROM documents WHERE collection = ? ORDER BY seq"),
      addTypeKey: prepare(
        "INSERT OR IGNORE INTO type_keys (collection, type_id, key) VALUES (?, ?, ?)",
      ),
      countType: prepare(
        "INSERT INTO type_counts (collection, type_id, count) VALUES (?, ?, 1) " +
          "ON CONFLICT (collection, type_id) DO UPDATE SET count = count + 1",
      ),
      typeCount: prepare("SELECT count FROM type_counts WHERE collection = ? AND type_id = ?"),
      getMeta: prepare("SELECT value FROM meta WHERE name = ?"),
      setMeta: prepare(
        "INSERT INTO meta (name, value) VALUES (?, ?) " +
          "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      ),
    };
    const counts = this.#db.prepare(
      "SELECT collection, COUNT(*) AS count FROM documents GROUP BY collection",
    );
    for (const row of counts.all()) this.#counts.set(String(row.collection), Number(row.count));
  }

  /** Appends a document and updates the per-type key count in one transaction. */
  insert(collection: string, keys: DocumentKeys, document: StoredRecord): void {
    const s = this.#statements;
    this.#db.exec("BEGIN");
    try {
      s.insert.run(
        collection,
        keys.key,
        keys.version,
        keys.typeId,
        keys.componentUuid ?? null,
        JSON.stringify(document),
      );
      if (Number(s.addTypeKey.run(collection, keys.typeId, keys.key).changes) === 1) {
        s.countType.run(collection, keys.typeId);
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
    this.#counts.set(collection, this.count(collection) + 1);
    this.#latest.delete(`${collection}\0${keys.key}`);
  }

  /** Highest stored version of `key`, or 0. */
  latestVersion(collection: string, key: string): number {
    const row = this.#statements.latestVersion.get(collection, key);
    return Number(row?.version ?? 0);
  }

  /** The latest (or the given) version of `key`. */
  get(collection: string, key: string, version?: number): StoredRecord | null {
    if (version !== undefined) return parse(this.#statements.version.get(collection, key, version));
    const cacheKey = `${collection}\0${key}`;
    let latest = this.#latest.get(cacheKey);
    if (latest === undefined) {
      latest = parse(this.#statements.latest.get(collection, key));
      if (this.#latest.size >= CACHE_LIMIT) this.#latest.clear();
      this.#latest.set(cacheKey, latest);
    }
    return latest;
  }

  /** Every version of every record of a type, oldest first. */
  ofType(collection: string, typeId: string, componentUuid?: string): SequencedRecord[] {
    const rows = componentUuid === undefined
      ? this.#statements.ofType.all(collection, typeId)
      : this.#statements.ofTypeAndComponent.all(collection, typeId, componentUuid);
    return rows.map((row) => ({ seq: Number(row.seq), document: parse(row) as StoredRecord }));
  }

  /** The highest version of each key, in order of first insertion. */
  latestOfEach(collection: string): StoredRecord[] {
    const latest = new Map<string, { version: number; row: Row }>();
    for (const row of this.#statements.all.all(collection)) {
      const key = String(row.key);
      const seen = latest.get(key);
      if (!seen || Number(row.version) >= seen.version) {
        latest.set(key, { version: Number(row.version), row });
      }
    }
    return [...latest.values()].map(({ row }) => parse(row) as StoredRecord);
  }

  /** Every document, oldest first. */
  all(collection: string): StoredRecord[] {
    return this.#statements.all.all(collection).map((row) => parse(row) as StoredRecord);
  }

  /** Number of documents. */
  count(collection: string): number {
    return this.#counts.get(collection) ?? 0;
  }

  /** Distinct keys ever stored with this type. */
  keysOfType(collection: string, typeId: string): number {
    return Number(this.#statements.typeCount.get(collection, typeId)?.count ?? 0);
  }

  /** A stored setting. */
  getMeta(name: string): string | undefined {
    const row = this.#statements.getMeta.get(name);
    return row === undefined ? undefined : String(row.value);
  }

  /** Stores a setting. */
  setMeta(name: string, value: string): void {
    this.#statements.setMeta.run(name, value);
  }

  /** Closes the database file. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

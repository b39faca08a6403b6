/**
 * Where the sandbox keeps documents: one interface, an in-memory
 * implementation here and a node:sqlite one in `sqlite_store.ts`.
 *
 * Documents are append-only like the live server's collections: every save
 * inserts a new version. Writes and single-record reads are indexed by key;
 * only the list routes scan (one type at a time).
 *
 * @module
 */

import type { StoredRecord } from "./types.ts";

/** The index fields of a document, extracted by the save functions. */
export interface DocumentKeys {
  /** The record's identity shared by its versions: componentUuid, actionId, workflowId or formId. */
  key: string;
  /** `validity.version`. */
  version: number;
  /** What list routes match on: the component `formId` or the `typeFormId`. */
  typeId: string;
  /** Actions: the component the action was performed on (the `?uuid=` filter). */
  componentUuid?: string;
}

/** A document with its insertion sequence number (later inserts have larger numbers). */
export interface SequencedRecord {
  /** Insertion order, used to break ties between equal dates. */
  seq: number;
  /** The stored document. */
  document: StoredRecord;
}

/** Storage of the sandbox's collections. Collections are named by strings. */
export interface RecordStore {
  /** Appends a document (never updates one). The store owns `document` afterwards. */
  insert(collection: string, keys: DocumentKeys, document: StoredRecord): void;
  /** Highest stored version of `key`, or 0 when there is none. */
  latestVersion(collection: string, key: string): number;
  /** The latest version of `key`, or the given version; null when absent. */
  get(collection: string, key: string, version?: number): StoredRecord | null;
  /** Every version of every record of a type (optionally of one component), oldest first. */
  ofType(collection: string, typeId: string, componentUuid?: string): SequencedRecord[];
  /** The highest version of each key of a collection, in order of first insertion. */
  latestOfEach(collection: string): StoredRecord[];
  /** Every document of a collection, oldest first. */
  all(collection: string): StoredRecord[];
  /** How many documents (all versions) a collection holds. */
  count(collection: string): number;
  /** How many distinct keys have ever been stored with this type. */
  keysOfType(collection: string, typeId: string): number;
  /** A stored setting, e.g. the token signing key. */
  getMeta(name: string): string | undefined;
  /** Stores a setting. */
  setMeta(name: string, value: string): void;
  /** Releases the storage. */
  close(): void;
}

interface MemoryCollection {
  documents: StoredRecord[];
  keys: DocumentKeys[];
  versionsByKey: Map<string, number[]>;
  seqsByType: Map<string, number[]>;
  keysByType: Map<string, Set<string>>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The default store: plain maps, gone when the sandbox closes. */
export class MemoryStore implements RecordStore {
  #collections = new Map<string, MemoryCollection>();
  #meta = new Map<string, string>();

  #collection(name: string): MemoryCollection {
    let collection = this.#collections.get(name);
    if (!collection) {
      collection = {
        documents: [],
        keys: [],
        versionsByKey: new Map(),
        seqsByType: new Map(),
        keysByType: new Map(),
      };
      this.#collections.set(name, collection);
    }
    return collection;
  }

  /** Appends a document. */
  insert(collection: string, keys: DocumentKeys, document: StoredRecord): void {
    const store = this.#collection(collection);
    const seq = store.documents.length;
    store.documents.push(document);
    store.keys.push(keys);
    push(store.versionsByKey, keys.key, seq);
    push(store.seqsByType, keys.typeId, seq);
    const typeKeys = store.keysByType.get(keys.typeId) ?? new Set<string>();
    typeKeys.add(keys.key);
    store.keysByType.set(keys.typeId, typeKeys);
  }

  /** Highest stored version of `key`, or 0. */
  latestVersion(collection: string, key: string): number {
    const store = this.#collection(collection);
    let highest = 0;
    for (const seq of store.versionsByKey.get(key) ?? []) {
      highest = Math.max(highest, store.keys[seq].version);
    }
    return highest;
  }

  /** The latest (or the given) version of `key`. */
  get(collection: string, key: string, version?: number): StoredRecord | null {
    const store = this.#collection(collection);
    let found: number | undefined;
    for (const seq of store.versionsByKey.get(key) ?? []) {
      const stored = store.keys[seq].version;
      if (
        version === undefined
          ? found === undefined || stored >= store.keys[found].version
          : stored === version
      ) {
        found = seq;
      }
    }
    return found === undefined ? null : store.documents[found];
  }

  /** Every version of every record of a type, oldest first. */
  ofType(collection: string, typeId: string, componentUuid?: string): SequencedRecord[] {
    const store = this.#collection(collection);
    const seqs = store.seqsByType.get(typeId) ?? [];
    return seqs
      .filter((seq) =>
        componentUuid === undefined || store.keys[seq].componentUuid === componentUuid
      )
      .map((seq) => ({ seq, document: store.documents[seq] }));
  }

  /** The highest version of each key. */
  latestOfEach(collection: string): StoredRecord[] {
    const store = this.#collection(collection);
    return [...store.versionsByKey.keys()].map((key) => this.get(collection, key) as StoredRecord);
  }

  /** Every document, oldest first. */
  all(collection: string): StoredRecord[] {
    return [...this.#collection(collection).documents];
  }

  /** Number of documents. */
  count(collection: string): number {
    return this.#collections.get(collection)?.documents.length ?? 0;
  }

  /** Distinct keys ever stored with this type. */
  keysOfType(collection: string, typeId: string): number {
    return this.#collection(collection).keysByType.get(typeId)?.size ?? 0;
  }

  /** A stored setting. */
  getMeta(name: string): string | undefined {
    return this.#meta.get(name);
  }

  /** Stores a setting. */
  setMeta(name: string, value: string): void {
    this.#meta.set(name, value);
  }

  /** Nothing to release; the documents stay readable for checks after the sandbox stopped. */
  close(): void {}
}

/**
 * What a journal says about each row, kept compact: a re-run of a file of
 * 200,000 rows loads 200,000 entries before it starts. Keys of the form
 * `row:N` (the default) with an ObjectId or UUID and a fingerprint, as this
 * module writes them, take 25 bytes each in typed arrays indexed by N; any
 * other entry lives in a Map.
 *
 * @module
 */

/** What the journal knows about one row key. */
export interface JournalEntry {
  /** The action ID or component UUID chosen for the row. */
  id: string;
  /** Fingerprint of the row content when it was last sent (14 hex digits). */
  fp?: string;
  /**
   * `pending`: sent (or about to be) with no outcome written; re-check by ID.
   * `seen`: only a mark of which row stood at this row number (one keyed by
   * the ID it carries, as `id`, or refused before it was journaled).
   */
  state: "pending" | "done" | "failed" | "seen";
}

const STATES = [undefined, "pending", "done", "failed", "seen"] as const;
const ROW_KEY = /^row:([1-9]\d{0,8})$/;
const OBJECT_ID = /^[0-9a-f]{24}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FP = /^[0-9a-f]{14}$/;
// Per row: a state byte (high bit set: the ID is a UUID), 16 ID bytes, a fingerprint.
const ID_BYTES = 16;
const UUID_FLAG = 0x80;
const NO_FP = -1;

function hexToBytes(hex: string, into: Uint8Array, offset: number): void {
  for (let index = 0; index < hex.length; index += 2) {
    into[offset + index / 2] = parseInt(hex.slice(index, index + 2), 16);
  }
}

function bytesToHex(bytes: Uint8Array, offset: number, length: number): string {
  let hex = "";
  for (let index = offset; index < offset + length; index++) {
    hex += bytes[index].toString(16).padStart(2, "0");
  }
  return hex;
}

/** Journal entries by key. */
export class JournalState {
  #states = new Uint8Array(0);
  #ids = new Uint8Array(0);
  #fps = new Float64Array(0);
  #others = new Map<string, JournalEntry>();
  #size = 0;

  /** How many keys have an entry. */
  get size(): number {
    return this.#size;
  }

  /** The entry of `key`, if any. */
  get(key: string): JournalEntry | undefined {
    if (this.#size === 0) return undefined; // a first run: nothing to look up
    const row = ROW_KEY.exec(key)?.[1];
    const index = row === undefined ? -1 : Number(row);
    const code = index >= 0 && index < this.#states.length ? this.#states[index] : 0;
    if (code === 0) return this.#others.get(key);
    const offset = index * ID_BYTES;
    const hex = bytesToHex(this.#ids, offset, code & UUID_FLAG ? 16 : 12);
    const id = code & UUID_FLAG
      ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
        hex.slice(20)
      }`
      : hex;
    const fp = this.#fps[index] === NO_FP
      ? undefined
      : this.#fps[index].toString(16).padStart(14, "0");
    return { id, fp, state: STATES[code & ~UUID_FLAG]! };
  }

  /** Sets the entry of `key`. */
  set(key: string, entry: JournalEntry): void {
    this.delete(key);
    const row = ROW_KEY.exec(key)?.[1];
    // Row numbers far apart (a program may start at 900,000,000) go to the Map:
    // the arrays grow only as far as the rows are dense.
    const compact = row !== undefined && (OBJECT_ID.test(entry.id) || UUID.test(entry.id)) &&
      (entry.fp === undefined || FP.test(entry.fp)) && Number(row) <= 4 * (this.#size + 1024);
    this.#size++;
    if (!compact) {
      this.#others.set(key, entry);
      return;
    }
    const index = Number(row);
    this.#reserve(index);
    const uuid = entry.id.length !== 24;
    hexToBytes(uuid ? entry.id.replaceAll("-", "") : entry.id, this.#ids, index * ID_BYTES);
    this.#fps[index] = entry.fp === undefined ? NO_FP : parseInt(entry.fp, 16);
    this.#states[index] = STATES.indexOf(entry.state) | (uuid ? UUID_FLAG : 0);
  }

  /** Forgets `key`. */
  delete(key: string): void {
    if (this.#size === 0) return;
    if (this.#others.delete(key)) {
      this.#size--;
      return;
    }
    const row = ROW_KEY.exec(key)?.[1];
    const index = row === undefined ? -1 : Number(row);
    if (index < 0 || index >= this.#states.length || this.#states[index] === 0) return;
    this.#states[index] = 0;
    this.#size--;
  }

  #reserve(index: number): void {
    if (index < this.#states.length) return;
    const length = Math.max(index + 1, this.#states.length * 2, 1024);
    const states = new Uint8Array(length);
    states.set(this.#states);
    const ids = new Uint8Array(length * ID_BYTES);
    ids.set(this.#ids);
    const fps = new Float64Array(length);
    fps.set(this.#fps);
    this.#states = states;
    this.#ids = ids;
    this.#fps = fps;
  }
}

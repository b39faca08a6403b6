/**
 * The opt-in token cache file, so that many short script runs share one
 * token instead of each spending one of the token service's monthly quota.
 * It holds tokens and their expiry only, never the client secret; it is
 * created with mode 0600; a damaged or foreign file is replaced, never fatal.
 *
 * @module
 */

import type { Logger } from "./logger.ts";

/**
 * Whether this process may read and replace the cache file; if not, one
 * warning naming the permissions to add, and the cache is not used (a
 * missing permission must neither prompt nor fail the run).
 *
 * @example
 * ```ts
 * import { cacheUsable } from "./token_cache.ts";
 * console.assert(typeof cacheUsable("/tmp/tokens.json", { debug() {}, warn() {} }) === "boolean");
 * ```
 */
export function cacheUsable(path: string, logger: Logger): boolean {
  // Replacing the file (temporary file, then rename) needs both on its directory.
  const directory = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
  const missing = (["read", "write"] as const).filter((name) =>
    Deno.permissions.querySync({ name, path: directory }).state !== "granted"
  );
  if (missing.length === 0) return true;
  logger.warn(
    `not using the token cache ${path}: it needs ${
      missing.map((name) => `--allow-${name}=${directory}`).join(" ")
    }`,
  );
  return false;
}

/** One cached token, with its expiry on the wall clock (shared across processes). */
export interface CachedToken {
  tokenType: string;
  accessToken: string;
  expiresAtWallMs: number;
}

const FORMAT = "dune-m2m-token-cache/1";

interface CacheFile {
  format: typeof FORMAT;
  entries: Record<string, CachedToken>;
}

function isCachedToken(value: unknown): value is CachedToken {
  const entry = value as CachedToken;
  return typeof entry === "object" && entry !== null && typeof entry.tokenType === "string" &&
    typeof entry.accessToken === "string" && entry.accessToken !== "" &&
    typeof entry.expiresAtWallMs === "number" && Number.isFinite(entry.expiresAtWallMs);
}

async function readCacheFile(path: string, logger: Logger): Promise<CacheFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      logger.warn(`cannot read the token cache ${path} (${(error as Error).message}); ignoring it`);
    }
    return { format: FORMAT, entries: {} };
  }
  try {
    const parsed = JSON.parse(text) as CacheFile;
    if (parsed?.format === FORMAT && typeof parsed.entries === "object" && parsed.entries) {
      const entries: Record<string, CachedToken> = {};
      for (const [key, entry] of Object.entries(parsed.entries)) {
        if (isCachedToken(entry)) entries[key] = entry;
      }
      return { format: FORMAT, entries };
    }
  } catch {
    // Falls through: a damaged file is replaced on the next write.
  }
  // A damaged cache is replaced; a file that was never JSON is someone else's.
  if (text.trim() !== "" && !/^\s*[[{]/.test(text)) {
    throw new ForeignFileError(path);
  }
  logger.debug(`the token cache ${path} is damaged or of another version; it will be replaced`);
  return { format: FORMAT, entries: {} };
}

class ForeignFileError extends Error {
  constructor(path: string) {
    super(`M2M_TOKEN_CACHE points at ${path}, which is not a token cache: not touching it`);
  }
}

/**
 * The cached token for `key`, or `undefined` when there is none (or the file
 * is missing, unreadable or damaged).
 *
 * @example
 * ```ts
 * import { readCachedToken } from "./token_cache.ts";
 * const none = await readCachedToken("/nonexistent/cache.json", "k", { debug() {}, warn() {} });
 * console.assert(none === undefined);
 * ```
 */
export async function readCachedToken(
  path: string,
  key: string,
  logger: Logger,
): Promise<CachedToken | undefined> {
  try {
    return (await readCacheFile(path, logger)).entries[key];
  } catch (error) {
    if (!(error instanceof ForeignFileError)) throw error;
    logger.warn(error.message);
    return undefined;
  }
}

/**
 * Stores `token` under `key`, dropping expired entries. Written to a private
 * temporary file (0600) then renamed over the cache, so a reader never sees
 * half a file. A failure to write is a warning: the token still works.
 *
 * @example
 * ```ts
 * import { readCachedToken, writeCachedToken } from "./token_cache.ts";
 * const path = await Deno.makeTempFile();
 * const logger = { debug() {}, warn() {} };
 * const token = { tokenType: "Bearer", accessToken: "a.b.c", expiresAtWallMs: Date.now() + 60_000 };
 * await writeCachedToken(path, "k", token, logger);
 * console.assert((await readCachedToken(path, "k", logger))?.accessToken === "a.b.c");
 * await Deno.remove(path);
 * ```
 */
export async function writeCachedToken(
  path: string,
  key: string,
  token: CachedToken,
  logger: Logger,
): Promise<void> {
  let file: CacheFile;
  try {
    file = await readCacheFile(path, logger);
  } catch (error) {
    if (!(error instanceof ForeignFileError)) throw error;
    return; // already warned when it was read
  }
  const now = Date.now();
  for (const [other, entry] of Object.entries(file.entries)) {
    if (entry.expiresAtWallMs <= now) delete file.entries[other];
  }
  file.entries[key] = token;
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temporary, JSON.stringify(file), { mode: 0o600, createNew: true });
    await Deno.rename(temporary, path);
    await Deno.chmod(path, 0o600);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    logger.warn(`cannot write the token cache ${path} (${(error as Error).message}); continuing`);
  }
}

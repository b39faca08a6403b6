/**
 * Where the credentials come from: explicit options, then `M2M_*` environment
 * variables, then a dotenv file (`.env`, or `.env.<instance>`). The first
 * source that gives a value wins, field by field.
 *
 * @module
 */

import { parseEnv } from "node:util";
import { ValidationError } from "./errors.ts";
import { quote } from "./ids.ts";

/** The audience of the real DUNE DB API (API.md §2.1). */
export const DEFAULT_AUDIENCE = "https://apa.dunedb.org/api/";
/** The DB instances a dotenv file can be named after. */
export const INSTANCES = ["development", "staging", "production", "sandbox"] as const;
/** One of {@linkcode INSTANCES}. */
export type Instance = typeof INSTANCES[number];

/** Credentials as a user may give them; every field is optional here. */
export interface CredentialOptions {
  /** The client ID issued by the DB team (`M2M_CLIENT_ID`). */
  clientId?: string;
  /** The client secret (`M2M_CLIENT_SECRET`). Never printed. */
  clientSecret?: string;
  /** Host of the token service, e.g. `"dune.auth0.com"` (`M2M_AUTH0_DOMAIN`). */
  auth0Domain?: string;
  /** Host of the DB API, e.g. `"apa.dunedb.org"` (`M2M_DB_DOMAIN`). */
  dbDomain?: string;
  /** Token audience (`M2M_AUDIENCE`); default {@linkcode DEFAULT_AUDIENCE}. */
  audience?: string;
  /** Which dotenv file to read: `.env.<instance>` (`M2M_INSTANCE`). */
  instance?: Instance;
  /** An explicit dotenv file to read instead of `.env`/`.env.<instance>`. */
  envFile?: string;
  /** A file to share tokens across runs (`M2M_TOKEN_CACHE`); off when unset. */
  tokenCache?: string;
  /**
   * An HTTP proxy for the `https:` hosts, e.g. `"http://proxy.lab.example:3128"`
   * (`M2M_PROXY`). Requests go through its CONNECT tunnel; TLS runs end to end.
   */
  proxy?: string;
}

/** Credentials after resolution: every value present, domains turned into base URLs. */
export interface ResolvedCredentials {
  clientId: string;
  clientSecret: string;
  audience: string;
  /** e.g. `https://dune.auth0.com` or `http://127.0.0.1:12313` (no trailing slash). */
  authBaseUrl: string;
  /** e.g. `https://apa.dunedb.org` (no trailing slash). */
  dbBaseUrl: string;
  /** The dotenv file that was read, if any. */
  envFile?: string;
  /** The token cache file, if one was asked for. */
  tokenCache?: string;
  /** The HTTP proxy for `https:` hosts, e.g. `http://proxy.lab.example:3128`. */
  proxy?: string;
}

/** How config reads the outside world; injectable so tests need no real env. */
export interface ConfigSources {
  env(name: string): string | undefined;
  readTextFile(path: string): string | undefined;
  /** Called once if the dotenv file holding a secret is readable by others. */
  warn(message: string): void;
  fileMode(path: string): number | undefined;
  /** Whether the `M2M_*` variables may be read; undefined when unknown. */
  envReadable?(): boolean;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Whether a host name is this machine (`localhost`, `127.0.0.1`, `[::1]`),
 * the only hosts reached over plain HTTP.
 *
 * @example
 * ```ts
 * import { isLoopbackHost } from "./config.ts";
 * console.assert(isLoopbackHost("127.0.0.1") && !isLoopbackHost("apa.dunedb.org"));
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/**
 * Turns a domain as users write it (`apa.dunedb.org`, `localhost:12313`,
 * `https://host/`) into a base URL: HTTPS, except plain HTTP for loopback
 * hosts given without a scheme. `http://` for any other host is refused.
 *
 * @example
 * ```ts
 * import { toBaseUrl } from "./config.ts";
 * console.assert(toBaseUrl("apa.dunedb.org", "M2M_DB_DOMAIN") === "https://apa.dunedb.org");
 * console.assert(toBaseUrl("localhost:12313", "M2M_DB_DOMAIN") === "http://localhost:12313");
 * ```
 */
export function toBaseUrl(domain: string, name: string): string {
  const trimmed = domain.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  let url: URL;
  try {
    url = new URL(hasScheme ? trimmed : `https://${trimmed}`);
  } catch {
    throw new ValidationError(`${name} ${quote(domain)} is not a host name, e.g. "apa.dunedb.org"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ValidationError(`${name} ${quote(domain)} uses ${url.protocol}; use https://`);
  }
  if (url.username || url.password || url.search || url.hash) {
    // The value is not echoed: a user:password part is a secret.
    throw new ValidationError(
      `${name} must be a plain host name like "${url.host}", without user, password, query ` +
        `or fragment`,
    );
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === "http:" && !loopback) {
    throw new ValidationError(
      `${name} ${quote(domain)} asks for plain http:// to a remote host; credentials and ` +
        `tokens must travel over TLS: use https:// (plain HTTP is only for localhost)`,
    );
  }
  const protocol = hasScheme ? url.protocol : loopback ? "http:" : "https:";
  return `${protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

function readDotenv(
  path: string,
  sources: ConfigSources,
  required: boolean,
): Record<string, string> {
  let text: string | undefined;
  try {
    text = sources.readTextFile(path);
  } catch (error) {
    if (required) throw error;
    unreadable.add(path);
  }
  if (text === undefined) {
    if (required) {
      throw new ValidationError(
        `credentials file ${quote(path)}${
          path.startsWith("/") ? "" : " (in the directory the script runs in)"
        } does not exist: create it with M2M_CLIENT_ID, M2M_CLIENT_SECRET, M2M_AUTH0_DOMAIN ` +
          `and M2M_DB_DOMAIN lines`,
      );
    }
    return {};
  }
  // Editors on Windows may save a byte-order mark, which would hide the first name.
  return { ...parseEnv(text.replace(/^\uFEFF/, "")) } as Record<string, string>;
}

// Optional dotenv files that exist but could not be read, for the
// missing-credentials message (the usual cause: no --allow-read for them).
const unreadable = new Set<string>();

function checkInstance(value: string | undefined, from: string): Instance | undefined {
  if (value === undefined || value === "") return undefined;
  if ((INSTANCES as readonly string[]).includes(value)) return value as Instance;
  throw new ValidationError(
    `${from} ${quote(value)} is not an instance: use one of ${INSTANCES.join(", ")}`,
  );
}

/**
 * Resolves credentials from options, then `M2M_*` variables, then the dotenv
 * file; throws a {@linkcode ValidationError} naming each missing variable and
 * the places looked at. Reads nothing over the network.
 *
 * @example
 * ```ts
 * import { resolveCredentials } from "./config.ts";
 * const credentials = resolveCredentials({
 *   clientId: "id", clientSecret: "secret", auth0Domain: "localhost:12313", dbDomain: "localhost:12313",
 * }, { env: () => undefined, readTextFile: () => undefined, warn: () => {}, fileMode: () => undefined });
 * console.assert(credentials.dbBaseUrl === "http://localhost:12313");
 * ```
 */
export function resolveCredentials(
  options: CredentialOptions,
  sources: ConfigSources,
): ResolvedCredentials {
  const instance = checkInstance(options.instance, "instance") ??
    checkInstance(sources.env("M2M_INSTANCE"), "M2M_INSTANCE");
  const envFile = options.envFile ?? (instance ? `.env.${instance}` : ".env");
  const fromFile = readDotenv(envFile, sources, options.envFile !== undefined || !!instance);

  const pick = (option: string | undefined, name: string): string | undefined => {
    for (const value of [option, sources.env(name), fromFile[name]]) {
      if (value !== undefined && value.trim() !== "") return value.trim();
    }
    return undefined;
  };
  // Asked for an instance, a user expects its file; a variable left exported in
  // the shell (production credentials, say) silently wins over it.
  if (instance) {
    const overridden = Object.keys(fromFile).filter((name) =>
      name.startsWith("M2M_") && sources.env(name)?.trim() &&
      sources.env(name)!.trim() !== fromFile[name].trim()
    );
    if (overridden.length > 0) {
      sources.warn(
        `warning: ${overridden.join(", ")} from the environment override the value${
          overridden.length > 1 ? "s" : ""
        } in ${quote(envFile)} (instance "${instance}"): unset ${
          overridden.length > 1 ? "them" : "it"
        } to use the file`,
      );
    }
  }
  const values = {
    M2M_CLIENT_ID: pick(options.clientId, "M2M_CLIENT_ID"),
    M2M_CLIENT_SECRET: pick(options.clientSecret, "M2M_CLIENT_SECRET"),
    M2M_AUTH0_DOMAIN: pick(options.auth0Domain, "M2M_AUTH0_DOMAIN"),
    M2M_DB_DOMAIN: pick(options.dbDomain, "M2M_DB_DOMAIN"),
  };
  const missing = Object.entries(values).filter(([, value]) => value === undefined)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new ValidationError(
      `missing credential${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: looked in the ` +
        `ConnectToAPI options, the environment${
          sources.envReadable?.() === false ? " (not readable: add --allow-env=M2M_*)" : ""
        } and ${quote(envFile)}${
          unreadable.has(envFile)
            ? ` (not readable: add --allow-read=${envFile})`
            : Object.keys(fromFile).length === 0
            ? " (not found or empty)"
            : ""
        }; ask the DB team for credentials, or run \`deno task sandbox\` for local ones and ` +
        `use the instance "sandbox" (--instance sandbox, or ConnectToAPI({ instance: "sandbox" }))`,
    );
  }
  const secret = values.M2M_CLIENT_SECRET!;
  // A secret pasted into the wrong variable must not be echoed in the error.
  const notSecret = (value: string, name: string) => {
    if (secret.length >= 8 && value.includes(secret)) {
      throw new ValidationError(`${name} holds the client secret: check the credentials file`);
    }
    return value;
  };
  const baseUrl = (value: string, name: string) => toBaseUrl(notSecret(value, name), name);
  const proxy = pick(options.proxy, "M2M_PROXY");
  const credentials: ResolvedCredentials = {
    clientId: values.M2M_CLIENT_ID!,
    clientSecret: secret,
    audience: pick(options.audience, "M2M_AUDIENCE") ?? DEFAULT_AUDIENCE,
    authBaseUrl: baseUrl(values.M2M_AUTH0_DOMAIN!, "M2M_AUTH0_DOMAIN"),
    dbBaseUrl: baseUrl(values.M2M_DB_DOMAIN!, "M2M_DB_DOMAIN"),
    envFile: Object.keys(fromFile).length > 0 ? envFile : undefined,
    tokenCache: pick(options.tokenCache, "M2M_TOKEN_CACHE"),
    proxy: checkProxy(proxy === undefined ? undefined : notSecret(proxy, "M2M_PROXY")),
  };
  warnIfExposed(envFile, fromFile, credentials, sources);
  return credentials;
}

/**
 * `value` as a proxy URL (`http://HOST[:PORT]`), or a ValidationError saying
 * what is wrong; a URL holding credentials is not echoed.
 *
 * @example
 * ```ts
 * import { checkProxy } from "./config.ts";
 * console.assert(checkProxy("http://proxy.lab:3128/") === "http://proxy.lab:3128");
 * ```
 */
export function checkProxy(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const usage = "M2M_PROXY (the proxy option) must look like http://proxy.example:3128";
  // Whatever precedes an "@" may be a password: never echoed.
  const shown = value.includes("@") ? "" : `, not ${quote(value)}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${usage}${shown}`);
  }
  if (url.username || url.password) {
    throw new ValidationError(
      `${usage}: a user name or password in it cannot be sent (this client does not ` +
        `authenticate to proxies)`,
    );
  }
  if (
    url.protocol !== "http:" || url.pathname !== "/" || url.search || url.hash || url.port === "0"
  ) {
    throw new ValidationError(`${usage}${shown}`);
  }
  return url.origin;
}

const warnedFiles = new Set<string>();

// A secret in a file others can read is a leak waiting to happen; sandbox
// credentials (loopback only) are not secret, so they do not warrant noise.
function warnIfExposed(
  path: string,
  fromFile: Record<string, string>,
  credentials: ResolvedCredentials,
  sources: ConfigSources,
): void {
  if (!fromFile.M2M_CLIENT_SECRET || warnedFiles.has(path)) return;
  const local = [credentials.authBaseUrl, credentials.dbBaseUrl]
    .every((url) => isLoopbackHost(new URL(url).hostname));
  const mode = sources.fileMode(path);
  if (local || mode === undefined || (mode & 0o044) === 0) return;
  warnedFiles.add(path);
  sources.warn(
    `warning: ${path} holds M2M_CLIENT_SECRET and is readable by other users ` +
      `(mode ${(mode & 0o777).toString(8)}): run chmod 600 ${path}`,
  );
}

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/**
 * The real sources: `Deno.env` and the file system, each read only where the
 * script was granted permission (a script run with `--allow-env=M2M_*` must
 * not prompt or fail for other variables), warnings to stderr.
 *
 * @example
 * ```ts
 * import { denoConfigSources } from "./config.ts";
 * const sources = denoConfigSources();
 * console.assert(typeof sources.env("M2M_INSTANCE") !== "number");
 * ```
 */
export function denoConfigSources(): ConfigSources {
  return {
    env: (name) => granted({ name: "env", variable: name }) ? Deno.env.get(name) : undefined,
    envReadable: () => granted({ name: "env", variable: "M2M_CLIENT_ID" }),
    readTextFile: (path) => {
      if (!granted({ name: "read", path })) {
        throw new ValidationError(
          `no permission to read the credentials file ${
            quote(path)
          }: run with --allow-read=${path}`,
        );
      }
      try {
        return Deno.readTextFileSync(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw new ValidationError(
          `cannot read the credentials file ${quote(path)}: ${(error as Error).message}`,
        );
      }
    },
    fileMode: (path) => {
      try {
        return Deno.statSync(path).mode ?? undefined;
      } catch {
        return undefined;
      }
    },
    warn: (message) => console.error(message),
  };
}

/**
 * The public shapes of the sandbox: options, the running sandbox, its
 * statistics, type form definitions and the fault plan.
 *
 * @module
 */

/** Any value JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  /** Any member. */
  [key: string]: JsonValue;
}

/**
 * A stored document exactly as the API returns it: `_id` first, then the
 * fields in the order the server stores them (API.md §5).
 */
export interface StoredRecord {
  /** The document's own ObjectId (24 lowercase hex digits), new for every version. */
  _id: string;
  /** Every other stored field. */
  [field: string]: JsonValue;
}

/** The three record collections a machine client writes to. */
export type RecordCollection = "components" | "actions" | "workflows";

/** The three type form collections. */
export type FormCollection = "componentForms" | "actionForms" | "workflowForms";

/** An M2M client the token endpoint knows. */
export interface SandboxClient {
  /** Auth0 client ID; becomes the `azp` claim and `insertion.user.user_id`. */
  clientId: string;
  /** Client secret, compared exactly. */
  clientSecret: string;
  /** Permissions carried in the token, e.g. `"components:edit"`. */
  permissions: string[];
}

/** A type form to load at start (the `forms` option or `--forms FILE`). */
export interface TypeFormDefinition {
  /** Which collection the form belongs to. */
  collection: FormCollection;
  /** The ID clients use as `formId` / `typeFormId`. */
  formId: string;
  /** Human name, copied into records as `formName` / `typeFormName`. */
  formName: string;
  /** Formio JSON schema. */
  schema: JsonObject;
  /** Free tags; default `[]`. */
  tags?: string[];
  /** Action and workflow forms: component types they apply to; default `[]`. */
  componentTypes?: string[];
  /** Workflow forms: a description; default `""`. */
  description?: string;
  /** Workflow forms: the steps; default `[]`. */
  path?: JsonValue[];
  /** Whether the form is a batch form; default `false`. */
  isBatch?: boolean;
}

/**
 * What can go wrong on purpose: a status reply (`"500"`, `"503"`, `"429"`),
 * a connection dropped before or after the request was processed, a reply
 * delayed by `slowMs`, or a token that expires early.
 *
 * A dropped connection sends no byte of a reply. Deno's `fetch` then rejects
 * with `TypeError: fetch failed` on a fresh connection, but on a reused
 * keep-alive connection it first resends the request once by itself (even a
 * POST); the sandbox sees and counts that resend as a new request.
 */
export type FaultKind =
  | "500"
  | "503"
  | "429"
  | "drop-before"
  | "drop-after"
  | "slow"
  | "expire-token";

/** Every fault kind, in the order rates are tried. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "500",
  "503",
  "429",
  "drop-before",
  "drop-after",
  "slow",
  "expire-token",
];

/**
 * When and how to misbehave. The `script` is consumed first, one entry per
 * request that matches `paths`; then each request draws from `rates` with a
 * PRNG seeded by `seed`, so a run is reproducible.
 */
export interface FaultPlan {
  /** PRNG seed; default 1. */
  seed?: number;
  /** Probability of each kind per request (each 0..1, sum at most 1). */
  rates?: Partial<Record<FaultKind, number>>;
  /** The exact fate of the next requests, in order; `"ok"` means no fault. */
  script?: (FaultKind | "ok")[];
  /** Delay of a `"slow"` reply in ms; default 5000. */
  slowMs?: number;
  /** `Retry-After` seconds sent with 503 and 429 (integer, may be 0); default 1. */
  retryAfterSeconds?: number;
  /** Seconds an `"expire-token"` token stays valid although `expires_in` says more; default 0. */
  earlyExpirySeconds?: number;
  /** Only requests whose path matches get faults; a string is a RegExp source. Default: all. */
  paths?: RegExp | string;
}

/** Options of {@linkcode startSandbox}. */
export interface SandboxOptions {
  /** Interface to listen on; default `"127.0.0.1"`. */
  hostname?: string;
  /** Port; default 0 (a free port). */
  port?: number;
  /** Known clients; default one client `sandbox-client` / `sandbox-secret` with every permission. */
  clients?: SandboxClient[];
  /** Type forms, or the path of a JSON file holding them; default `lib/sandbox/default_forms.json`. */
  forms?: TypeFormDefinition[] | string;
  /** SQLite file (node:sqlite) that keeps records across restarts; default in memory. */
  dbPath?: string;
  /** PEM certificate chain; with `tlsKey`, serve HTTPS. */
  tlsCert?: string;
  /** PEM private key for `tlsCert`. */
  tlsKey?: string;
  /** Milliseconds added to every reply, to simulate a distant server. */
  latencyMs?: number;
  /** `expires_in` of issued tokens in seconds; default 86400. */
  tokenLifetimeSeconds?: number;
  /** Faults to inject; default none. */
  faults?: FaultPlan;
  /** The API audience; default `"https://apa.dunedb.org/api/"`. */
  audience?: string;
  /** Clock in ms since the epoch, for token expiry and record dates; default `Date.now`. */
  now?: () => number;
}

/** Live counters of a running sandbox. */
export interface SandboxStats {
  /** HTTP requests received (including ones a client resent by itself). */
  readonly requests: number;
  /** Tokens issued by the token endpoint. */
  readonly tokensIssued: number;
  /** Faults injected, by kind. */
  readonly faultsInjected: Readonly<Record<FaultKind, number>>;
  /** Documents stored per collection, every version counted. */
  readonly stored: { components: number; actions: number; workflows: number };
}

/** Options of {@linkcode Sandbox.seed}. */
export interface SeedOptions {
  /** Client ID recorded as `insertion.user.user_id`; default the first client's. */
  clientId?: string;
}

/** A running sandbox; `await using` closes it. */
export interface Sandbox extends AsyncDisposable {
  /** Base URL, e.g. `"http://127.0.0.1:40123"` (`https` with TLS). */
  readonly url: string;
  /** `host:port`, what a client passes as both Auth0 domain and DB domain. */
  readonly host: string;
  /** The port actually listened on. */
  readonly port: number;
  /** The first client's ID. */
  readonly clientId: string;
  /** The first client's secret. */
  readonly clientSecret: string;
  /** The audience tokens are issued for. */
  readonly audience: string;
  /** Live counters. */
  readonly stats: SandboxStats;
  /** Replaces the fault plan (restarting its script and PRNG); `undefined` turns faults off. */
  setFaults(plan: FaultPlan | undefined): void;
  /** Adds a client, or replaces the one with the same ID. */
  addClient(client: SandboxClient): void;
  /**
   * All stored documents (every version) of a collection, in insertion order, as copies.
   * An in-memory sandbox still answers after `close()`; an SQLite one does not.
   */
  documents(collection: RecordCollection): StoredRecord[];
  /**
   * Saves request bodies exactly as POST `/api/component|action|workflow`
   * would, without HTTP, tokens, faults or latency; returns the IDs in order.
   * Throws an `Error` carrying the server's message for a body it would refuse.
   */
  seed(
    collection: RecordCollection,
    bodies: readonly JsonObject[],
    options?: SeedOptions,
  ): string[];
  /** Stops listening, drops open connections and closes the store. */
  close(): Promise<void>;
}

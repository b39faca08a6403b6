/**
 * A local emulator of the Auth0 token endpoint and the DUNE APA construction
 * DB API (NEW revision of API.md), for tests, demos and benchmarks.
 *
 * @module
 */

import { type AppState, createHandler } from "./app.ts";
import { keyFromHex, keyToHex, newSigningKey, TokenSigner } from "./auth.ts";
import { FaultInjector } from "./faults.ts";
import { installForms, loadFormDefinitions } from "./forms.ts";
import { saveAction } from "./save_action.ts";
import type { SaveContext } from "./save_common.ts";
import { saveComponent } from "./save_component.ts";
import { saveWorkflow } from "./save_workflow.ts";
import { type HttpServer, listen } from "./server.ts";
import { ServerError } from "./server_error.ts";
import { SqliteStore } from "./sqlite_store.ts";
import { LiveStats } from "./stats.ts";
import { MemoryStore, type RecordStore } from "./store.ts";
import type {
  FaultPlan,
  JsonObject,
  RecordCollection,
  Sandbox,
  SandboxClient,
  SandboxOptions,
  SandboxStats,
  SeedOptions,
  StoredRecord,
} from "./types.ts";

/** Every permission the live server checks (API.md §2.3); the default client holds them all. */
export const ALL_PERMISSIONS: readonly string[] = [
  "components:view",
  "components:edit",
  "actions:view",
  "actions:perform",
  "workflows:view",
  "workflows:edit",
  "forms:edit",
  "users:view",
];

/** The audience of the live API. */
export const DEFAULT_AUDIENCE = "https://apa.dunedb.org/api/";

const SAVES: Record<RecordCollection, (input: unknown, context: SaveContext) => string> = {
  components: saveComponent,
  actions: saveAction,
  workflows: saveWorkflow,
};

function checkClient(client: SandboxClient): SandboxClient {
  const valid = typeof client === "object" && client !== null &&
    typeof client.clientId === "string" && client.clientId !== "" &&
    typeof client.clientSecret === "string" && Array.isArray(client.permissions) &&
    client.permissions.every((permission) => typeof permission === "string");
  if (!valid) {
    throw new TypeError(
      "a sandbox client needs a non-empty clientId, a clientSecret and permissions: string[]",
    );
  }
  return { ...client, permissions: [...client.permissions] };
}

function checkOptions(options: SandboxOptions): void {
  const { port = 0, latencyMs = 0, tokenLifetimeSeconds = 86400 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port must be a whole number 0..65535, got ${port}`);
  }
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new RangeError(`latencyMs must be a number >= 0, got ${latencyMs}`);
  }
  if (!Number.isInteger(tokenLifetimeSeconds) || tokenLifetimeSeconds <= 0) {
    throw new RangeError(
      `tokenLifetimeSeconds must be a whole number > 0, got ${tokenLifetimeSeconds}`,
    );
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new TypeError("tlsCert and tlsKey must be given together");
  }
}

function hostOf(hostname: string, port: number): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

async function signingKey(store: RecordStore): Promise<TokenSigner> {
  // Kept in the database so that tokens issued before a restart stay valid.
  const stored = store.getMeta("signingKey");
  let key = stored === undefined ? null : keyFromHex(stored);
  if (!key) {
    key = newSigningKey();
    store.setMeta("signingKey", keyToHex(key));
  }
  return await TokenSigner.create(key);
}

class RunningSandbox implements Sandbox {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly audience: string;
  #state: AppState;
  #server: HttpServer;
  #closed: Promise<void> | undefined;

  constructor(state: AppState, server: HttpServer, hostname: string, tls: boolean) {
    this.#state = state;
    this.#server = server;
    this.port = server.port;
    this.host = hostOf(hostname, server.port);
    this.url = `${tls ? "https" : "http"}://${this.host}`;
    this.audience = state.issuer.audience;
  }

  get clientId(): string {
    return [...this.#state.issuer.clients.values()][0]?.clientId ?? "";
  }

  get clientSecret(): string {
    return [...this.#state.issuer.clients.values()][0]?.clientSecret ?? "";
  }

  get stats(): SandboxStats {
    return this.#state.stats;
  }

  setFaults(plan: FaultPlan | undefined): void {
    this.#state.faults = plan === undefined ? undefined : new FaultInjector(plan);
  }

  addClient(client: SandboxClient): void {
    const checked = checkClient(client);
    this.#state.issuer.clients.set(checked.clientId, checked);
  }

  documents(collection: RecordCollection): StoredRecord[] {
    return structuredClone(this.#state.store.all(collection));
  }

  seed(
    collection: RecordCollection,
    bodies: readonly JsonObject[],
    options: SeedOptions = {},
  ): string[] {
    const save = Object.hasOwn(SAVES, collection) ? SAVES[collection] : undefined;
    if (!save) {
      throw new TypeError(
        `cannot seed ${JSON.stringify(collection)}: use components, actions or workflows`,
      );
    }
    const context: SaveContext = {
      store: this.#state.store,
      now: this.#state.now,
      ip: "::ffff:127.0.0.1",
      userId: options.clientId ?? this.clientId,
    };
    return bodies.map((body, index) => {
      try {
        return save(structuredClone(body), context);
      } catch (error) {
        if (!(error instanceof ServerError)) throw error;
        throw new Error(`seed ${collection}[${index}] refused by the server rules: ${error.text}`);
      }
    });
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#server.close();
      this.#state.store.close();
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a sandbox: an HTTP(S) server with the token endpoint at
 * `/oauth/token` and the DB API under `/api`. Close it with `close()` or
 * `await using`. Rejects when the options, forms file or fault plan are
 * invalid or the port is taken.
 *
 * @example Start on a free port and get a token
 * ```ts
 * import { startSandbox } from "./mod.ts";
 * await using sandbox = await startSandbox();
 * const response = await fetch(`${sandbox.url}/oauth/token`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({
 *     client_id: sandbox.clientId,
 *     client_secret: sandbox.clientSecret,
 *     audience: sandbox.audience,
 *     grant_type: "client_credentials",
 *   }),
 * });
 * console.assert((await response.json()).token_type === "Bearer");
 * ```
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const hostname = options.hostname ?? "127.0.0.1";
  const clients = (options.clients ?? [
    {
      clientId: "sandbox-client",
      clientSecret: "sandbox-secret",
      permissions: [...ALL_PERMISSIONS],
    },
  ]).map(checkClient);
  const faults = options.faults === undefined ? undefined : new FaultInjector(options.faults);
  const definitions = await loadFormDefinitions(options.forms);
  const store: RecordStore = options.dbPath === undefined
    ? new MemoryStore()
    : new SqliteStore(options.dbPath);
  try {
    installForms(store, definitions, now());
    const signer = await signingKey(store);
    const tls = options.tlsCert !== undefined;
    const state: AppState = {
      store,
      signer,
      issuer: {
        clients: new Map(clients.map((client) => [client.clientId, client])),
        audience: options.audience ?? DEFAULT_AUDIENCE,
        lifetimeSeconds: options.tokenLifetimeSeconds ?? 86400,
        signer,
        issuer: "",
        now,
      },
      faults,
      stats: new LiveStats(store),
      latencyMs: options.latencyMs ?? 0,
      now,
    };
    const server = await listen({
      hostname,
      port: options.port ?? 0,
      tlsCert: options.tlsCert,
      tlsKey: options.tlsKey,
    }, createHandler(state));
    const sandbox = new RunningSandbox(state, server, hostname, tls);
    state.issuer.issuer = `https://${sandbox.host}/`;
    return sandbox;
  } catch (error) {
    store.close();
    throw error;
  }
}

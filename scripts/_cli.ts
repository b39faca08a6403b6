/**
 * What every command-line script shares: option parsing (`node:util`
 * `parseArgs`, strict), `--help`, the connection options, and the mapping of
 * failures to one stderr line and an exit code. Scripts declare their
 * options, call the library and print; input checks are in `_input.ts`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type Connection,
  ConnectToAPI,
  type Instance,
  INSTANCES,
  type Logger,
  M2MError,
  type RequestHeaders,
  ValidationError,
} from "../mod.ts";

/** Exit codes of every script (also listed by `--help`). */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The dotenv files a script may read: `.env` and `.env.<instance>`. */
export const DOTENV_FILES: readonly string[] = [".env", ...INSTANCES.map((name) => `.env.${name}`)];

/**
 * The `deno run` permission flags of the scripts that talk to the DB. Net is
 * broad because the auth and DB hosts are only known once the credentials are
 * read; narrow it by hand with `--allow-net=AUTH_HOST,DB_HOST`.
 */
export const SCRIPT_PERMISSIONS: readonly string[] = [
  "--no-prompt",
  "--allow-env=M2M_*",
  `--allow-read=${DOTENV_FILES.join(",")}`,
  "--allow-net",
];

/** A mistake in the command line itself; exit code 2, nothing was sent. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Where a script writes; tests may pass their own. */
export interface ScriptIO {
  /** Writes one result line (or one JSON document) to stdout. */
  out(text: string): void;
  /** Writes one diagnostic line to stderr. */
  err(text: string): void;
  /** All of standard input, for `--data-file -`. */
  readStdin(): Promise<string>;
}

/** The process's own stdout, stderr and stdin. */
export const denoIO: ScriptIO = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  readStdin: () => new Response(Deno.stdin.readable).text(),
};

/** One option: `parseArgs` settings plus what `--help` shows. */
export interface OptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  /** Placeholder of the value in `--help`, e.g. `UUID`. */
  arg?: string;
  help: string;
}

/** Options by long name. */
export type OptionSpecs = Record<string, OptionSpec>;

/** What `parseArgs` returns for a set of {@linkcode OptionSpecs}. */
export type OptionValues<S extends OptionSpecs> = {
  [K in keyof S]?: S[K]["type"] extends "boolean" ? boolean
    : S[K]["multiple"] extends true ? string[]
    : string;
};

/** Options every script that connects accepts. */
export const CONNECTION_OPTIONS = {
  instance: {
    type: "string",
    arg: "NAME",
    help: `read credentials from .env.NAME (${INSTANCES.join("|")}); default $M2M_INSTANCE or .env`,
  },
  "env-file": {
    type: "string",
    arg: "FILE",
    help: "read credentials from FILE instead (grant it: --allow-read=FILE)",
  },
  json: { type: "boolean", help: "print one JSON document on stdout instead of text" },
  debug: {
    type: "boolean",
    help: "print token renewals, retries and failure details on stderr (never secrets)",
  },
  help: { type: "boolean", short: "h", help: "print this help and exit" },
} as const satisfies OptionSpecs;

/** The values of {@linkcode CONNECTION_OPTIONS}. */
export type ConnectionValues = OptionValues<typeof CONNECTION_OPTIONS>;

/** What a script tells the runner about itself. */
export interface ScriptSpec<S extends OptionSpecs> {
  /** File name without `.ts`, e.g. `create_component`. */
  name: string;
  /** One line: what the script does. */
  summary: string;
  /** The arguments of each way to call the script, one usage line each. */
  usage: string[];
  options: S;
  examples: string[];
  /** Permission flags, when not {@linkcode SCRIPT_PERMISSIONS}. */
  permissions?: readonly string[];
  /** Extra paragraphs of help, shown after the examples. */
  notes?: string[];
  /** Exit codes beyond 0, 1 and 2, e.g. `"  3  some records failed"`. */
  extraExitCodes?: string[];
}

/**
 * Parses `args` strictly; an unknown option, a missing value, a positional
 * argument or a single-valued option given twice is a {@linkcode UsageError}.
 */
export function parseOptions<S extends OptionSpecs>(options: S, args: string[]): OptionValues<S> {
  // parseArgs refuses keys it does not know, even ones set to undefined.
  const config = Object.fromEntries(
    Object.entries(options).map(([name, { type, multiple, short }]) => [
      name,
      { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: config,
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ""));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option" || options[token.name].multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  return { ...parsed.values } as OptionValues<S>;
}

function optionLines(options: OptionSpecs): string[] {
  const left = Object.entries(options).map(([name, option]) =>
    `${option.short ? `-${option.short}, ` : ""}--${name}${option.arg ? ` ${option.arg}` : ""}`
  );
  const width = Math.max(...left.map((text) => text.length)) + 2;
  return Object.values(options).map((option, index) =>
    `  ${left[index].padEnd(width)}${option.help}${option.multiple ? " (repeatable)" : ""}`
  );
}

/** The `--help` text of a script. */
export function helpText<S extends OptionSpecs>(spec: ScriptSpec<S>): string {
  // Quoted so that zsh (macOS's shell) does not try to expand the `*`.
  const permissions = (spec.permissions ?? SCRIPT_PERMISSIONS)
    .map((flag) => flag.includes("*") ? `'${flag}'` : flag).join(" ");
  return [
    `${spec.name}: ${spec.summary}`,
    "",
    "Usage:",
    ...spec.usage.map((args) => `  deno task ${spec.name} ${args}`),
    `  or with \`deno run ${permissions} scripts/${spec.name}.ts\` in place of the task`,
    "",
    "Options:",
    ...optionLines({ ...spec.options, ...CONNECTION_OPTIONS }),
    "",
    "Examples:",
    ...spec.examples.map((example) => `  ${example}`),
    "",
    ...(spec.notes ?? []),
    "Credentials: M2M_CLIENT_ID, M2M_CLIENT_SECRET, M2M_AUTH0_DOMAIN, M2M_DB_DOMAIN (optional",
    "  M2M_AUDIENCE, M2M_PROXY=http://HOST:PORT) from the environment, else from .env (or",
    "  .env.NAME, --env-file FILE).",
    "  The secret is never printed. For the local sandbox run `deno task sandbox`, then add",
    "  --instance sandbox (it reads .env.sandbox).",
    ...(spec.permissions?.includes("--allow-read")
      ? ["Permissions: env M2M_* only; read and write any file (see above); net is broad"]
      : [
        "Permissions: env M2M_* only; read only the dotenv files (grant any other file you name",
        "  with --allow-read=FILE); net is broad",
      ]),
    "  because the hosts come from the credentials: narrow it with",
    "  --allow-net=AUTH0_HOST,DB_HOST (behind a proxy, M2M_PROXY: its HOST:PORT instead).",
    "  A token cache (M2M_TOKEN_CACHE=DIR/FILE) also needs",
    "  --allow-read=DIR --allow-write=DIR (unless read and write are granted already).",
    "Exit codes:",
    "  0  success",
    "  1  the request failed: credentials refused, permission missing, not found, server or",
    "     network error (one line on stderr says which)",
    "  2  bad usage or input (options, IDs, data, credentials missing): nothing was sent",
    ...(spec.extraExitCodes ?? []),
  ].join("\n");
}

function scriptLogger(io: ScriptIO, debug: boolean): Logger {
  return {
    debug: debug ? (message) => io.err(`[m2m] ${message}`) : () => {},
    warn: (message) => io.err(`warning: ${message}`),
  };
}

/**
 * Connects with the credentials the connection options point at, runs
 * `use`, and closes the connection whatever happens.
 */
export async function withConnection<T>(
  values: ConnectionValues,
  io: ScriptIO,
  use: (connection: Connection, headers: RequestHeaders) => Promise<T>,
): Promise<T> {
  if (
    values.instance !== undefined && !(INSTANCES as readonly string[]).includes(values.instance)
  ) {
    throw new UsageError(`--instance ${values.instance} is not one of ${INSTANCES.join(", ")}`);
  }
  const { connection, headers } = await ConnectToAPI({
    instance: values.instance as Instance | undefined,
    envFile: values["env-file"],
    logger: scriptLogger(io, values.debug ?? false),
  });
  try {
    return await use(connection, headers);
  } finally {
    connection.close();
  }
}

/** The exit code for a failure: 2 when nothing was sent, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || error instanceof ValidationError ? EXIT.usage : EXIT.failed;
}

/** The error as the one line a script prints (whitespace collapsed). */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Runs a script: parses `args`, answers `--help`, calls `body`, and turns a
 * failure into one stderr line. Returns the exit code; never exits itself.
 */
export async function runScript<S extends OptionSpecs>(
  spec: ScriptSpec<S>,
  args: string[],
  io: ScriptIO,
  body: (values: OptionValues<S & typeof CONNECTION_OPTIONS>) => Promise<void>,
): Promise<number> {
  let values: OptionValues<S & typeof CONNECTION_OPTIONS> | undefined;
  try {
    values = parseOptions({ ...spec.options, ...CONNECTION_OPTIONS }, args);
    if (values.help) {
      io.out(helpText(spec));
      return EXIT.ok;
    }
    await body(values);
    return EXIT.ok;
  } catch (error) {
    if (values?.debug && error instanceof Error) io.err(`[debug] ${error.stack ?? error}`);
    // A permission Deno refused is the user's to grant, not a bug to report.
    const expected = error instanceof UsageError || error instanceof M2MError ||
      error instanceof Deno.errors.NotCapable;
    const prefix = expected ? "" : "unexpected error (run with --debug and report it): ";
    const hint = error instanceof UsageError ? " (see --help)" : "";
    io.err(`${spec.name}: ${prefix}${oneLine(error)}${hint}`);
    return exitCodeOf(error);
  }
}

/**
 * The fault plan (issue 4 §3): which request gets which fault. The script
 * is consumed first, then every matching request draws from the rates with
 * a seeded PRNG, so the same plan against the same request sequence always
 * injects the same faults.
 *
 * @module
 */

import { FAULT_KINDS, type FaultKind, type FaultPlan } from "./types.ts";

const DEFAULT_SLOW_MS = 5000;
const DEFAULT_RETRY_AFTER_SECONDS = 1;

function isNonNegative(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/** Checks a plan (e.g. parsed from `--faults` JSON); throws a TypeError saying what is wrong. */
export function checkFaultPlan(value: unknown): FaultPlan {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("the fault plan must be an object");
  }
  const plan = value as Record<string, unknown>;
  const known = [
    "seed",
    "rates",
    "script",
    "slowMs",
    "retryAfterSeconds",
    "earlyExpirySeconds",
    "paths",
  ];
  const unknown = Object.keys(plan).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new TypeError(`unknown fault plan field(s): ${unknown.join(", ")}`);
  if (plan.seed !== undefined && !(typeof plan.seed === "number" && Number.isFinite(plan.seed))) {
    throw new TypeError("faults.seed must be a number");
  }
  if (plan.rates !== undefined) {
    if (typeof plan.rates !== "object" || plan.rates === null || Array.isArray(plan.rates)) {
      throw new TypeError("faults.rates must be an object of kind: probability");
    }
    let total = 0;
    for (const [kind, rate] of Object.entries(plan.rates)) {
      if (!FAULT_KINDS.includes(kind as FaultKind)) {
        throw new TypeError(
          `unknown fault kind ${JSON.stringify(kind)}: use ${FAULT_KINDS.join(", ")}`,
        );
      }
      if (!isNonNegative(rate) || rate > 1) {
        throw new TypeError(`faults.rates.${kind} must be between 0 and 1`);
      }
      total += rate;
    }
    if (total > 1 + 1e-9) throw new TypeError(`faults.rates add up to ${total}, more than 1`);
  }
  if (plan.script !== undefined) {
    if (!Array.isArray(plan.script)) throw new TypeError("faults.script must be an array");
    for (const entry of plan.script) {
      if (entry !== "ok" && !FAULT_KINDS.includes(entry as FaultKind)) {
        throw new TypeError(
          `faults.script entry ${JSON.stringify(entry)} is not "ok" or a fault kind`,
        );
      }
    }
  }
  for (const key of ["slowMs", "earlyExpirySeconds"]) {
    if (plan[key] !== undefined && !isNonNegative(plan[key])) {
      throw new TypeError(`faults.${key} must be a number >= 0`);
    }
  }
  if (
    plan.retryAfterSeconds !== undefined &&
    !(Number.isInteger(plan.retryAfterSeconds) && (plan.retryAfterSeconds as number) >= 0)
  ) {
    throw new TypeError(
      "faults.retryAfterSeconds must be a whole number >= 0 (it is an HTTP header)",
    );
  }
  if (plan.paths !== undefined && !(plan.paths instanceof RegExp)) {
    if (typeof plan.paths !== "string") {
      throw new TypeError("faults.paths must be a RegExp or a string");
    }
    try {
      new RegExp(plan.paths);
    } catch {
      throw new TypeError(
        `faults.paths ${JSON.stringify(plan.paths)} is not a valid regular expression`,
      );
    }
  }
  return plan as FaultPlan;
}

/** mulberry32: small, fast and good enough to spread faults evenly. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides the fault of each request under one plan. */
export class FaultInjector {
  /** Delay of a slow reply (ms). */
  readonly slowMs: number;
  /** `Retry-After` of 503 and 429 replies (seconds). */
  readonly retryAfterSeconds: number;
  /** Real validity of an early-expiring token (seconds). */
  readonly earlyExpirySeconds: number;
  #script: (FaultKind | "ok")[];
  #rates: [FaultKind, number][];
  #random: () => number;
  #paths: RegExp | undefined;

  /** Validates the plan and starts its script and PRNG from the beginning. */
  constructor(plan: FaultPlan | undefined) {
    const checked = plan === undefined ? {} : checkFaultPlan(plan);
    this.slowMs = checked.slowMs ?? DEFAULT_SLOW_MS;
    this.retryAfterSeconds = checked.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    this.earlyExpirySeconds = checked.earlyExpirySeconds ?? 0;
    this.#script = [...(checked.script ?? [])];
    this.#rates = FAULT_KINDS.map((kind) =>
      [kind, checked.rates?.[kind] ?? 0] as [FaultKind, number]
    )
      .filter(([, rate]) => rate > 0);
    this.#random = mulberry32(checked.seed ?? 1);
    this.#paths = checked.paths === undefined
      ? undefined
      : checked.paths instanceof RegExp
      ? new RegExp(checked.paths.source, checked.paths.flags.replaceAll(/[gy]/g, ""))
      : new RegExp(checked.paths);
  }

  /** The fault for the next request to `path`, or undefined for a normal reply. */
  next(path: string): FaultKind | undefined {
    if (this.#paths && !this.#paths.test(path)) return undefined;
    const scripted = this.#script.shift();
    if (scripted !== undefined) return scripted === "ok" ? undefined : scripted;
    if (this.#rates.length === 0) return undefined;
    let draw = this.#random();
    for (const [kind, rate] of this.#rates) {
      if (draw < rate) return kind;
      draw -= rate;
    }
    return undefined;
  }
}

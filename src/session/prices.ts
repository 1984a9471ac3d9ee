/**
 * braid's built-in token prices, USD per million tokens, for exactly the models the pinned Claude Code
 * (2.1.197) prices itself — the same figures as its own `total_cost_usd`. A model id is matched exactly after
 * normalising it (lower case, a context suffix like `[1m]` and a `-YYYYMMDD` date dropped), never by prefix:
 * `claude-opus-4-8` and `claude-opus-4` are different generations at different prices. An id not in the table
 * (nor in config `prices.<model>`, matched the same way) has no price and is reported unpriced.
 * In config, cache prices default to 10% (read) and 125% (write) of input.
 */
import type { Config } from "../project/config.js";

export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

type PriceRow = { input: number; output: number; cache_read?: number; cache_write?: number };

const OPUS_NEW: PriceRow = { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 };
const OPUS_OLD: PriceRow = { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 };
const SONNET: PriceRow = { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 };
const MYTHOS: PriceRow = { input: 10, output: 50, cache_read: 1, cache_write: 12.5 };
const HAIKU_45: PriceRow = { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 };
const HAIKU_35: PriceRow = { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1 };

/** Claude Code 2.1.197's own price table (documented in docs/cost.md; update both together). */
export const BUILTIN_PRICES: Record<string, PriceRow> = {
  "claude-opus-4-8": OPUS_NEW,
  "claude-opus-4-7": OPUS_NEW,
  "claude-opus-4-6": OPUS_NEW,
  "claude-opus-4-5": OPUS_NEW,
  "claude-opus-4-1": OPUS_OLD,
  "claude-opus-4-0": OPUS_OLD,
  "claude-opus-4": OPUS_OLD,
  "claude-mythos-5": MYTHOS,
  "claude-sonnet-5": SONNET,
  "claude-sonnet-4-6": SONNET,
  "claude-sonnet-4-5": SONNET,
  "claude-sonnet-4-0": SONNET,
  "claude-sonnet-4": SONNET,
  "claude-3-7-sonnet": SONNET,
  "claude-3-5-sonnet": SONNET,
  "claude-haiku-4-5": HAIKU_45,
  "claude-3-5-haiku": HAIKU_35,
};

/** `claude-opus-4-8[1m]` → `claude-opus-4-8`; `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`. */
function normalizeModel(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, "")
    .replace(/-\d{8}$/, "");
}

function toPrice(row: PriceRow): ModelPrice {
  return {
    input: row.input,
    output: row.output,
    cacheRead: row.cache_read ?? row.input / 10,
    cacheWrite: row.cache_write ?? row.input * 1.25,
  };
}

/** Price of `model`, or null when neither config nor the built-in table knows it exactly. */
export function priceFor(model: string, overrides: Config["prices"] = {}): ModelPrice | null {
  const id = normalizeModel(model);
  const own = overrides[model] ?? Object.entries(overrides).find(([k]) => normalizeModel(k) === id)?.[1];
  const row = own ?? BUILTIN_PRICES[id];
  return row ? toPrice(row) : null;
}

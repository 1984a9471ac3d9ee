/**
 * braid's built-in token prices, USD per million tokens, by model-name prefix (the longest matching prefix
 * wins, so "claude-sonnet-4-5-20250929" uses "claude-sonnet-4"). Config `prices.<model>` overrides or adds
 * entries the same way. In config, cache prices default to 10% (read) and 125% (write) of input.
 */
import type { Config } from "../project/config.js";

export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

type PriceRow = { input: number; output: number; cache_read?: number; cache_write?: number };

/** Anthropic list prices (documented in docs/cost.md; update both together). */
export const BUILTIN_PRICES: Record<string, PriceRow> = {
  "claude-opus-4-5": { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  "claude-opus-4-6": { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  "claude-opus-4-1": { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 },
  "claude-opus-4": { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 },
  "claude-3-opus": { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 },
  "claude-sonnet-4": { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  "claude-3-7-sonnet": { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  "claude-3-5-sonnet": { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  "claude-haiku-4-5": { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1 },
  "claude-3-haiku": { input: 0.25, output: 1.25, cache_read: 0.03, cache_write: 0.3 },
};

function toPrice(row: PriceRow): ModelPrice {
  return {
    input: row.input,
    output: row.output,
    cacheRead: row.cache_read ?? row.input / 10,
    cacheWrite: row.cache_write ?? row.input * 1.25,
  };
}

/** Price of `model`, or null when neither config nor the built-in table knows it. */
export function priceFor(model: string, overrides: Config["prices"] = {}): ModelPrice | null {
  const pick = (table: Record<string, PriceRow>): PriceRow | undefined => {
    const keys = Object.keys(table).filter((k) => model.startsWith(k));
    keys.sort((a, b) => b.length - a.length);
    return keys[0] === undefined ? undefined : table[keys[0]];
  };
  const row = pick(overrides) ?? pick(BUILTIN_PRICES);
  return row ? toPrice(row) : null;
}

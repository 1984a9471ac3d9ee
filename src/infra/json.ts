/**
 * Reading braid's small JSON files (exit records, live state, caches, cursors): one reader, which checks the
 * shape before a caller trusts what it read. A missing, unreadable, half-written or wrongly shaped file reads
 * as null — each caller decides what null means (start afresh, "not yet", fall back).
 */
import { readFileSync } from "node:fs";
import type { BraidError } from "./errors.js";

/** The file's JSON value when `valid` accepts it, else null. */
export function readJsonFile<T>(path: string | URL, valid: (v: unknown) => v is T): T | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
  return valid(value) ? value : null;
}

/** A plain object (not null, not an array): the first check of most shapes. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A shape check that only asks for `key` to be of `type` (enough where the writer is braid itself). */
export function hasField<T>(key: string, type: "string" | "number" | "object") {
  return (v: unknown): v is T => isObject(v) && typeof v[key] === type && v[key] !== null;
}

/**
 * A store braid keeps for the user (trust, hosts): `{version: 1, <key>: {...}}`. Missing reads as empty; a file
 * that is there but not such a store is an error with `fix` (never silently replaced: it holds the user's choices).
 */
export function readStore<T extends { version: 1 }>(path: string, key: string, empty: () => T, corrupt: BraidError): T {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return empty();
  }
  try {
    const d = JSON.parse(text) as Record<string, unknown>;
    if (isObject(d) && d.version === 1 && isObject(d[key])) return d as unknown as T;
  } catch {
    /* fall through */
  }
  throw corrupt;
}

/** Deleting one trash entry, shared by the background worker and `braid doctor --fix` (see trash.ts). */
import { chmodSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

export const CLAIM = /\.del-(\d+)$/;
export const FAILED = /\.failed$/;

/** The entry's name without a claim or failure mark. */
export function entryBase(entry: string): string {
  return entry.replace(CLAIM, "").replace(FAILED, "");
}

/**
 * Claim an entry for this process by renaming it to `<base>.del-<pid>`: only one process can win the
 * rename, so two deleters never work on one entry. Null when someone else has it (or it is gone).
 */
export function claimEntry(entry: string): string | null {
  const dst = `${entryBase(entry)}.del-${process.pid}`;
  if (dst === entry) return entry;
  try {
    renameSync(entry, dst);
    return dst;
  } catch {
    return null;
  }
}

/** Make every directory under `dir` writable by us (read-only trees, e.g. Go's module cache). */
function makeWritable(dir: string): void {
  try {
    chmodSync(dir, 0o700);
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory() && !e.isSymbolicLink()) makeWritable(join(dir, e.name));
  } catch {
    /* what cannot be fixed shows up as a failure below */
  }
}

/**
 * Delete a claimed entry; on failure (after making its directories writable and trying again) it is
 * renamed to `<base>.failed` so nobody retries it blindly, and the error is thrown.
 */
export function removeClaimed(claimed: string): void {
  try {
    rmSync(claimed, { recursive: true, force: true, maxRetries: 3 });
    return;
  } catch {
    makeWritable(claimed);
  }
  try {
    rmSync(claimed, { recursive: true, force: true, maxRetries: 3 });
  } catch (e) {
    try {
      renameSync(claimed, `${entryBase(claimed)}.failed`);
    } catch {
      /* leave it under its claim: a dead claimer is retried like any leftover */
    }
    throw e;
  }
}

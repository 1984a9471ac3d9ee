/** File helpers shared by every store: atomic writes and cross-process locks. */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type Lockfile from "proper-lockfile";

// Loaded on first use: read-only commands never lock, so they should not pay for loading it.
let lockfileModule: typeof Lockfile | undefined;
function lockfile(): typeof Lockfile {
  lockfileModule ??= createRequire(import.meta.url)("proper-lockfile") as typeof Lockfile;
  return lockfileModule;
}

/** Write a file so readers see the old or the new content, never a torn one: temp file + fsync + rename. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
}

export interface LockOptions {
  /** A lock older than this (ms without refresh) belongs to a dead process and is taken over. */
  staleMs?: number;
  /** Give up after roughly this long. */
  timeoutMs?: number;
}

/**
 * Run fn while holding an exclusive cross-process lock on `path` (a `path.lock` directory,
 * via proper-lockfile: mkdir is atomic, the lock is refreshed while held and taken over when stale,
 * so a kill -9 can never leave it held forever).
 */
export async function withLock<T>(path: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const staleMs = opts.staleMs ?? 10_000;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const release = await lockfile().lock(path, {
    realpath: false,
    stale: staleMs,
    update: Math.max(1000, Math.floor(staleMs / 2)),
    retries: { retries: Math.ceil(timeoutMs / 25), factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
    onCompromised: () => {
      /* another process took a lock we held too long; the atomic write keeps the file whole */
    },
  });
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

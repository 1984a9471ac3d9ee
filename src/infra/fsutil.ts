/** File helpers shared by every store: atomic writes and cross-process locks. */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type Lockfile from "proper-lockfile";

// Loaded on first use: read-only commands never lock, so they should not pay for loading it.
let lockfileModule: typeof Lockfile | undefined;
function lockfile(): typeof Lockfile {
  lockfileModule ??= createRequire(import.meta.url)("proper-lockfile") as typeof Lockfile;
  return lockfileModule;
}

/** Load the lock library now, e.g. while a child process works, so the first lock costs only its mkdir. */
export function preloadLocking(): void {
  lockfile();
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
  /**
   * Longest wait between attempts while the lock is busy (default 100). Busy shared files with
   * short holds (notes, memory) use a few ms: long backoffs leave the lock idle while dozens wait.
   */
  maxRetryMs?: number;
}

/**
 * Run fn while holding an exclusive cross-process lock on `path` (a `path.lock` directory,
 * via proper-lockfile: mkdir is atomic, the lock is refreshed while held and taken over when stale,
 * so a kill -9 can never leave it held forever).
 */
export async function withLock<T>(path: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const maxWait = Math.max(1, opts.maxRetryMs ?? 100);
  const release = await acquire(path, staleMs, deadline, maxWait);
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Retry loop kept here rather than in proper-lockfile's `retries` option: that one precomputes and
 * sorts a table of every wait up front, which cost ~20 ms per lock at the retry counts busy files need.
 */
async function acquire(path: string, staleMs: number, deadline: number, maxWait: number): Promise<() => Promise<void>> {
  const pause = backoff(1, maxWait);
  for (;;) {
    try {
      return await lockfile().lock(path, {
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 2)),
        retries: 0,
        onCompromised: () => {
          /* another process took a lock we held too long; the atomic write keeps the file whole */
        },
      });
    } catch (e) {
      if (!isLockBusy(e) || Date.now() >= deadline) throw e;
    }
    await pause();
  }
}

/**
 * Whether a failed lock attempt means "someone else holds it" (try again) rather than a real failure.
 * ENOENT on the lock itself: another process removed it between our mkdir and stat (a takeover race
 * inside proper-lockfile) — contention too.
 */
export function isLockBusy(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return err?.code === "ELOCKED" || (err?.code === "ENOENT" && String(err.path ?? "").endsWith(".lock"));
}

/**
 * The one backoff for busy shared files: each call waits a randomized, growing, capped time (from
 * `firstMs` up to `maxMs`), so waiters spread out instead of waking together.
 */
export function backoff(firstMs: number, maxMs: number): () => Promise<void> {
  let wait = firstMs;
  return async () => {
    await sleep(Math.ceil(wait * (0.5 + Math.random())));
    wait = Math.min(maxMs, wait * 1.5);
  };
}

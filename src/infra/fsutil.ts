/** File helpers shared by every store: checked atomic writes, private dirs and cross-process locks. */
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BraidError } from "./errors.js";
import { faultPause } from "./faults.js";
import { processStart } from "./process.js";
import { randomHex } from "./random.js";

/** braid's own data (state, notes, memory, trust, logs) is private to the user whatever the umask. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** mkdir -p with private permissions for the directories it creates (umask only removes bits). */
export function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** A write failure as one line naming the file and the fix; other errors pass through unchanged. */
export function writeFailure(path: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const wrap = (msg: string, fix: string) => Object.assign(new BraidError(msg, fix), { code, path });
  if (code === "ENOSPC" || code === "EDQUOT" || code === "EFBIG")
    return wrap(`no space left on device writing ${path}`, "free space and retry (the previous file was kept)");
  if (code === "EACCES" || code === "EPERM")
    return wrap(`permission denied writing ${path}`, "check ownership and permissions of that directory");
  if (code === "EROFS") return wrap(`read-only file system writing ${path}`, "remount it read-write and retry");
  if (code === "ENOTDIR")
    return wrap(`cannot write ${path}: a parent of it is a file, not a directory`, "move that file away and retry");
  return e;
}

/** Every byte of buf, however many calls it takes (a nearly full disk writes short). */
export function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error("short write"), { code: "ENOSPC" });
    off += n;
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    /* some file systems cannot fsync a directory: the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface WriteOptions {
  /** File mode (default 0600: braid's files are private). */
  mode?: number;
  /**
   * false: skip the fsyncs (the rename still makes the write all-or-nothing for readers). Only for state that
   * is rewritten all the time and worthless after a crash, on a path that must be fast: a hook's live state.
   */
  durable?: boolean;
  /** false: the directory must exist (a background writer must never bring back a folder someone removed). */
  createDir?: boolean;
}

/**
 * Write a file so readers see the old or the new content, never a torn one: temp file, every byte written
 * and fsynced, rename, then the directory fsynced. On any failure the old file stays, the temp file goes,
 * and a BraidError names the file (a full disk: "no space left on device writing X").
 */
export function writeFileAtomic(path: string, data: string | Buffer, opts: WriteOptions = {}): void {
  const dir = dirname(path);
  const tmp = `${path}.${process.pid}.${randomHex(8)}.tmp`;
  let fd: number | undefined;
  try {
    if (opts.createDir !== false) mkdirPrivate(dir);
    fd = openSync(tmp, "wx", opts.mode ?? PRIVATE_FILE_MODE);
    writeAll(fd, typeof data === "string" ? Buffer.from(data) : data);
    if (opts.durable !== false) fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    faultPause("atomic-before-rename");
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already gone */
    }
    throw writeFailure(path, e);
  }
  if (opts.durable !== false) fsyncDir(dir);
}

// ---------------------------------------------------------------------------------------------------
// Locks
//
// A lock on `path` is the directory `path.lock` holding numbered entries. Taking the lock means creating
// the entry one above the highest (link(2) of a prepared file: atomic, with its content), and then still
// seeing it as the highest. The highest entry says who holds the lock (pid, process start time, host), or
// is empty: released. It may be taken over only when it is released or its owner is provably dead (no
// such pid, or a pid reused by a process that started at another time). Numbers only ever grow, so two
// processes that both judge the same dead owner race for the same number: exactly one link succeeds, and
// a late one whose entry is no longer the highest backs off. Nothing is ever removed from under a living
// owner, and no wait depends on a lock's age.
// ---------------------------------------------------------------------------------------------------

export interface LockOwner {
  pid: number;
  /** Process start time (Linux: clock ticks after boot, /proc/<pid>/stat field 22); null elsewhere. */
  start: string | null;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** The braid command holding it. */
  cmd?: string;
}

export interface LockOptions {
  /** Give up after roughly this long (0: a single attempt). */
  timeoutMs?: number;
  /**
   * Longest wait between attempts while the lock is busy (default 100). Busy shared files with
   * short holds (notes, memory) use a few ms: long backoffs leave the lock idle while dozens wait.
   */
  maxRetryMs?: number;
  /** What the lock protects, for messages ("the session registry"). Default: the file name. */
  what?: string;
  /** Called instead of the global reporter when a wait passes a second (a caller that says so itself). */
  onWait?: (line: string) => void;
}

let me: LockOwner | undefined;
function self(): LockOwner {
  me ??= {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    since: "",
    cmd: ["braid", ...process.argv.slice(2, 3)].join(" "),
  };
  return { ...me, since: new Date().toISOString() };
}

/** False only when the owner is provably dead: same host and its pid is gone or belongs to a newer process. */
export function ownerAlive(o: LockOwner): boolean {
  if (o.host !== hostname()) return true;
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  if (o.start) {
    const now = processStart(o.pid);
    if (now !== null && now !== o.start) return false;
  }
  return true;
}

/** Reports a wait longer than a second (the CLI prints it; core code never does). */
let waitReporter: ((line: string) => void) | undefined;
export function setLockWaitReporter(fn: ((line: string) => void) | undefined): void {
  waitReporter = fn;
}

/** Say once that a wait for `path`'s lock passed a second, naming the holder (for callers with their own retry loop). */
export function reportLockWait(path: string, what: string): void {
  const h = lockHolder(path);
  waitReporter?.(
    `waiting for the lock on ${what} (${path}.lock)${h ? `, held by pid ${h.pid}${h.cmd ? ` (${h.cmd})` : ""} since ${h.since}` : ""}…`,
  );
}

function lockBusyError(path: string, what: string, holder: LockOwner | null, waitedMs: number): Error {
  const waitedFor = waitedMs >= 1000 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : "";
  // An owner entry braid cannot read (see ownerOf) has no pid to wait for: never tell the user to `kill 0`.
  if (isUnreadable(holder))
    return Object.assign(
      new BraidError(
        `${what} is locked by an owner entry braid cannot read (in ${path}.lock)${waitedFor}`,
        `if no braid command is running, remove the lock (rm -r ${path}.lock) and retry`,
      ),
      { code: "ELOCKED", path: `${path}.lock`, holder },
    );
  const who = holder ? ` held by pid ${holder.pid}${holder.cmd ? ` (${holder.cmd})` : ""} since ${holder.since}` : "";
  const waited = waitedMs >= 1000 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : "";
  const fix = holder
    ? `wait for pid ${holder.pid} to finish and retry; if it hangs, stop it (kill ${holder.pid}): a dead owner's lock is taken over at once`
    : "retry";
  return Object.assign(new BraidError(`${what} is locked${who}${waited}`, fix), {
    code: "ELOCKED",
    path: `${path}.lock`,
    holder,
  });
}

function lockDirError(dir: string): BraidError {
  return new BraidError(
    `lock ${dir} is a file, not braid's lock directory`,
    `remove it (rm ${dir}) when no braid command is running, then retry`,
  );
}

/** Numbered entries of the lock dir (ascending); creates the dir when missing. */
function entries(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw lockDirError(dir);
    if (code !== "ENOENT") throw e;
    try {
      mkdirPrivate(dir);
    } catch (m) {
      const c = (m as NodeJS.ErrnoException).code;
      if (c === "EEXIST" || c === "ENOTDIR") throw lockDirError(dir);
      throw m;
    }
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The entry's owner, "free" (released or empty), or null when it vanished meanwhile. */
function ownerOf(dir: string, n: number): LockOwner | "free" | null {
  let text: string;
  try {
    text = readFileSync(join(dir, String(n)), "utf8");
  } catch {
    return null;
  }
  if (!text.trim()) return "free";
  try {
    const o = JSON.parse(text) as LockOwner;
    if (typeof o.pid === "number" && typeof o.host === "string") return o;
  } catch {
    /* unreadable owner: it cannot be proven dead */
  }
  return { pid: 0, start: null, host: "?", since: "unknown" };
}

type Attempt = { held: number } | { busy: LockOwner } | { retry: true };

function tryAcquire(dir: string): Attempt {
  const have = entries(dir);
  const top = have.at(-1) ?? 0;
  if (top > 0) {
    const o = ownerOf(dir, top);
    if (o === null) return { retry: true };
    if (o !== "free" && ownerAlive(o)) return { busy: o };
  }
  faultPause("lock-before-take");
  const n = top + 1;
  const tmp = join(dir, `.t-${process.pid}-${randomHex(8)}`);
  try {
    writeFileSync(tmp, JSON.stringify(self()), { mode: PRIVATE_FILE_MODE });
    linkSync(tmp, join(dir, String(n)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOENT") return { retry: true };
    throw writeFailure(join(dir, String(n)), e);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* not created */
    }
  }
  const after = entries(dir);
  if (after.at(-1) !== n) {
    // Someone took a later number while we acted on an old view: theirs is the lock.
    try {
      unlinkSync(join(dir, String(n)));
    } catch {
      /* collected by the holder */
    }
    return { retry: true };
  }
  for (const k of after) if (k < n) unlinkQuiet(join(dir, String(k)));
  return { held: n };
}

function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    /* gone already */
  }
}

function release(dir: string, n: number): void {
  try {
    writeFileSync(join(dir, String(n + 1)), "", { flag: "wx", mode: PRIVATE_FILE_MODE });
  } catch {
    /* EEXIST cannot happen while we live; anything else leaves a dead owner, taken over later */
  }
  unlinkQuiet(join(dir, String(n)));
  // Temp files of writers killed between write and link.
  try {
    for (const t of readdirSync(dir)) {
      const m = /^\.t-(\d+)-/.exec(t);
      if (m && !ownerAlive({ pid: Number(m[1]), start: null, host: hostname(), since: "" })) unlinkQuiet(join(dir, t));
    }
  } catch {
    /* best effort */
  }
}

/**
 * Run fn while holding an exclusive cross-process lock on `path` (the `path.lock` directory). A lock whose
 * owner was killed is taken over at once; a living owner is waited for (up to timeoutMs), and a wait longer
 * than a second is reported (setLockWaitReporter) with the owner's pid.
 */
export async function withLock<T>(path: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const dir = `${path}.lock`;
  const what = opts.what ?? basename(path);
  const t0 = Date.now();
  const deadline = t0 + (opts.timeoutMs ?? 30_000);
  const maxWait = Math.max(1, opts.maxRetryMs ?? 100);
  mkdirPrivate(dirname(path));
  let wait = 1;
  let reported = false;
  let held: number | undefined;
  for (;;) {
    const a = tryAcquire(dir);
    if ("held" in a) {
      held = a.held;
      break;
    }
    if ("busy" in a) {
      if (Date.now() >= deadline) throw lockBusyError(path, what, a.busy, Date.now() - t0);
      const report = opts.onWait ?? waitReporter;
      if (!reported && Date.now() - t0 > 1000 && report) {
        reported = true;
        report(
          `waiting for the lock on ${what} (${dir}), held by pid ${a.busy.pid}${a.busy.cmd ? ` (${a.busy.cmd})` : ""} since ${a.busy.since}…`,
        );
      }
      // Randomized, growing, capped backoff: waiters spread out instead of waking together.
      await sleep(Math.ceil(wait * (0.5 + Math.random())));
      wait = Math.min(maxWait, wait * 1.5);
    } else {
      if (Date.now() >= deadline + 1000) throw lockBusyError(path, what, null, Date.now() - t0);
      await sleep(Math.ceil(Math.random() * 2)); // lost a race for a number: look again shortly
    }
  }
  try {
    return await fn();
  } finally {
    release(dir, held);
  }
}

/** Who holds the lock on `path` right now (null: free). */
/**
 * Owner entries of the lock dir `dir` that cannot be read as an owner (see ownerOf). A holder always links a
 * complete owner file in (tryAcquire), so such an entry is damage, not a live holder: doctor removes it.
 */
export function unreadableLockEntries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  return names.filter((n) => isUnreadable(ownerOf(dir, Number(n)))).map((n) => join(dir, n));
}

function isUnreadable(o: LockOwner | "free" | null): boolean {
  return o !== null && o !== "free" && o.pid === 0 && o.host === "?";
}

export function lockHolder(path: string): LockOwner | null {
  const dir = `${path}.lock`;
  let have: number[];
  try {
    have = readdirSync(dir)
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return null;
  }
  const top = have.at(-1);
  if (top === undefined) return null;
  const o = ownerOf(dir, top);
  return o && o !== "free" && ownerAlive(o) ? o : null;
}

/**
 * The trash for removed worktrees: `braid rm` renames a worktree into `<git-common-dir>/braid/trash/`
 * (instant on one filesystem, where deleting 20k files is not) and a detached background process deletes
 * it, so the command returns at once. Only directories braid already decided to delete (after its
 * checks and backups) ever get here.
 *
 * A deleter claims an entry by renaming it to `<entry>.del-<its pid>` before deleting, so two deleters
 * never work on one entry and an entry whose claimer is gone (killed, reboot) is recognisably leftover:
 * the next braid command starts a new deleter for it (`sweepTrash`), `braid doctor --fix` deletes it at once.
 * An entry that could not be deleted (permissions) becomes `<entry>.failed`: only doctor retries those.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pidAlive } from "../infra/process.js";
import { compactStamp } from "../infra/stamp.js";
import { CLAIM, claimEntry, FAILED, removeClaimed } from "./trash-remove.js";

const WORKER = fileURLToPath(new URL("./trash-worker.js", import.meta.url));
const STAMP = /-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z(?:-\d+)?(?:\.del-\d+|\.failed)?$/;
/** An entry nobody claimed yet is as good as being deleted for this long (the deleter is starting up). */
const START_GRACE_MS = 30_000;

export function trashDir(stateDir: string): string {
  return join(stateDir, "trash");
}

export interface TrashEntry {
  path: string;
  /** Pid of the deleter that claimed it (alive or not); null when nobody claimed it yet. */
  pid: number | null;
  /** A live process is deleting it (or it was trashed seconds ago and its deleter is starting). */
  deleting: boolean;
  /** A deleter gave up on it (permissions): left for `braid doctor --fix`. */
  failed: boolean;
}

/** When the entry was moved to the trash, from its name. */
function trashedAt(name: string): number | null {
  const m = STAMP.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms);
}

export function listTrash(stateDir: string, now = Date.now()): TrashEntry[] {
  let names: string[];
  try {
    names = readdirSync(trashDir(stateDir));
  } catch {
    return [];
  }
  return names.sort().map((n) => {
    const m = CLAIM.exec(n);
    const pid = m ? Number(m[1]) : null;
    const at = trashedAt(n);
    const failed = FAILED.test(n);
    const starting = pid === null && !failed && at !== null && Math.abs(now - at) < START_GRACE_MS;
    return { path: join(trashDir(stateDir), n), pid, deleting: pid !== null ? pidAlive(pid) : starting, failed };
  });
}

/**
 * Move `dir` into the trash as `<name>-<UTC time>`. Returns the trash path, or null when it cannot be
 * renamed there (another filesystem: EXDEV, a mount point, permissions): then the caller deletes in place.
 */
export function moveToTrash(stateDir: string, name: string, dir: string, now = new Date()): string | null {
  const root = trashDir(stateDir);
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch {
    return null;
  }
  const stamp = compactStamp(now);
  let dest = join(root, `${name}-${stamp}`);
  for (let i = 2; existsSync(dest); i++) dest = join(root, `${name}-${stamp}-${i}`);
  try {
    renameSync(dir, dest);
    return dest;
  } catch {
    return null;
  }
}

/** Delete a trash entry in a detached background process (argument array, no shell, output ignored). */
export function deleteInBackground(entry: string): void {
  try {
    const child = spawn(process.execPath, [WORKER, entry], {
      cwd: dirname(entry),
      detached: true,
      stdio: "ignore",
    });
    child.on("error", () => {
      /* could not start: the entry stays and the next braid command tries again */
    });
    child.unref();
  } catch {
    /* same */
  }
}

/** Start a background deleter for every entry nobody is deleting (left by a killed deleter or a reboot). */
export function sweepTrash(stateDir: string): string[] {
  const leftover = listTrash(stateDir).filter((e) => !e.deleting && !e.failed);
  for (const e of leftover) deleteInBackground(e.path);
  return leftover.map((e) => e.path);
}

/** Delete a trash entry now (doctor --fix): claim it, then delete it in this process. */
export function deleteNow(entry: string): void {
  const claimed = claimEntry(entry);
  if (!claimed) {
    if (!existsSync(entry)) return; // deleted meanwhile
    throw new Error(`cannot claim ${entry}`);
  }
  removeClaimed(claimed);
}

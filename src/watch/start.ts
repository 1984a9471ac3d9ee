/**
 * Starting the watcher daemon from a radar run, and telling it it is used. Best effort and quiet: without a daemon
 * the radar scans every worktree, as it always could.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { braidBin } from "../agents/claude.js";
import { mkdirPrivate } from "../infra/fsutil.js";
import { touch, watchDir, watchStartedFile, watchUsedFile } from "./state.js";

/** A start less than this ago (the daemon may still be setting up, or failed): do not start another. */
const RESTART_AFTER_MS = 30_000;
/** The used file is touched at most this often. */
const USED_EVERY_MS = 60_000;

function ageMs(file: string, now: number): number {
  try {
    return now - statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Whether braid may run a watcher here: config `watch` (default on), and BRAID_WATCH=0 turns it off. */
export function watchEnabled(configured: boolean | undefined): boolean {
  return configured !== false && process.env.BRAID_WATCH !== "0";
}

/** Start `braid _watch` for the project of `mainWorktree`, detached, unless one was started moments ago. */
export function startWatcher(stateDir: string, mainWorktree: string, now = Date.now()): void {
  try {
    const started = watchStartedFile(stateDir);
    if (ageMs(started, now) < RESTART_AFTER_MS) return;
    mkdirPrivate(watchDir(stateDir));
    touch(started, now);
    touch(watchUsedFile(stateDir), now);
    const child = spawn(process.execPath, [braidBin(), "_watch"], {
      cwd: mainWorktree,
      detached: true,
      stdio: "ignore",
    });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    /* no daemon: the radar scans */
  }
}

/** The radar used the daemon: keep it from ending as unused. */
export function markWatchUsed(stateDir: string, now = Date.now()): void {
  const used = watchUsedFile(stateDir);
  if (ageMs(used, now) < USED_EVERY_MS) return;
  try {
    touch(used, now);
  } catch {
    /* the daemon ends sooner; the next radar starts it again */
  }
}

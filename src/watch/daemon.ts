/**
 * The watcher daemon (`braid _watch`, started by the radar): one per project, it watches every local session's
 * worktree (tree.ts) and writes their generations to `watch/state.json` (state.ts), so a `status` or `conflicts`
 * whose worktrees did not change skips its `git status` pass over them. It holds no lock anyone else waits for,
 * writes only under `watch/`, and ends when its project has no local session left, when nobody used it for
 * IDLE_MS, when its state dir goes away, or when another daemon took its place.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { remoteOf } from "../hosts/remote.js";
import { mkdirPrivate, writeFileAtomic } from "../infra/fsutil.js";
import { pidAlive, processStart } from "../infra/process.js";
import { randomHex } from "../infra/random.js";
import type { ProjectContext } from "../project/context.js";
import {
  HEARTBEAT_MS,
  touch,
  type WatchState,
  watchDir,
  watchLockFile,
  watchStateFile,
  watchUsedFile,
} from "./state.js";
import { type TreeWatch, watchTree } from "./tree.js";

/** No radar asked for this long: the daemon ends (the next one starts it again). */
const IDLE_MS = 30 * 60_000;
/** Changes within this are written out together. */
const FLUSH_MS = 15;

const lockText = () => `${process.pid} ${processStart(process.pid) ?? "-"}\n`;

/** Take the project's daemon lock; false when a live daemon holds it. */
function takeLock(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, lockText());
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const [pid, start] = (readFileSync(file, "utf8").trim() || "0 -").split(" ");
      const holder = Number(pid);
      if (pidAlive(holder) && (start === "-" || processStart(holder) === start)) return false;
      rmSync(file, { force: true }); // its daemon is gone
    }
  }
  return false;
}

function holdsLock(file: string): boolean {
  try {
    return readFileSync(file, "utf8") === lockText();
  } catch {
    return false;
  }
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Run the daemon until it has no reason to; resolves with why it ended. */
export async function runWatchDaemon(ctx: ProjectContext): Promise<string> {
  const { stateDir } = ctx.project;
  mkdirPrivate(watchDir(stateDir));
  const lock = watchLockFile(stateDir);
  if (!takeLock(lock)) return "another watcher runs";
  // Not in any worktree: a daemon's working directory keeps a removed directory (or a mount) busy.
  process.chdir("/");
  const used = watchUsedFile(stateDir);
  touch(used, Date.now());

  const trees = new Map<string, TreeWatch>();
  const state: WatchState = {
    v: 1,
    pid: process.pid,
    start: processStart(process.pid),
    epoch: randomHex(8),
    at: Date.now(),
    worktrees: {},
    settling: [],
  };
  let flushTimer: NodeJS.Timeout | null = null;
  let gone = false;
  const write = () => {
    flushTimer = null;
    state.at = Date.now();
    state.worktrees = {};
    state.settling = [];
    for (const [path, t] of trees) {
      if (t.ready) state.worktrees[path] = t.gen;
      if (t.settling) state.settling.push(path);
    }
    try {
      // never creating a folder: when the project (or its state dir) is removed, the daemon must not bring it back
      writeFileAtomic(watchStateFile(stateDir), JSON.stringify(state), { durable: false, createDir: false });
    } catch {
      gone = true; // the state dir is going away: the next heartbeat ends the daemon
    }
  };
  const changed = () => {
    if (!gone) flushTimer ??= setTimeout(write, FLUSH_MS);
  };

  let registryStamp = -1;
  let localSessions = 0;
  /** Watch the local sessions' worktrees the registry lists now; stop watching the others. How many there are. */
  const sync = async (): Promise<number> => {
    for (const t of trees.values()) t.recheck();
    const stamp = mtimeMs(ctx.store.file);
    if (stamp === registryStamp) return localSessions;
    registryStamp = stamp;
    const local = ctx.store.sessions().filter((s) => !remoteOf(s));
    localSessions = local.length;
    const paths = new Set(local.filter((s) => existsSync(s.path)).map((s) => s.path));
    // a worktree still being made: look again at the next heartbeat, not only at the next registry change
    if (paths.size < local.length) registryStamp = -1;
    for (const [path, t] of trees)
      if (!paths.has(path)) {
        t.close();
        trees.delete(path);
      }
    for (const path of paths) if (!trees.has(path)) trees.set(path, await watchTree(path, changed));
    return localSessions; // the heartbeat writes the state right after
  };

  const why = await new Promise<string>((resolve) => {
    const end = (reason: string) => {
      clearInterval(beat);
      resolve(reason);
    };
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        await check();
      } finally {
        busy = false;
      }
    };
    const check = async () => {
      if (gone || !existsSync(watchDir(stateDir))) return end("its state dir is gone");
      if (!holdsLock(lock)) return end("another watcher took over");
      if (Date.now() - mtimeMs(used) > IDLE_MS) return end("nobody used it");
      let count: number;
      try {
        count = await sync();
      } catch (e) {
        return end(`cannot read the registry: ${(e as Error).message}`);
      }
      if (count === 0) return end("no local session to watch");
      write();
    };
    const beat = setInterval(() => void tick(), HEARTBEAT_MS);
    process.once("SIGTERM", () => end("asked to end (SIGTERM)"));
    void tick();
  });
  if (flushTimer) clearTimeout(flushTimer);
  for (const t of trees.values()) t.close();
  if (holdsLock(lock)) {
    rmSync(watchStateFile(stateDir), { force: true });
    rmSync(lock, { force: true });
  }
  return why;
}

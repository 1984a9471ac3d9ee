/**
 * One worktree, watched: every directory git would look in (not `.git`, not what git ignores) has an inotify watch
 * (fs.watch, one per directory: node 20's recursive mode polls files on Linux), and any event there moves the
 * worktree's generation on. A new directory is watched before the generation moves, so whatever was written into it
 * before its watch existed is covered by that move. A worktree too big to watch, or one with submodules (their HEAD
 * moves outside the worktree), is never `ready`: the radar then scans it as it always did.
 */
import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join, relative, sep } from "node:path";
import { git, gitOut } from "../git/git.js";

/** More directories than this: not watched (each watch costs the kernel and node memory). */
const MAX_WATCHED_DIRS = 4000;

export interface TreeWatch {
  readonly root: string;
  /** Moves on with every change under the root (after the change, never before). */
  readonly gen: number;
  /** Every directory is watched: an unchanged generation means nothing changed. */
  readonly ready: boolean;
  /** Why the worktree is not watched (when not ready), for the log. */
  readonly reason: string | null;
  close(): void;
}

/** Directories git ignores in a worktree, relative with "/" (as `git ls-files --directory` names them). */
async function ignoredDirs(root: string): Promise<Set<string>> {
  const out = await gitOut(["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], {
    cwd: root,
  });
  const dirs = new Set<string>();
  for (const e of out.split("\0")) if (e.endsWith("/")) dirs.add(e.slice(0, -1));
  return dirs;
}

/** Watch `root`; `onChange` runs after the generation moved (the daemon writes it out). */
export async function watchTree(root: string, onChange: () => void): Promise<TreeWatch> {
  const watchers = new Map<string, FSWatcher>();
  let ignored = new Set<string>();
  let gen = 1;
  let ready = false;
  let reason: string | null = null;
  let closed = false;

  const rel = (dir: string) => relative(root, dir).split(sep).join("/");
  const bump = () => {
    gen++;
    onChange();
  };
  const giveUp = (why: string) => {
    ready = false;
    reason = why;
    for (const w of watchers.values()) w.close();
    watchers.clear();
    bump();
  };

  /** Watch `dir` and every directory below it that git looks in; false once there are too many. */
  const add = (dir: string): boolean => {
    if (closed || watchers.has(dir)) return true;
    if (watchers.size >= MAX_WATCHED_DIRS) return false;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: true }, (_event, name) => onEvent(dir, name ? String(name) : null));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return true; // gone again: its parent's event says so
      giveUp(`cannot watch ${dir}: ${code ?? (e as Error).message}`);
      return false;
    }
    w.on("error", () => {
      // the directory went away (or its watch broke): forget it; its parent's event moved the generation
      w.close();
      watchers.delete(dir);
      bump();
    });
    watchers.set(dir, w);
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return true;
    }
    for (const e of entries) {
      if (!e.isDirectory() || (dir === root && e.name === ".git")) continue;
      const sub = join(dir, e.name);
      if (ignored.has(rel(sub))) continue;
      if (!add(sub)) return false;
    }
    return true;
  };

  const onEvent = (dir: string, name: string | null) => {
    if (closed) return;
    if (dir === root && name === ".git") return; // the main worktree's own git dir: the radar reads HEAD and index
    if (name === ".gitignore") {
      // what git ignores changed: not trusted from now until it is watched again from scratch
      ready = false;
      bump();
      void rewatch();
      return;
    }
    if (name) {
      const path = join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory() && !watchers.has(path) && !ignored.has(rel(path));
      } catch {
        /* removed again */
      }
      if (isDir) void addIfNotIgnored(path);
    }
    bump();
  };

  /**
   * A new directory: watched unless git ignores it (asked once; node_modules appearing must not cost a watch per
   * folder inside). The generation moves again once it is watched, covering what was written into it meanwhile.
   */
  const addIfNotIgnored = async (path: string) => {
    const ignoredNow = await git(["check-ignore", "-q", "--", `${rel(path)}/`], { cwd: root, okCodes: [0, 1] })
      .then((r) => r.code === 0)
      .catch(() => false);
    if (closed) return;
    if (ignoredNow) ignored.add(rel(path));
    else if (!add(path)) return giveUp(`more than ${MAX_WATCHED_DIRS} directories`);
    bump();
  };

  const setUp = async () => {
    for (const w of watchers.values()) w.close();
    watchers.clear();
    ready = false;
    reason = null;
    bump(); // not ready: the next write leaves this worktree out
    try {
      statSync(join(root, ".gitmodules"));
      reason = "has submodules";
      return bump();
    } catch {
      /* none: watchable */
    }
    try {
      ignored = await ignoredDirs(root);
    } catch (e) {
      reason = `git cannot list what it ignores: ${(e as Error).message}`;
      return bump();
    }
    if (closed) return;
    if (!add(root)) {
      if (!reason) giveUp(`more than ${MAX_WATCHED_DIRS} directories`);
      return;
    }
    ready = true;
    bump();
  };
  // one set-up at a time: a second .gitignore event waits for the first to finish, then starts over
  let settingUp = Promise.resolve();
  const rewatch = () => {
    settingUp = settingUp.then(setUp);
    return settingUp;
  };

  await rewatch();
  return {
    root,
    get gen() {
      return gen;
    },
    get ready() {
      return ready;
    },
    get reason() {
      return reason;
    },
    close() {
      closed = true;
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}

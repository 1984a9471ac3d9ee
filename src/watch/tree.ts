/**
 * One worktree, watched: every directory git would look in has an inotify watch (fs.watch, one per directory: node
 * 20's recursive mode polls files on Linux), and any event there moves the worktree's generation on. Not watched:
 * `.git`, and directories an ignore rule covers that hold no tracked file (git looks in those for nothing). A new
 * directory is watched before the generation moves, so whatever was written into it before its watch existed is
 * covered by that move. A worktree too big to watch, or one with submodules (their HEAD moves outside the
 * worktree), is never `ready`: the radar then scans it as it always did.
 */
import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from "node:fs";
import { join, relative, sep } from "node:path";
import { git, gitOut } from "../git/git.js";

/** More directories than this: not watched (each watch costs the kernel and node memory). */
const MAX_WATCHED_DIRS = 4000;
/** A worktree whose watching failed (git could not answer, too many folders) is tried again after this. */
const RETRY_AFTER_MS = 5 * 60_000;
/** Paths per `git ls-files` call (argv stays far below any limit); check-ignore reads its paths from stdin. */
const PATHSPECS_PER_CALL = 200;

export interface TreeWatch {
  readonly root: string;
  /** Moves on with every change under the root (after the change, never before). */
  readonly gen: number;
  /** Every directory is watched: an unchanged generation means nothing changed. */
  readonly ready: boolean;
  /** New folders are being looked at: not all of them watched yet (their later move of the generation is due). */
  readonly settling: boolean;
  /** Why the worktree is not watched (when not ready), for the log. */
  readonly reason: string | null;
  /**
   * The daemon's heartbeat: watch again from scratch when the root is another directory now (the session removed
   * and made again at the same path: the old watches see nothing of the new one), or when watching had failed.
   */
  recheck(): void;
  close(): void;
}

/**
 * Of `dirs` (relative, "/"), those git never looks into: an ignore rule covers them (`check-ignore`, asked with a
 * trailing "/" so rules for directories apply) and no file in them is tracked (a tracked file in an ignored
 * directory is still compared). One check-ignore and at most a few ls-files for any number of directories.
 */
async function skippedDirs(root: string, dirs: string[]): Promise<Set<string>> {
  if (!dirs.length) return new Set();
  const r = await git(["check-ignore", "-z", "--stdin"], {
    cwd: root,
    input: dirs.map((d) => `${d}/\0`).join(""),
    okCodes: [0, 1],
  });
  const ignored = r.stdout
    .split("\0")
    .filter(Boolean)
    .map((d) => d.replace(/\/$/, ""));
  const withTracked = new Set<string>();
  for (let i = 0; i < ignored.length; i += PATHSPECS_PER_CALL) {
    const chunk = ignored.slice(i, i + PATHSPECS_PER_CALL);
    const tracked = await gitOut(["--literal-pathspecs", "ls-files", "-z", "--", ...chunk], { cwd: root });
    for (const f of tracked.split("\0").filter(Boolean)) {
      const holder = chunk.find((d) => f.startsWith(`${d}/`));
      if (holder) withTracked.add(holder);
    }
  }
  return new Set(ignored.filter((d) => !withTracked.has(d)));
}

/** Watch `root`; `onChange` runs after the generation moved (the daemon writes it out). */
export async function watchTree(root: string, onChange: () => void): Promise<TreeWatch> {
  const watchers = new Map<string, FSWatcher>();
  let gen = 1;
  let ready = false;
  let reason: string | null = null;
  let closed = false;
  /** The root's inode when it was watched: another one means the worktree was made again. */
  let rootIno: number | null = null;
  /** When watching failed (giveUp), 0 when it did not: a worktree with submodules is not a failure, never retried. */
  let givenUpAt = 0;

  const rel = (dir: string) => relative(root, dir).split(sep).join("/");
  const bump = () => {
    gen++;
    onChange();
  };
  const closeAll = () => {
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };
  const giveUp = (why: string) => {
    ready = false;
    reason = why;
    givenUpAt = Date.now();
    closeAll();
    bump();
  };

  /** Watch one directory; its subdirectories (for the next level), or null when it cannot be watched. */
  const watchOne = (dir: string): string[] | null => {
    if (watchers.size >= MAX_WATCHED_DIRS) {
      giveUp(`more than ${MAX_WATCHED_DIRS} directories`);
      return null;
    }
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: true }, (_event, name) => onEvent(dir, name ? String(name) : null));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return []; // gone again: its parent's event says so
      giveUp(`cannot watch ${dir}: ${code ?? (e as Error).message}`);
      return null;
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
      return [];
    }
    return entries.filter((e) => e.isDirectory() && !(dir === root && e.name === ".git")).map((e) => join(dir, e.name));
  };

  /** Watch `dirs` and the directories below them that git looks in, level by level; false when it gave up. */
  const watchDirs = async (dirs: string[]): Promise<boolean> => {
    let level = dirs.filter((d) => !watchers.has(d));
    while (level.length && !closed) {
      const skipped = await skippedDirs(root, level.filter((d) => d !== root).map(rel));
      if (closed) return false;
      const next: string[] = [];
      for (const d of level) {
        if (watchers.has(d) || (d !== root && skipped.has(rel(d)))) continue;
        const subs = watchOne(d);
        if (!subs) return false;
        next.push(...subs);
      }
      level = next;
    }
    return !closed;
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
      // also while setting up: a folder made after its parent was listed is watched once the set-up is through it
      const path = join(dir, name);
      try {
        if (!watchers.has(path) && statSync(path).isDirectory()) newDir(path);
      } catch {
        /* removed again */
      }
    }
    bump();
  };

  /**
   * New directories: watched as the set-up watches (what git never looks into is skipped), all that came meanwhile
   * in one go: an archive unpacked is thousands of folders, asked about one level at a time, not one git per folder.
   * The generation moves again once they are watched, covering what was written into them meanwhile.
   */
  const pending = new Set<string>();
  let scanning = false;
  const newDir = (path: string) => {
    pending.add(path);
    if (!scanning) void scanNewDirs();
  };
  const scanNewDirs = async () => {
    scanning = true;
    try {
      while (pending.size && !closed && !reason) {
        const dirs = [...pending];
        pending.clear();
        if (!(await watchDirs(dirs))) return;
        bump();
      }
    } catch (e) {
      giveUp(`git cannot say what it ignores: ${(e as Error).message}`);
    } finally {
      scanning = false;
    }
  };

  const setUp = async () => {
    closeAll();
    pending.clear();
    ready = false;
    reason = null;
    givenUpAt = 0;
    bump(); // not ready: the next write leaves this worktree out
    try {
      rootIno = statSync(root).ino;
    } catch {
      rootIno = null;
      return giveUp("the worktree is gone");
    }
    try {
      statSync(join(root, ".gitmodules"));
      reason = "has submodules";
      return bump();
    } catch {
      /* none: watchable */
    }
    try {
      if (!(await watchDirs([root]))) return;
    } catch (e) {
      return giveUp(`git cannot say what it ignores: ${(e as Error).message}`);
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
    get settling() {
      return scanning || pending.size > 0;
    },
    get reason() {
      return reason;
    },
    recheck() {
      if (closed) return;
      let ino: number | null = null;
      try {
        ino = statSync(root).ino;
      } catch {
        /* gone: nothing to watch until it is back */
      }
      const replaced = ino !== rootIno;
      const retry = givenUpAt > 0 && Date.now() - givenUpAt > RETRY_AFTER_MS;
      if ((replaced && ino !== null) || retry) {
        ready = false;
        bump();
        void rewatch();
      } else if (replaced && ready) giveUp("the worktree is gone");
    },
    close() {
      closed = true;
      closeAll();
    },
  };
}

/**
 * Bring large git-ignored trees (node_modules, build caches) into a new worktree by the fastest safe
 * method measured here. bench/worktree.ts times each candidate on a 30k-file tree in the same run as one
 * `cp -a` (2 cores, ext4, no clones; medians of paired runs, 2026-12-02): several `cp -a --reflink=auto`
 * processes on chunks of the tree 0.62× of `cp -a` in both full runs, the tar pipe (`tar -cf - . | tar -xpf -`,
 * two processes) 0.69–0.77×, and in a separate A/B of the three 24–40 s vs 40–49 s vs 40–41 s. So:
 * - large trees: the parallel cps (copy-on-write clones where the file system has them: btrfs, xfs);
 * - small trees (under 256 entries) in this process with Node's copyFile: no process to start;
 * - `BRAID_COPY_METHOD=tar|parallel-cp|cp|node` forces one (the bench; a machine where tar wins).
 * Never hardlinks: an in-place write in one worktree would change the other.
 */
import { spawn, spawnSync } from "node:child_process";
import { constants } from "node:fs";
import { copyFile, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { basename, dirname, join } from "node:path";
import { allSettledOrThrow, mapLimit } from "../infra/pool.js";

export interface CopyStats {
  files: number;
  dirs: number;
  symlinks: number;
}

export const COPY_METHODS = ["tar", "parallel-cp", "cp", "node"] as const;
export type CopyMethod = (typeof COPY_METHODS)[number];

/** Trees with fewer entries than this are copied in this process. */
const SMALL_TREE = 256;

/** Recursive copy of `src` to `dst` (created) by the method `chooseMethod` picks. Symlinks stay symlinks. */
export async function copyTree(src: string, dst: string): Promise<CopyStats> {
  return copyTreeWith(await chooseMethod(src), src, dst);
}

/** Copy by a given method (the bench compares them); a method this machine lacks falls back to Node. */
export async function copyTreeWith(method: CopyMethod, src: string, dst: string): Promise<CopyStats> {
  const top = await lstat(src);
  if (!top.isDirectory() || method === "node" || !hasGnu(method === "tar" ? "tar" : "cp"))
    return copyWithNode(src, dst);
  const copy =
    method === "tar"
      ? copyWithTar(src, dst, top.mode & 0o7777)
      : method === "cp"
        ? copyWithOneCp(src, dst)
        : copyWithCp(src, dst, top.mode & 0o7777);
  const counted = countTree(src);
  await allSettledOrThrow<unknown>([counted, copy]);
  return counted;
}

/** The method for this tree: `BRAID_COPY_METHOD` (tests, bench) > Node for small trees > parallel cp. */
export async function chooseMethod(src: string): Promise<CopyMethod> {
  const forced = process.env.BRAID_COPY_METHOD as CopyMethod | undefined;
  if (forced && (COPY_METHODS as readonly string[]).includes(forced)) return forced;
  if (!hasGnu("cp") || !(await lstat(src)).isDirectory() || (await isSmallTree(src, SMALL_TREE))) return "node";
  return "parallel-cp";
}

const gnu = new Map<string, boolean>();
/** GNU cp or tar (Linux): the process methods rely on their flags; each is asked once, and only when needed. */
function hasGnu(cmd: "cp" | "tar"): boolean {
  let is = gnu.get(cmd);
  if (is === undefined) {
    is = process.platform === "linux" && /GNU/.test(spawnSync(cmd, ["--version"], { encoding: "utf8" }).stdout ?? "");
    gnu.set(cmd, is);
  }
  return is;
}

/** Fewer than `limit` entries in the whole tree (stops looking at the limit). */
async function isSmallTree(src: string, limit: number): Promise<boolean> {
  let seen = 0;
  const dirs = [src];
  while (dirs.length > 0) {
    const dir = dirs.pop() as string;
    const entries = await readdir(dir, { withFileTypes: true });
    seen += entries.length;
    if (seen >= limit) return false;
    for (const e of entries) if (e.isDirectory()) dirs.push(join(dir, e.name));
  }
  return true;
}

/**
 * `tar -C src -cf - . | tar -C dst --keep-old-files -xpf -`, two processes and a pipe (no shell; nothing in `dst`
 * is ever replaced: an existing file is an error, as for cp): modes, times and symlinks as
 * they are; hard links inside the tree stay links to each other (never to the original).
 */
async function copyWithTar(src: string, dst: string, mode: number): Promise<void> {
  await mkdir(dst, { recursive: true, mode: mode | 0o700 });
  const errors: string[] = [];
  const run = (args: string[], stdio: ["ignore" | "pipe", "pipe" | "ignore", "pipe"]) => {
    const child = spawn("tar", args, { stdio });
    child.stderr?.on("data", (d: Buffer) => errors.push(d.toString("utf8")));
    return child;
  };
  const reader = run(["-C", src, "-cf", "-", "."], ["ignore", "pipe", "pipe"]);
  const writer = run(["-C", dst, "--keep-old-files", "-xpf", "-"], ["pipe", "ignore", "pipe"]);
  reader.stdout?.pipe(writer.stdin as NodeJS.WritableStream);
  // A writer that dies must not leave the reader blocked on a full pipe.
  writer.stdin?.on("error", () => reader.kill());
  const done = (c: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve) => {
      c.on("error", (e) => {
        errors.push(e.message);
        resolve(-1);
      });
      c.on("close", (code) => resolve(code));
    });
  const [r, w] = await Promise.all([done(reader), done(writer)]);
  if (r !== 0 || w !== 0) {
    throw new Error(`tar failed: ${errors.join("").trim().split("\n")[0] || `exit codes ${r}/${w}`}`);
  }
  // tar sets the top directory's mode and time from the archive's "." entry: as cp -a would.
}

/** One `cp -a` of the whole tree (the baseline). */
async function copyWithOneCp(src: string, dst: string): Promise<void> {
  await mkdir(dirname(dst), { recursive: true });
  await runCp({ into: dst, sources: [src] }, true);
}

interface CpTask {
  /** Destination directory the sources are copied into. */
  into: string;
  sources: string[];
}

/**
 * Split the tree into tasks for `workers` cp processes, about four tasks per worker so a large
 * package cannot leave the others idle. A level with too few entries is opened up (its directories
 * created here, their children become the units) so one huge folder still spreads over every core.
 */
async function copyWithCp(src: string, dst: string, mode: number): Promise<void> {
  const workers = Math.min(8, Math.max(2, availableParallelism() * 2));
  const wanted = workers * 4;
  let level: Array<{ into: string; from: string }> = [];
  await mkdir(dst, { recursive: true, mode: mode | 0o700 });
  for (const name of await readdir(src)) level.push({ into: dst, from: join(src, name) });
  for (let depth = 0; depth < 3 && level.length > 0 && level.length < wanted; depth++) {
    const next: Array<{ into: string; from: string }> = [];
    for (const u of level) {
      const st = await lstat(u.from);
      if (!st.isDirectory()) {
        next.push(u);
        continue;
      }
      const made = join(u.into, basename(u.from));
      await mkdir(made, { mode: (st.mode & 0o7777) | 0o700 });
      for (const name of await readdir(u.from)) next.push({ into: made, from: join(u.from, name) });
    }
    level = next;
  }
  const size = Math.max(1, Math.ceil(level.length / wanted));
  const tasks: CpTask[] = [];
  for (const u of level) {
    const last = tasks[tasks.length - 1];
    if (last && last.into === u.into && last.sources.length < size) last.sources.push(u.from);
    else tasks.push({ into: u.into, sources: [u.from] });
  }
  await mapLimit(tasks, workers, (t) => runCp(t));
}

/** `cp -a` of the sources into `into/`, or (`exact`) of the one source to the path `into`. */
function runCp(task: CpTask, exact = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = exact ? task.into : `${task.into}/`;
    const child = spawn("cp", ["-a", "--reflink=auto", "--", ...task.sources, target], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`cp failed: ${err.trim().split("\n")[0] || `exit code ${code}`}`));
    });
  });
}

/** Files, folders and symlinks in a tree, for the report (cp does not say). */
async function countTree(src: string): Promise<CopyStats> {
  const stats: CopyStats = { files: 0, dirs: 1, symlinks: 0 };
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const subdirs: Promise<void>[] = [];
    for (const e of entries) {
      if (e.isDirectory()) {
        stats.dirs++;
        subdirs.push(walk(join(dir, e.name)));
      } else if (e.isSymbolicLink()) stats.symlinks++;
      else if (e.isFile()) stats.files++;
    }
    await Promise.all(subdirs);
  };
  await walk(src);
  return stats;
}

/** The portable path: Node's copyFile (FICLONE where supported) with many copies in flight. */
export async function copyWithNode(src: string, dst: string, concurrency = 32): Promise<CopyStats> {
  const stats: CopyStats = { files: 0, dirs: 0, symlinks: 0 };
  const top = await lstat(src);
  if (!top.isDirectory()) {
    await copyEntry(src, dst, top.isSymbolicLink(), stats);
    return stats;
  }
  // Work queue of directories; each worker lists one and copies its entries, queueing subdirectories.
  const queue: Array<[string, string, number]> = [[src, dst, top.mode & 0o7777]];
  let active = 0;
  let failure: unknown = null;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      // On failure, stop starting work but wait for what is in flight before reporting it.
      if (active === 0 && (failure || queue.length === 0)) {
        resolve();
        return;
      }
      while (!failure && active < concurrency && queue.length > 0) {
        const [s, d, mode] = queue.shift() as [string, string, number];
        active++;
        copyDir(s, d, mode, queue, stats, concurrency)
          .catch((e) => {
            failure ??= e;
          })
          .finally(() => {
            active--;
            pump();
          });
      }
    };
    pump();
  });
  if (failure) throw failure;
  return stats;
}

async function copyDir(
  src: string,
  dst: string,
  mode: number,
  queue: Array<[string, string, number]>,
  stats: CopyStats,
  concurrency: number,
): Promise<void> {
  await mkdir(dst, { recursive: true, mode: mode | 0o700 });
  stats.dirs++;
  const entries = await readdir(src, { withFileTypes: true });
  // Sockets, fifos and devices are skipped: they cannot be copied meaningfully.
  const files = entries.filter((e) => e.isFile() || e.isSymbolicLink());
  for (const e of entries) {
    if (e.isDirectory()) {
      const s = join(src, e.name);
      queue.push([s, join(dst, e.name), (await lstat(s)).mode & 0o7777]);
    }
  }
  // Copy this directory's files in bounded batches; a failure is reported once the batch's other copies are done.
  for (let i = 0; i < files.length; i += concurrency) {
    await allSettledOrThrow(
      files
        .slice(i, i + concurrency)
        .map((e) => copyEntry(join(src, e.name), join(dst, e.name), e.isSymbolicLink(), stats)),
    );
  }
}

async function copyEntry(src: string, dst: string, isLink: boolean, stats: CopyStats): Promise<void> {
  if (isLink) {
    await symlink(await readlink(src), dst);
    stats.symlinks++;
    return;
  }
  // FICLONE: a reflink where supported (btrfs, xfs, apfs), a normal copy otherwise. Mode is preserved.
  await copyFile(src, dst, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
  stats.files++;
}

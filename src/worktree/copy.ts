/**
 * Bring large git-ignored trees (node_modules, build caches) into a new worktree by the fastest safe
 * method: copy-on-write clones where the filesystem supports them (COPYFILE_FICLONE falls back to a
 * plain copy elsewhere, e.g. ext4), with many copies in flight so the thread pool stays busy.
 * Never hardlinks: an in-place write in one worktree would change the other.
 */
import { constants } from "node:fs";
import { copyFile, lstat, mkdir, readdir, readlink, symlink } from "node:fs/promises";
import { join } from "node:path";

export interface CopyStats {
  files: number;
  dirs: number;
  symlinks: number;
}

/** Parallel recursive copy of `src` to `dst` (created). Symlinks are recreated as symlinks. */
export async function copyTree(src: string, dst: string, concurrency = 32): Promise<CopyStats> {
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
  // Copy this directory's files in bounded batches.
  for (let i = 0; i < files.length; i += concurrency) {
    await Promise.all(
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

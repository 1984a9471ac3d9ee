/** Disk usage of a directory tree (bytes allocated), for "space reclaimed" reports. */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * Sum of allocated bytes under `dir` (symlinks not followed). Unreadable entries count as 0.
 * An aborted `signal` stops the walk early (the partial sum is returned; callers then ignore it).
 */
export async function diskUsage(dir: string, signal?: AbortSignal): Promise<number> {
  let total = 0;
  const pending: string[] = [dir];
  // A bounded pool of directory reads: fast on big trees without opening thousands of handles.
  const worker = async (): Promise<void> => {
    for (let d = pending.pop(); d !== undefined && !signal?.aborted; d = pending.pop()) {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch {
        continue;
      }
      const stats = await Promise.all(
        entries.map(async (e) => {
          const p = join(d as string, e.name);
          if (e.isDirectory()) pending.push(p);
          try {
            const s = await lstat(p);
            return s.blocks * 512;
          } catch {
            return 0;
          }
        }),
      );
      for (const n of stats) total += n;
    }
  };
  // Directories are discovered while workers run; loop until none are left.
  while (pending.length && !signal?.aborted)
    await Promise.all(Array.from({ length: Math.min(8, pending.length) }, worker));
  try {
    total += (await lstat(dir)).blocks * 512;
  } catch {
    /* vanished */
  }
  return total;
}

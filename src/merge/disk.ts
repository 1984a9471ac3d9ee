/** Bytes a directory tree occupies on disk (allocated blocks; symlinks not followed). */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop() as string;
    try {
      total += (await lstat(d)).blocks * 512;
    } catch {
      continue;
    }
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    const sizes = await Promise.all(
      entries.map(async (e) => {
        const p = join(d, e.name);
        if (e.isDirectory()) {
          stack.push(p);
          return 0;
        }
        try {
          return (await lstat(p)).blocks * 512;
        } catch {
          return 0;
        }
      }),
    );
    for (const n of sizes) total += n;
  }
  return total;
}

/** Process identity on Linux: a pid plus its start time tells a live process from a later one reusing the pid. */
import { readFileSync } from "node:fs";

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); null where /proc is missing. */
export function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}
